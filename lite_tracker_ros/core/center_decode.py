# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Decoding of the OSTrack centre head: Hann window, peak cell, offset and size at the peak.

Everything is float32, as in the reference trackers, so boxes reproduce theirs bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass
import math

import numpy as np


@dataclass(frozen=True)
class CenterPeak:
    """The decoded box (normalised cx, cy, w, h, float32), its windowed score and flat cell."""

    box_cxcywh: np.ndarray
    score: float
    index: int


def hann_window(size: int) -> np.ndarray:
    """
    Return the ``size`` x ``size`` float32 Hann window that down-weights the crop border.

    ``h[k] = 0.5 * (1 - cos(2*pi/(size+1) * k))`` for ``k = 1..size`` (no zero at either end),
    evaluated in float32 with the angle step rounded to float32 first, then the outer product.
    """
    step = np.float32(2.0 * math.pi / (size + 1))
    k = np.arange(1, size + 1, dtype=np.float32)
    h = np.float32(0.5) * (np.float32(1.0) - np.cos(step * k))
    return np.outer(h, h).astype(np.float32)


def cal_bbox(response: np.ndarray, size_map: np.ndarray,
             offset_map: np.ndarray) -> tuple[np.ndarray, int]:
    """
    Box at the peak of ``response`` (``F`` x ``F``); sizes/offsets are ``2`` x ``F`` x ``F``.

    The first maximum in row-major order wins (as numpy's and torch's argmax). Returns the
    normalised ``(cx, cy, w, h)`` as float32 and the flat index ``y * F + x`` of the peak.
    """
    feat = response.shape[-1]
    index = int(np.argmax(response.reshape(-1)))
    iy, ix = divmod(index, feat)
    off = offset_map.reshape(2, -1)[:, index].astype(np.float32)
    size = size_map.reshape(2, -1)[:, index].astype(np.float32)
    feat32 = np.float32(feat)
    cx = (np.float32(ix) + off[0]) / feat32
    cy = (np.float32(iy) + off[1]) / feat32
    return np.array([cx, cy, size[0], size[1]], dtype=np.float32), index


def decode_center(score_map: np.ndarray, size_map: np.ndarray, offset_map: np.ndarray,
                  window: np.ndarray) -> CenterPeak:
    """Window the score map (``1x1xFxF`` or ``FxF``), then decode the box at its peak."""
    feat = window.shape[-1]
    score = np.asarray(score_map, dtype=np.float32).reshape(feat, feat)
    response = window * score
    box, index = cal_bbox(response, np.asarray(size_map).reshape(2, feat, feat),
                          np.asarray(offset_map).reshape(2, feat, feat))
    return CenterPeak(box, float(response.reshape(-1)[index]), index)


def box_to_crop_pixels(box_cxcywh: np.ndarray, crop_size: int,
                       resize_factor: float) -> list[float]:
    """
    Scale a normalised box to image-pixel units: ``box * crop_size / resize_factor``.

    Done in float32 (the reference multiplies and divides a float32 tensor), then widened.
    """
    scaled = (box_cxcywh.astype(np.float32) * np.float32(crop_size)) / np.float32(resize_factor)
    return [float(v) for v in scaled]
