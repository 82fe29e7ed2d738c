# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""The debug image: a frame with the tracked box and its state drawn on it."""

from __future__ import annotations

import cv2
import numpy as np

from lite_tracker_ros.core.types import BoxXYWH, ChannelOrder, Frame, TrackResult, TrackState


def draw_result(frame: Frame, result: TrackResult | None) -> tuple[np.ndarray, ChannelOrder]:
    """
    Return a colour copy of the frame with ``result``'s box drawn, and its channel order.

    A box that is not finite (a backend that produced NaN) is not drawn, only its state: the
    debug image must never be why a frame fails. Corners are clipped to just outside the image,
    which draws the same and keeps them within OpenCV's integer range.
    """
    frame = frame.covering(0, 0, frame.width, frame.height)  # a region decode: draw on all
    pixels = frame.pixels
    if frame.order is ChannelOrder.MONO:
        pixels, order = cv2.cvtColor(pixels, cv2.COLOR_GRAY2RGB), ChannelOrder.RGB
    else:
        pixels, order = np.ascontiguousarray(pixels).copy(), frame.order
    if result is None:
        return pixels, order
    colour = (0, 255, 0) if result.state is TrackState.TRACKING else (255, 160, 0)
    label = f'{result.state.value} {result.score:.2f}'
    b = result.box
    if frame.scale != 1:  # a reduced decode: the pixels are at that scale, the box is not
        b = BoxXYWH(b.x / frame.scale, b.y / frame.scale, b.w / frame.scale, b.h / frame.scale)
    if not b.is_finite():
        cv2.putText(pixels, f'{label} (box not finite)', (4, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.5,
                    colour, 1)
        return pixels, order
    height, width = pixels.shape[:2]

    def px(value: float, size: int) -> int:
        return int(round(min(max(value, -2.0), size + 2.0)))

    x1, y1 = px(b.x, width), px(b.y, height)
    x2, y2 = px(b.x + b.w, width), px(b.y + b.h, height)
    cv2.rectangle(pixels, (x1, y1), (x2, y2), colour, 2)
    cv2.putText(pixels, label, (x1, max(12, y1 - 4)), cv2.FONT_HERSHEY_SIMPLEX, 0.5, colour, 1)
    return pixels, order
