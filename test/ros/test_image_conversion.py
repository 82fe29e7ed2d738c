# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""Image messages become the right pixels, with row padding, alpha, YUV and endianness."""

from types import SimpleNamespace

import cv2
from hypothesis import given, settings, strategies as st
import numpy as np
import pytest

from lite_tracker_ros.core.types import ChannelOrder
from lite_tracker_ros.ros.image_conversion import (
    compressed_to_frame, image_to_frame, ImageConversionError, SUPPORTED_ENCODINGS)


def pack(rows: np.ndarray, encoding: str, padding: int = 0, bigendian: int = 0):
    """Build an Image look-alike whose rows carry `padding` junk bytes each."""
    height = rows.shape[0]
    raw = rows.reshape(height, -1).view(np.uint8).reshape(height, -1)
    junk = np.full((height, padding), 0xAB, np.uint8)
    data = np.concatenate([raw, junk], axis=1).tobytes()
    return SimpleNamespace(height=height, width=rows.shape[1], encoding=encoding,
                           step=raw.shape[1] + padding, is_bigendian=bigendian, data=data)


@pytest.fixture
def rgb():
    rng = np.random.default_rng(7)
    return rng.integers(0, 256, size=(5, 7, 3), dtype=np.uint8)


@pytest.mark.parametrize('padding', [0, 3, 64])
def test_rgb8_and_bgr8_are_views_with_their_order(rgb, padding):
    frame = image_to_frame(pack(rgb, 'rgb8', padding))
    assert frame.order is ChannelOrder.RGB
    np.testing.assert_array_equal(frame.pixels, rgb)
    frame = image_to_frame(pack(rgb[:, :, ::-1].copy(), 'bgr8', padding))
    assert frame.order is ChannelOrder.BGR
    np.testing.assert_array_equal(frame.pixels[:, :, ::-1], rgb)
    assert not frame.pixels.flags.owndata  # a view of the message buffer, no copy


@pytest.mark.parametrize('encoding,order', [('rgba8', ChannelOrder.RGB),
                                            ('bgra8', ChannelOrder.BGR)])
def test_alpha_is_dropped(rgb, encoding, order):
    alpha = np.full(rgb.shape[:2] + (1,), 200, np.uint8)
    first3 = rgb if order is ChannelOrder.RGB else rgb[:, :, ::-1]
    frame = image_to_frame(pack(np.concatenate([first3, alpha], axis=2), encoding, padding=5))
    assert frame.order is order
    np.testing.assert_array_equal(frame.pixels, first3)


def test_mono8(rgb):
    gray = rgb[:, :, 0].copy()
    frame = image_to_frame(pack(gray[:, :, None], 'mono8', padding=1))
    assert frame.order is ChannelOrder.MONO
    np.testing.assert_array_equal(frame.pixels, gray)


@pytest.mark.parametrize('bigendian', [0, 1])
def test_mono16_keeps_most_significant_byte_in_either_endianness(bigendian):
    values = np.array([[0x1234, 0xFF00, 0x00FF], [0x8001, 0x0000, 0xFFFF]])
    dtype = '>u2' if bigendian else '<u2'
    msg = pack(values.astype(dtype)[:, :, None], 'mono16', padding=2, bigendian=bigendian)
    frame = image_to_frame(msg)
    np.testing.assert_array_equal(frame.pixels, [[0x12, 0xFF, 0x00], [0x80, 0x00, 0xFF]])


def test_uyvy_and_yuyv_give_the_same_pixels():
    rng = np.random.default_rng(3)
    y = rng.integers(16, 236, size=(4, 6), dtype=np.uint8)
    u = rng.integers(16, 240, size=(4, 3), dtype=np.uint8)
    v = rng.integers(16, 240, size=(4, 3), dtype=np.uint8)
    uyvy = np.stack([u, y[:, 0::2], v, y[:, 1::2]], axis=2).reshape(4, 6, 2)
    yuyv = np.stack([y[:, 0::2], u, y[:, 1::2], v], axis=2).reshape(4, 6, 2)
    a = image_to_frame(pack(uyvy, 'yuv422', padding=4))
    b = image_to_frame(pack(yuyv, 'yuyv'))
    c = image_to_frame(pack(uyvy, 'uyvy'))
    assert a.order is ChannelOrder.RGB
    np.testing.assert_array_equal(a.pixels, b.pixels)
    np.testing.assert_array_equal(a.pixels, c.pixels)
    # neutral chroma gives grey: R == G == B
    grey = np.stack([np.full((2, 2), 128), [[50, 60], [70, 80]], np.full((2, 2), 128),
                     [[90, 100], [110, 120]]], axis=2).astype(np.uint8).reshape(2, 4, 2)
    px = image_to_frame(pack(grey, 'yuv422')).pixels.astype(int)
    assert np.all(np.abs(px[:, :, 0] - px[:, :, 1]) <= 1)
    assert np.all(np.abs(px[:, :, 2] - px[:, :, 1]) <= 1)


