# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Square crops read from a frame decoded at reduced scale.

A JPEG decoded with DCT scaling 1/s holds one pixel per s x s block of the full image. A crop
that the tracker defines in full-image pixels (corner, side, output size) is read from it with
one affine warp: output pixel ``u`` samples full-image coordinate ``x0 + (u + 0.5) * side / out``
(the sample positions of ``cv2.resize``), which is reduced pixel ``that / s - 0.5``. Only the
part of the frame under the crop is read; outside the image the crop takes ``pad_value``.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from lite_tracker_ros.core.types import Frame


def crop_reduced(frame: Frame, x0: int, y0: int, side: int, out_size: int,
                 pad_value: tuple[float, ...] | None) -> np.ndarray:
    """
    Return the ``out_size`` square of full-image window ``(x0, y0, side)`` from a reduced frame.

    The result keeps the frame's channel layout. ``pad_value`` None pads with the mean colour of
    the part of the window inside the image (NanoTrack's rule), as :func:`crop_square` does.
    A frame with an ``origin`` (region decode) is read the same way, shifted; its array must
    hold the window's part inside the image (see :meth:`Frame.covering`).
    """
    pixels, scale = frame.pixels, float(frame.scale)
    # a region decode: window coordinates relative to the region's corner (the caller made sure
    # the region holds the window's part inside the image)
    x0, y0 = x0 - frame.origin[0], y0 - frame.origin[1]
    step = side / out_size
    # reduced coordinate of output pixel u: u * gain + offset
    gain = step / scale
    offset_x = (x0 + 0.5 * step) / scale - 0.5
    offset_y = (y0 + 0.5 * step) / scale - 0.5
    rows, cols = pixels.shape[:2]
    # the reduced pixels the warp can touch (one pixel of margin for the bilinear neighbours)
    rx0 = min(max(math.floor(offset_x) - 1, 0), cols)
    ry0 = min(max(math.floor(offset_y) - 1, 0), rows)
    rx1 = min(max(math.ceil(offset_x + gain * (out_size - 1)) + 2, rx0), cols)
    ry1 = min(max(math.ceil(offset_y + gain * (out_size - 1)) + 2, ry0), rows)
    region = pixels[ry0:ry1, rx0:rx1]
    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    if pad_value is None:
        pad_value = _visible_mean(pixels, x0, y0, side, scale) if region.size else (0.0,) * 4
    border = tuple(float(v) for v in pad_value[:channels]) + (0.0,) * (4 - channels)
    if not region.size:
        fill = np.clip(np.rint(border[:channels]), 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.broadcast_to(fill.reshape(pixels.shape[2:]),
                                                    (out_size, out_size) + pixels.shape[2:]))
    matrix = np.array([[gain, 0.0, offset_x - rx0], [0.0, gain, offset_y - ry0]])
    return cv2.warpAffine(np.ascontiguousarray(region), matrix, (out_size, out_size),
                          flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=border)


def _visible_mean(pixels: np.ndarray, x0: int, y0: int, side: int,
                  scale: float) -> tuple[float, ...]:
    rows, cols = pixels.shape[:2]
    vx0 = min(max(math.floor(x0 / scale), 0), cols)
    vy0 = min(max(math.floor(y0 / scale), 0), rows)
    vx1 = min(max(math.ceil((x0 + side) / scale), vx0), cols)
    vy1 = min(max(math.ceil((y0 + side) / scale), vy0), rows)
    visible = pixels[vy0:vy1, vx0:vx1]
    if not visible.size:
        return (0.0,) * 4
    return cv2.mean(np.ascontiguousarray(visible))


def resampling_to_reduction(resampling: float | None, largest: int = 8,
                            margin: float = 1.0) -> int:
    """
    Return the largest DCT reduction (1, 2, 4 or 8) with ``reduction * margin <= resampling``.

    ``resampling`` is how many full-image pixels the next crop squeezes into one network input
    pixel (crop side / input size): a reduction up to it keeps at least one decoded pixel per
    network input pixel. ``margin`` > 1 keeps more (the reduced image is a block average, the
    whole-frame resize a bilinear point sample, so their fine detail differs). None (no crop
    coming, e.g. no target) means a whole decode.
    """
    if resampling is None or not math.isfinite(resampling) or not margin > 0:
        return 1
    reduction = 1
    while reduction * 2 <= largest and reduction * 2 * margin <= resampling:
        reduction *= 2
    return reduction
