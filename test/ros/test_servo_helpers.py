# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""Compressed input at the crop's scale, and the camera_info topic next to the image topic."""

from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from lite_tracker_ros.ros.compressed_input import CompressedInput
from lite_tracker_ros.ros.image_conversion import ImageConversionError


def _jpeg(width, height):
    image = np.full((height, width, 3), 90, np.uint8)
    return SimpleNamespace(format='jpeg', data=cv2.imencode('.jpg', image)[1].tobytes())


def test_whole_until_a_size_was_decoded_whole_then_at_the_crop_scale():
    decoder = CompressedInput(margin=2.0)
    msg = _jpeg(1920, 1080)
    assert decoder.to_frame(msg, 9.0).scale == 1  # no size checked yet: whole
    frame = decoder.to_frame(msg, 9.0)  # 9 px per input px, 2 kept: 1/4
    assert (frame.scale, frame.width, frame.height) == (4, 1920, 1080)
    assert decoder.to_frame(msg, 3.9).scale == 1
    assert decoder.to_frame(msg, None).scale == 1  # idle: whole, as init frames are
    assert dict(decoder.frames_by_scale) == {1: 3, 4: 1}


def test_a_new_size_is_decoded_whole_once():
    decoder = CompressedInput(margin=1.0)
    decoder.to_frame(_jpeg(640, 480), None)
    assert decoder.to_frame(_jpeg(1280, 720), 8.0).scale == 1
    assert decoder.to_frame(_jpeg(1280, 720), 8.0).scale == 8


def test_the_size_limit_also_holds_for_reduced_decodes():
    # a limit lowered at run time must not be bypassed by a size that passed the old one
    decoder = CompressedInput(margin=2.0)
    msg = _jpeg(1920, 1080)
    decoder.to_frame(msg, None)
    with pytest.raises(ImageConversionError) as refused:
        decoder.to_frame(msg, 9.0, max_pixels=1920 * 1080 - 1)
    assert refused.value.kind == 'image_too_large'


def test_margin_zero_and_non_jpeg_decode_whole():
    off = CompressedInput(margin=0.0)
    off.to_frame(_jpeg(640, 480), None)
    assert off.to_frame(_jpeg(640, 480), 8.0).scale == 1
    png = SimpleNamespace(format='png', data=cv2.imencode(
        '.png', np.zeros((64, 64, 3), np.uint8))[1].tobytes())
    decoder = CompressedInput(margin=1.0)
    decoder.to_frame(png, None)
    assert decoder.to_frame(png, 8.0).scale == 1


@pytest.mark.parametrize('image_topic,expected', [
    ('/cam/image_raw', '/cam/camera_info'),
    ('/cam/image_raw/compressed', '/cam/camera_info'),
    ('/ns/image', '/ns/camera_info'),
    ('/image', '/camera_info')])
def test_camera_info_is_the_image_transport_sibling(image_topic, expected):
    from lite_tracker_ros.ros.servo_outputs import camera_info_topic_for
    assert camera_info_topic_for(image_topic) == expected


def _textured_jpeg(width, height):
    small = np.random.default_rng(5).integers(0, 256, (height // 8, width // 8, 3), np.uint8)
    image = cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)
    return SimpleNamespace(format='jpeg', data=cv2.imencode('.jpg', image)[1].tobytes())


def test_region_decode_follows_the_crop_and_keeps_init_frames_whole():
    from lite_tracker_ros.core.region_decode import RegionDecoder
    if RegionDecoder.load() is None:
        pytest.skip('no system libturbojpeg: the region path is off (fallback tested below)')
    decoder = CompressedInput(margin=2.0, region_decode=True)
    msg = _textured_jpeg(1920, 1080)
    whole = cv2.imdecode(np.frombuffer(msg.data, np.uint8), cv2.IMREAD_COLOR)
    region = (900.0, 500.0, 1157.0, 757.0)
    assert decoder.to_frame(msg, 1.0, region=region).origin == (0, 0)  # size not checked yet
    assert decoder.to_frame(msg, None, region=region).origin == (0, 0)  # idle: whole
    frame = decoder.to_frame(msg, 1.0, region=region)
    x0, y0, x1, y1 = frame.region()
    assert frame.scale == 1 and x0 <= 900 and y0 <= 500 and x1 >= 1157 and y1 >= 757
    assert np.array_equal(frame.pixels[1:-1, 1:-1], whole[y0 + 1:y1 - 1, x0 + 1:x1 - 1])
    # a region too large to pay off: the reduced (or whole) decode as before
    assert decoder.to_frame(msg, 9.0, region=(0.0, 0.0, 1900.0, 1000.0)).origin == (0, 0)
    assert decoder.region_frames == 1
    assert dict(decoder.frames_by_scale) == {1: 3, 4: 1}


def test_without_libturbojpeg_region_input_decodes_as_before(monkeypatch):
    from lite_tracker_ros.core import region_decode
    monkeypatch.setattr(region_decode, '_library', lambda name: None)
    decoder = CompressedInput(margin=2.0, region_decode=True)
    assert decoder.region_decoder is None
    msg = _textured_jpeg(1920, 1080)
    whole = cv2.imdecode(np.frombuffer(msg.data, np.uint8), cv2.IMREAD_COLOR)
    decoder.to_frame(msg, None)
    frame = decoder.to_frame(msg, 1.0, region=(900.0, 500.0, 1157.0, 757.0))
    assert frame.origin == (0, 0) and frame.whole is None
    assert np.array_equal(frame.pixels, whole)
    assert decoder.to_frame(msg, 9.0, region=(900.0, 500.0, 1157.0, 757.0)).scale == 4
    assert decoder.region_frames == 0
