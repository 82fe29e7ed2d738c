# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
A cheap appearance check of the target, independent of the tracker's network.

A Siamese or transformer tracker scores a look-alike (another walker, another player, a
pasted piece of background) nearly as high as the target, so its score alone cannot say which
of two candidates is the target after it was lost. This module describes a box by the colours
inside it, laid out in horizontal bands (a person's shirt and trousers stay in their band when
the pose changes), and compares descriptions with the Bhattacharyya coefficient (1: same
colour distribution, 0: disjoint). The long-term mode compares each search candidate with
the box given at init only (a description updated from tracked frames would also learn the
look-alikes the tracker followed by mistake).

It reads only the pixels inside the box (resampled to a small fixed grid), never the whole
frame; a frame decoded at reduced scale is read through its scale.
"""

from __future__ import annotations

from typing import Optional

import cv2
import numpy as np

from lite_tracker_ros.core.types import BoxXYWH, ChannelOrder, Frame

#: the box is resampled to this many pixels per side before its colours are counted
GRID = 24
#: horizontal bands described separately (top to bottom)
BANDS = 2
#: hue, saturation and value bins of each band's histogram (value bins for mono frames)
HUE_BINS, SAT_BINS, VAL_BINS = 8, 3, 4
#: fraction of the box's width and height kept around its centre (ground truth and tracker
#: boxes hold some background at their borders)
INNER = 0.8


def describe(frame: Frame, box: BoxXYWH) -> Optional[np.ndarray]:
    """Return the box's colour description, or None when it has no pixels in the frame."""
    scale = max(int(frame.scale), 1)
    height, width = frame.pixels.shape[:2]
    half_w, half_h = 0.5 * INNER * box.w / scale, 0.5 * INNER * box.h / scale
    cx, cy = box.cx / scale, box.cy / scale
    x0, x1 = int(max(np.floor(cx - half_w), 0)), int(min(np.ceil(cx + half_w), width))
    y0, y1 = int(max(np.floor(cy - half_h), 0)), int(min(np.ceil(cy + half_h), height))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    patch = np.ascontiguousarray(frame.pixels[y0:y1, x0:x1])
    patch = cv2.resize(patch, (GRID, GRID), interpolation=cv2.INTER_AREA)
    if patch.ndim == 2 or frame.order is ChannelOrder.MONO or patch.shape[2] == 1:
        grey = patch.reshape(GRID, GRID)
        codes = (grey.astype(np.int32) * VAL_BINS) // 256
        bins = VAL_BINS
    else:
        conversion = cv2.COLOR_RGB2HSV if frame.order is ChannelOrder.RGB else cv2.COLOR_BGR2HSV
        hsv = cv2.cvtColor(patch[..., :3], conversion).astype(np.int32)
        hue = (hsv[..., 0] * HUE_BINS) // 180
        sat = (hsv[..., 1] * SAT_BINS) // 256
        val = (hsv[..., 2] * VAL_BINS) // 256
        # the hue of a weakly saturated pixel (under a third of full saturation) is noise:
        # those are counted by brightness instead (counting only fully grey pixels so did
        # worse on the calibration half's stress events)
        grey = sat == 0
        codes = np.where(grey, HUE_BINS * SAT_BINS + val, (hue * SAT_BINS + sat))
        bins = HUE_BINS * SAT_BINS + VAL_BINS
    rows = np.array_split(codes, BANDS, axis=0)
    description = np.concatenate([np.bincount(r.ravel(), minlength=bins)[:bins] for r in rows])
    description = description.astype(np.float64)
    return description / description.sum()


def similarity(a: Optional[np.ndarray], b: Optional[np.ndarray]) -> float:
    """Return the Bhattacharyya coefficient of two descriptions, per band, averaged (0 to 1)."""
    if a is None or b is None or a.shape != b.shape:
        return 0.0
    # each band sums to 1/BANDS, so the sum over all bins is the mean of the per-band values
    return float(np.sqrt(a * b).sum())
