# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Box arithmetic of the centre-head trackers: map a crop-relative prediction back, clip it.

The arithmetic follows the OSTrack-family reference trackers step by step (conformance README
§4.9), in Python floats (float64), so that tracks reproduce theirs bit for bit.
"""

from __future__ import annotations

from typing import Sequence

from lite_tracker_ros.core.types import BoxXYWH

#: the reference trackers keep at least this many pixels of the box inside the image
CLIP_MARGIN = 10


def xywh_to_xyxy(box: BoxXYWH) -> tuple[float, float, float, float]:
    """Return ``(x1, y1, x2, y2)`` corners of a top-left/size box."""
    return (box.x, box.y, box.x + box.w, box.y + box.h)


def xyxy_to_xywh(x1: float, y1: float, x2: float, y2: float) -> BoxXYWH:
    """Return the top-left/size box with corners ``(x1, y1)`` and ``(x2, y2)``."""
    return BoxXYWH(x1, y1, x2 - x1, y2 - y1)


def map_box_back(pred_cxcywh: Sequence[float], previous: BoxXYWH,
                 resize_factor: float, search_size: int) -> BoxXYWH:
    """
    Turn a prediction in search-crop pixel units into an image-pixel box.

    ``pred_cxcywh`` is the predicted centre and size, already scaled by
    ``search_size / resize_factor`` (so in image-pixel units) but relative to the crop's top-left
    corner. The crop is centred on ``previous``'s centre, so its corner in the image is that
    centre minus half the crop side.
    """
    cx, cy, w, h = (float(v) for v in pred_cxcywh)
    half_side = 0.5 * search_size / resize_factor
    cx_real = cx + (previous.cx - half_side)
    cy_real = cy + (previous.cy - half_side)
    return BoxXYWH(cx_real - 0.5 * w, cy_real - 0.5 * h, w, h)


def clip_box(box: BoxXYWH, width: int, height: int, margin: float = CLIP_MARGIN) -> BoxXYWH:
    """
    Keep a box inside a ``width`` x ``height`` image, at least ``margin`` pixels wide and high.

    The far corner is taken from the unclipped box, and the near corner may sit at most
    ``margin`` pixels before the image's far edge, as in the reference trackers.
    """
    x2, y2 = box.x + box.w, box.y + box.h
    x1 = min(max(0.0, box.x), width - margin)
    y1 = min(max(0.0, box.y), height - margin)
    x2 = min(max(margin, x2), width)
    y2 = min(max(margin, y2), height)
    return BoxXYWH(float(x1), float(y1), float(max(margin, x2 - x1)),
                   float(max(margin, y2 - y1)))
