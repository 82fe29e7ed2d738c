# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
sensor_msgs/Image and CompressedImage to tracker frames, without cv_bridge.

Works on any object with the message's fields (duck typing), so it is tested without ROS. The
common camera encodings (rgb8, bgr8, rgba8, bgra8, mono8) become zero-copy strided views of the
message buffer: the tracker then reads only its crop window. YUV 4:2:2 and 16-bit mono are
converted whole (cvtColor / shift), because their crops are not plain pixel windows.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from lite_tracker_ros.core.image_header import (
    declared_size, MalformedImageHeader, UnknownImageFormat)
from lite_tracker_ros.core.types import ChannelOrder, Frame
from lite_tracker_ros.errors import LiteTrackerError
from lite_tracker_ros.ros.bounded_text import bounded_repr

#: default ``max_image_pixels``: 8K x 8K, a 201 MB BGR frame
DEFAULT_MAX_PIXELS = 8192 * 8192


class ImageConversionError(LiteTrackerError, ValueError):
    """
    The message cannot be read as an image; the text says why and what would fix it.

    ``kind`` names the diagnostics counter it goes to.
    """

    def __init__(self, message: str, kind: str = 'image_invalid'):
        super().__init__(message)
        self.kind = kind


def _check_pixels(width: int, height: int, max_pixels: int, what: str) -> None:
    if width * height > max_pixels:
        raise ImageConversionError(
            f'{what} declares {width}x{height} = {width * height} pixels, over max_image_pixels '
            f'= {max_pixels}: refused without decoding (raise max_image_pixels if it is real)',
            kind='image_too_large')


@dataclass(frozen=True)
class _Layout:
    channels: int
    dtype: str
    order: ChannelOrder
    keep: int  # channels the tracker uses (drops alpha)


_VIEW_LAYOUTS = {
    'rgb8': _Layout(3, 'u1', ChannelOrder.RGB, 3),
    'bgr8': _Layout(3, 'u1', ChannelOrder.BGR, 3),
    '8UC3': _Layout(3, 'u1', ChannelOrder.BGR, 3),  # OpenCV's default order for untyped 3-channel
    'rgba8': _Layout(4, 'u1', ChannelOrder.RGB, 3),
    'bgra8': _Layout(4, 'u1', ChannelOrder.BGR, 3),
    '8UC4': _Layout(4, 'u1', ChannelOrder.BGR, 3),
    'mono8': _Layout(1, 'u1', ChannelOrder.MONO, 1),
    '8UC1': _Layout(1, 'u1', ChannelOrder.MONO, 1),
}
_MONO16 = ('mono16', '16UC1')
# UYVY byte order (U0 Y0 V0 Y1) is ROS' 'yuv422' and newer 'uyvy'; YUYV (Y0 U0 Y1 V0) is
# 'yuv422_yuy2' and newer 'yuyv'.
_YUV422 = {'yuv422': cv2.COLOR_YUV2RGB_UYVY, 'uyvy': cv2.COLOR_YUV2RGB_UYVY,
           'yuv422_yuy2': cv2.COLOR_YUV2RGB_YUYV, 'yuyv': cv2.COLOR_YUV2RGB_YUYV}

SUPPORTED_ENCODINGS = tuple(_VIEW_LAYOUTS) + _MONO16 + tuple(_YUV422)


def _checked_rows(msg, bytes_per_pixel: int) -> np.ndarray:
    """Validate geometry against the buffer and return it as (height, step) uint8 rows."""
    height, width, step = int(msg.height), int(msg.width), int(msg.step)
    encoding = bounded_repr(msg.encoding)
    if height <= 0 or width <= 0:
        raise ImageConversionError(f'empty image ({width}x{height})')
    row_bytes = width * bytes_per_pixel
    if step < row_bytes:
        raise ImageConversionError(
            f'step {step} is smaller than width*bytes_per_pixel = {row_bytes} '
            f'for {encoding} {width}x{height}: the publisher set step wrong')
    buffer = np.frombuffer(msg.data, dtype=np.uint8)
    needed = step * (height - 1) + row_bytes
    if buffer.size < needed:
        raise ImageConversionError(
            f'data has {buffer.size} bytes, {encoding} {width}x{height} with step {step} '
            f'needs {needed}: truncated message')
    # Rows of `step` bytes, read in place: the last row may lack its padding.
    return np.lib.stride_tricks.as_strided(buffer, shape=(height, row_bytes),
                                           strides=(step, 1), writeable=False)


