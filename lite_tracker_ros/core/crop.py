# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
The square target crop of the OSTrack-family trackers, with the reference's exact semantics.

The side is ``ceil(sqrt(w*h) * factor)`` around the box centre, the corner is rounded with
Python's ``round`` (ties to even), parts outside the image are zero, and the crop is resized with
OpenCV's bilinear ``INTER_LINEAR`` (fixed-point on uint8, which an exact float bilinear does not
reproduce). One quirk is kept on purpose: the reference pads one pixel too many on the right and
bottom, so a window that reaches the image's last column (row) gets zeros there instead of it.

Only the crop window of the frame is read and converted: the frame may be a read-only, strided
view into a message buffer of any size.
"""

from __future__ import annotations

from dataclasses import dataclass
import math

import cv2
import numpy as np

from lite_tracker_ros.core.reduced_crop import crop_reduced
from lite_tracker_ros.core.types import BoxXYWH, ChannelOrder, Frame


@dataclass(frozen=True)
class TargetCrop:
    """An ``out_size`` x ``out_size`` x 3 RGB uint8 crop and ``out_size / crop side``."""

    pixels: np.ndarray
    resize_factor: float


@dataclass(frozen=True)
class CropWindow:
    """The crop square in image pixels (``x1, y1`` may be negative) and its in-image part."""

    x1: int
    y1: int
    side: int
    #: the rows/columns of the frame actually read, as half-open ranges
    read_x: tuple[int, int]
    read_y: tuple[int, int]


def crop_window(box: BoxXYWH, factor: float, width: int, height: int) -> CropWindow:
    """Where the reference crop lies for ``box`` in a ``width`` x ``height`` image."""
    side = math.ceil(math.sqrt(box.w * box.h) * factor)
    if side < 1:
        raise ValueError(f'box {box.as_tuple()} is too small to crop; use a box of at least '
                         '1x1 pixel')
    x1 = round(float(box.x + 0.5 * box.w - side * 0.5))
    y1 = round(float(box.y + 0.5 * box.h - side * 0.5))
    return CropWindow(x1, y1, side, _read_range(x1, side, width), _read_range(y1, side, height))


def crop_resampling(box: BoxXYWH, factor: float, out_size: int) -> float:
    """Full-image pixels per output pixel of the crop :func:`sample_target` would take."""
    return math.ceil(math.sqrt(box.w * box.h) * factor) / out_size


def crop_region(box: BoxXYWH, factor: float,
                grow: float = 0.0) -> tuple[float, float, float, float]:
    """
    Return ``(x0, y0, x1, y1)`` of the square :func:`sample_target` reads for ``box``.

    Grown by ``grow`` times its side on every side (for a region decode; not clipped).
    """
    side = math.ceil(math.sqrt(box.w * box.h) * factor)
    x1 = round(float(box.x + 0.5 * box.w - side * 0.5))
    y1 = round(float(box.y + 0.5 * box.h - side * 0.5))
    extra = grow * side
    return (x1 - extra, y1 - extra, x1 + side + extra, y1 + side + extra)


def _read_range(start: int, side: int, size: int) -> tuple[int, int]:
    end = start + side
    # the reference pads max(end - size + 1, 0) at the far side: one too many, so the last
    # image column/row is never read
    lo = start + max(0, -start)
    hi = end - max(end - size + 1, 0)
    lo, hi = min(max(lo, 0), size), min(max(hi, 0), size)
    return (lo, max(lo, hi))


def sample_target(frame: Frame, box: BoxXYWH, factor: float, out_size: int) -> TargetCrop:
    """Crop ``factor`` times the box's geometric-mean side around its centre, resized."""
    window = crop_window(box, factor, frame.width, frame.height)
    (x_lo, x_hi), (y_lo, y_hi) = window.read_x, window.read_y
    # a region decode: the frame that holds the window (the bilinear read of a reduced frame
    # reaches two of its pixels further)
    frame = frame.covering(x_lo, y_lo, x_hi, y_hi, 2 * frame.scale if frame.scale > 1 else 0)
    if frame.scale != 1:  # a reduced decode: same window, read through the scale
        pixels = crop_reduced(frame, window.x1, window.y1, window.side, out_size, (0.0,) * 4)
        return TargetCrop(np.ascontiguousarray(_to_rgb(pixels, frame.order)),
                          out_size / window.side)
    padded = np.zeros((window.side, window.side, 3), dtype=np.uint8)
    if x_hi > x_lo and y_hi > y_lo:
        ox, oy = frame.origin
        region = _to_rgb(frame.pixels[y_lo - oy:y_hi - oy, x_lo - ox:x_hi - ox], frame.order)
        padded[y_lo - window.y1:y_hi - window.y1, x_lo - window.x1:x_hi - window.x1] = region
    resized = cv2.resize(padded, (out_size, out_size), interpolation=cv2.INTER_LINEAR)
    return TargetCrop(resized, out_size / window.side)


def _to_rgb(region: np.ndarray, order: ChannelOrder) -> np.ndarray:
    """Convert only the cropped region (a view into the frame) to an RGB uint8 array."""
    if region.dtype != np.uint8:
        raise ValueError(f'frame pixels are {region.dtype}; pass 8-bit images (uint8)')
    if order is ChannelOrder.MONO:
        mono = region if region.ndim == 2 else region[..., 0]
        return np.repeat(mono[..., None], 3, axis=2)
    if region.ndim != 3 or region.shape[2] != 3:
        raise ValueError(f'a {order.value} frame needs HxWx3 pixels, got shape '
                         f'{region.shape}; pass ChannelOrder.MONO for one channel')
    if order is ChannelOrder.BGR:
        return region[..., ::-1]
    return region