def bt601_yuv(rgb) -> tuple[int, int, int]:
    """Video-range BT.601 Y, Cb, Cr of an RGB colour (the coefficients of the standard)."""
    r, g, b = (c / 255.0 for c in rgb)
    y = 16 + 65.481 * r + 128.553 * g + 24.966 * b
    cb = 128 - 37.797 * r - 74.203 * g + 112.0 * b
    cr = 128 + 112.0 * r - 93.786 * g - 18.214 * b
    return round(y), round(cb), round(cr)


@pytest.mark.parametrize('encoding', ['yuv422', 'uyvy', 'yuyv', 'yuv422_yuy2'])
def test_yuv422_colours_match_an_independent_bt601_conversion(encoding):
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0), (200, 120, 40)]
    rows = []
    for rgb in colours:  # one row of 4 pixels (2 macropixels) per colour
        y, u, v = bt601_yuv(rgb)
        macro = [u, y, v, y] if encoding in ('yuv422', 'uyvy') else [y, u, y, v]
        rows.append(np.array(macro * 2, np.uint8).reshape(4, 2))
    frame = image_to_frame(pack(np.stack(rows), encoding))
    rgb_pixels = frame.pixels if frame.order is ChannelOrder.RGB else frame.pixels[..., ::-1]
    for row, expected in zip(rgb_pixels, colours):
        for pixel in row:
            assert np.abs(pixel.astype(int) - expected).max() <= 4, (encoding, pixel, expected)


@pytest.mark.parametrize('change,message', [
    ({'encoding': '32FC1'}, 'unsupported encoding'),
    ({'step': 20}, 'step 20 is smaller'),
    ({'data': b'\x00' * 10}, 'truncated'),
    ({'data': b''}, 'truncated'),
    ({'height': 0}, 'empty image'),
])
def test_malformed_messages_say_what_is_wrong(rgb, change, message):
    msg = pack(rgb, 'rgb8')
    for key, value in change.items():
        setattr(msg, key, value)
    with pytest.raises(ImageConversionError, match=message):
        image_to_frame(msg)


def test_last_row_without_padding_is_accepted(rgb):
    msg = pack(rgb, 'rgb8', padding=8)
    msg.data = msg.data[:-8]  # some drivers omit the final row's padding
    np.testing.assert_array_equal(image_to_frame(msg).pixels, rgb)


def test_compressed_jpeg_and_png(rgb):
    big = cv2.resize(rgb, (64, 48), interpolation=cv2.INTER_NEAREST)
    ok, png = cv2.imencode('.png', big)
    frame = compressed_to_frame(SimpleNamespace(format='png', data=png.tobytes()))
    assert frame.order is ChannelOrder.BGR
    np.testing.assert_array_equal(frame.pixels, big)
    ok, jpg = cv2.imencode('.jpg', big, [cv2.IMWRITE_JPEG_QUALITY, 95])
    frame = compressed_to_frame(SimpleNamespace(format='jpeg', data=jpg.tobytes()))
    assert frame.pixels.shape == big.shape
    with pytest.raises(ImageConversionError, match='cannot decode'):
        compressed_to_frame(SimpleNamespace(format='jpeg', data=jpg.tobytes()[:20]))
    with pytest.raises(ImageConversionError, match='empty'):
        compressed_to_frame(SimpleNamespace(format='jpeg', data=b''))


@settings(max_examples=300, deadline=None)
@given(encoding=st.sampled_from(SUPPORTED_ENCODINGS + ('bayer_rggb8', '', 'rgb16')),
       height=st.integers(-1, 9), width=st.integers(-1, 9), step=st.integers(-1, 50),
       size=st.integers(0, 400), bigendian=st.integers(0, 1))
def test_any_message_gives_a_frame_or_a_clear_error(encoding, height, width, step, size,
                                                    bigendian):
    msg = SimpleNamespace(height=height, width=width, encoding=encoding, step=step,
                          is_bigendian=bigendian, data=bytes(range(256)) * 2)
    msg.data = msg.data[:size]
    try:
        frame = image_to_frame(msg)
    except ImageConversionError:
        return
    assert frame.pixels.shape[:2] == (height, width)
    assert frame.pixels.dtype == np.uint8


def test_agrees_with_cv_bridge_where_installed(rgb):
    cv_bridge = pytest.importorskip(
        'cv_bridge', reason='cv_bridge (ROS 2) not installed here; runs on a ROS install')
    sensor_msgs = pytest.importorskip('sensor_msgs.msg')
    bridge = cv_bridge.CvBridge()
    for encoding in ('rgb8', 'bgr8', 'mono8'):
        data = rgb if encoding != 'mono8' else rgb[:, :, :1]
        msg = sensor_msgs.Image(**vars(pack(data, encoding)))
        expected = bridge.imgmsg_to_cv2(msg, desired_encoding='passthrough')
        np.testing.assert_array_equal(image_to_frame(msg).pixels, expected.squeeze())
