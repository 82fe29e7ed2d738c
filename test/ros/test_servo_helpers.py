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
