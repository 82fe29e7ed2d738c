# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""The debug image is drawn for any result, including boxes a broken backend could produce."""

import numpy as np
import pytest

from lite_tracker_ros.core.types import BoxXYWH, ChannelOrder, Frame, TrackResult, TrackState
from lite_tracker_ros.ros.debug_overlay import draw_result


@pytest.mark.parametrize('box', [
    BoxXYWH(float('nan'), 10.0, 20.0, 20.0),
    BoxXYWH(10.0, 10.0, float('inf'), 20.0),
    BoxXYWH(-1e300, -1e300, 1e300, 1e300),
])
def test_unusable_boxes_are_drawn_without_failing(box):
    frame = Frame(np.zeros((48, 64, 3), np.uint8), ChannelOrder.BGR)
    result = TrackResult(box, float('nan'), TrackState.TRACKING, 1)
    pixels, order = draw_result(frame, result)
    assert pixels.shape == (48, 64, 3) and order is ChannelOrder.BGR
    assert pixels.any()  # the state label (and the box, where it exists) were drawn
    assert not frame.pixels.any()  # the frame itself is untouched


def test_a_box_is_drawn_where_it_is_and_mono_becomes_rgb():
    frame = Frame(np.zeros((48, 64), np.uint8), ChannelOrder.MONO)
    result = TrackResult(BoxXYWH(30.0, 20.0, 10.0, 10.0), 0.9, TrackState.TRACKING, 1)
    pixels, order = draw_result(frame, result)
    assert order is ChannelOrder.RGB and pixels.shape == (48, 64, 3)
    assert pixels[25, 30, 1] == 255 and pixels[25, 35, 1] == 0  # left edge green, inside not


def test_a_region_frame_is_drawn_on_the_whole_image():
    whole = np.full((120, 160, 3), 40, np.uint8)
    calls = []

    def decode_whole():
        calls.append(1)
        return Frame(whole, ChannelOrder.BGR)

    region = Frame(whole[32:96, 48:112].copy(), ChannelOrder.BGR, full_size=(160, 120),
                   origin=(48, 32), whole=decode_whole)
    result = TrackResult(BoxXYWH(60.0, 40.0, 20.0, 20.0), 0.9, TrackState.TRACKING, 1)
    pixels, order = draw_result(region, result)
    assert pixels.shape == (120, 160, 3) and order is ChannelOrder.BGR and calls == [1]
    assert (pixels[40, 60:81] != 40).any()  # the box's top edge, in full-image coordinates
    assert (whole == 40).all()  # drawn on a copy