def image_to_frame(msg, max_pixels: int = DEFAULT_MAX_PIXELS) -> Frame:
    """Convert a ``sensor_msgs/Image`` (or look-alike) to a ``Frame``, or raise."""
    _check_pixels(int(msg.width), int(msg.height), max_pixels, 'image')
    encoding = str(msg.encoding)
    layout = _VIEW_LAYOUTS.get(encoding)
    if layout is not None:
        rows = _checked_rows(msg, layout.channels)
        pixels = rows.reshape(int(msg.height), int(msg.width), layout.channels)
        pixels = pixels[:, :, 0] if layout.keep == 1 else pixels[:, :, :layout.keep]
        return Frame(pixels, layout.order)
    if encoding in _MONO16:
        rows = _checked_rows(msg, 2)
        dtype = np.dtype('>u2' if msg.is_bigendian else '<u2')
        # contiguous first: numpy < 1.23 views a strided (row-padded) array only at equal itemsize
        mono16 = np.ascontiguousarray(rows).view(dtype).reshape(int(msg.height), int(msg.width))
        # The trackers take 8-bit input: keep the most significant byte.
        return Frame((mono16 >> 8).astype(np.uint8), ChannelOrder.MONO)
    if encoding in _YUV422:
        if int(msg.width) % 2:
            raise ImageConversionError(f'{bounded_repr(encoding)} needs an even width, got '
                                       f'{msg.width}')
        rows = _checked_rows(msg, 2)
        packed = np.ascontiguousarray(rows).reshape(int(msg.height), int(msg.width), 2)
        return Frame(cv2.cvtColor(packed, _YUV422[encoding]), ChannelOrder.RGB)
    raise ImageConversionError(
        f'unsupported encoding {bounded_repr(encoding)}; supported: '
        f'{", ".join(SUPPORTED_ENCODINGS)}')


def compressed_to_frame(msg, max_pixels: int = DEFAULT_MAX_PIXELS) -> Frame:
    """
    Decode a ``sensor_msgs/CompressedImage`` to a BGR ``Frame``, or raise.

    The size its header declares is checked against ``max_pixels`` before decoding; formats
    whose header is not read by ``image_header`` are refused (kind ``image_format_unknown``).
    """
    data = np.frombuffer(msg.data, dtype=np.uint8)
    fmt = bounded_repr(msg.format)
    if data.size == 0:
        raise ImageConversionError(f'empty compressed image (format {fmt})')
    try:
        kind, width, height = declared_size(data.tobytes())
    except UnknownImageFormat as error:
        raise ImageConversionError(f'compressed image with format {fmt} refused: {error}',
                                   kind='image_format_unknown') from None
    except MalformedImageHeader as error:
        raise ImageConversionError(f'cannot decode compressed image with format {fmt}: '
                                   f'{error}') from None
    if width == 0 or height == 0:
        raise ImageConversionError(f'{kind} image declares an empty size {width}x{height}')
    _check_pixels(width, height, max_pixels, f'{kind} image')
    try:
        pixels = cv2.imdecode(data, cv2.IMREAD_COLOR)
    except cv2.error as error:  # e.g. OpenCV's own size limit, or a corrupt stream
        raise ImageConversionError(
            f'cannot decode {kind} image {width}x{height} ({data.size} bytes): '
            f'{str(error).strip().splitlines()[-1][:160]}', kind='image_undecodable') from None
    if pixels is None:
        raise ImageConversionError(
            f'cannot decode compressed image with format {fmt} ({data.size} bytes)')
    return Frame(pixels, ChannelOrder.BGR)


def frame_to_image_fields(pixels: np.ndarray, order: ChannelOrder) -> dict:
    """Fields of a ``sensor_msgs/Image`` holding ``pixels`` (for the debug image and tests)."""
    pixels = np.ascontiguousarray(pixels)
    height, width = pixels.shape[:2]
    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    encoding = {ChannelOrder.RGB: 'rgb8', ChannelOrder.BGR: 'bgr8',
                ChannelOrder.MONO: 'mono8'}[order]
    return {'height': height, 'width': width, 'encoding': encoding, 'is_bigendian': 0,
            'step': width * channels, 'data': pixels.tobytes()}
