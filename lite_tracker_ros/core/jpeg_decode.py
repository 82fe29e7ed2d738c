# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Decoding a JPEG at reduced scale (libjpeg's DCT scaling), as a frame that knows its scale.

libjpeg(-turbo) can stop the inverse DCT early and produce the image at 1/2, 1/4 or 1/8 of its
size for a fraction of the work of a whole decode; OpenCV exposes that as
``cv2.IMREAD_REDUCED_COLOR_{2,4,8}`` (the OpenCV wheels carry libjpeg-turbo), so no further
dependency is needed. The full image size, which a reduced decode rounds away, is read from the
JPEG's frame header. Anything that is not a plain JPEG this can size, or that decodes to another
shape than expected (an EXIF rotation, say), is decoded whole instead: never a wrong scale.
"""

from __future__ import annotations

import cv2
import numpy as np

from lite_tracker_ros.core.image_header import declared_size
from lite_tracker_ros.core.types import ChannelOrder, Frame

_FLAGS = {1: cv2.IMREAD_COLOR, 2: cv2.IMREAD_REDUCED_COLOR_2, 4: cv2.IMREAD_REDUCED_COLOR_4,
          8: cv2.IMREAD_REDUCED_COLOR_8}
REDUCTIONS = tuple(_FLAGS)


def jpeg_size(data: bytes | np.ndarray) -> tuple[int, int] | None:
    """Return ``(width, height)`` from a JPEG's frame header, or None where there is none."""
    try:
        kind, width, height = declared_size(np.frombuffer(data, dtype=np.uint8).tobytes())
    except ValueError:  # not an image format the header reader knows, or a broken header
        return None
    return (width, height) if kind == 'jpeg' and width and height else None


def decode_reduced(data: bytes | np.ndarray, reduction: int) -> Frame | None:
    """
    Decode a JPEG at ``1/reduction`` scale into a BGR frame carrying that scale.

    Returns None when this cannot be done exactly (not a JPEG with a readable frame header, a
    decode failure, an unexpected shape): the caller then decodes the image whole.
    """
    flag = _FLAGS.get(int(reduction))
    if flag is None:
        raise ValueError(f'reduction must be one of {REDUCTIONS}, got {reduction}')
    size = jpeg_size(data)
    if size is None:
        return None
    pixels = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), flag)
    width, height = size
    expected = (-(-height // reduction), -(-width // reduction))
    if pixels is None or pixels.shape[:2] != expected:
        return None
    return Frame(pixels, ChannelOrder.BGR, scale=int(reduction), full_size=size)
