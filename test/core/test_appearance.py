# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""The colour description the long-term mode weighs search candidates with (no model)."""

import numpy as np

from lite_tracker_ros.core.appearance import describe, similarity
from lite_tracker_ros.core.types import BoxXYWH, ChannelOrder, Frame


def _person(frame, x, y, top, bottom):
    """Paint a 20x40 figure: ``top`` colour over ``bottom`` colour (BGR)."""
    frame[y:y + 20, x:x + 20] = top
    frame[y + 20:y + 40, x:x + 20] = bottom


RED, BLUE, GREEN = (0, 0, 200), (200, 0, 0), (0, 180, 0)


def _scene():
    pixels = np.full((120, 200, 3), 90, np.uint8)
    _person(pixels, 10, 10, RED, BLUE)      # the target
    _person(pixels, 60, 10, RED, BLUE)      # an identical twin
    _person(pixels, 110, 10, BLUE, RED)     # the same colours, other way up
    _person(pixels, 160, 10, GREEN, GREEN)  # another colour
    return Frame(pixels, ChannelOrder.BGR)


def test_same_colours_match_and_other_colours_do_not():
    frame = _scene()
    target = describe(frame, BoxXYWH(10, 10, 20, 40))
    assert similarity(target, describe(frame, BoxXYWH(60, 10, 20, 40))) > 0.99
    assert similarity(target, describe(frame, BoxXYWH(160, 10, 20, 40))) < 0.1
    # shirt and trousers are described apart: swapping them is another figure
    assert similarity(target, describe(frame, BoxXYWH(110, 10, 20, 40))) < 0.1
    # the grey background is not the target either
    assert similarity(target, describe(frame, BoxXYWH(20, 70, 20, 40))) < 0.1


def test_channel_order_is_respected():
    frame = _scene()
    as_rgb = Frame(frame.pixels, ChannelOrder.RGB)  # red read as blue and blue as red
    target = describe(frame, BoxXYWH(10, 10, 20, 40))
    swapped = describe(as_rgb, BoxXYWH(10, 10, 20, 40))
    assert similarity(target, swapped) < 0.1
    assert similarity(swapped, describe(as_rgb, BoxXYWH(60, 10, 20, 40))) > 0.99


def test_mono_frames_and_boxes_outside_the_frame():
    pixels = np.full((100, 100), 30, np.uint8)
    pixels[10:50, 10:30] = 220
    frame = Frame(pixels, ChannelOrder.MONO)
    bright = describe(frame, BoxXYWH(10, 10, 20, 40))
    assert similarity(bright, describe(frame, BoxXYWH(60, 50, 20, 40))) < 0.1
    assert describe(frame, BoxXYWH(300, 300, 20, 20)) is None
    assert similarity(None, bright) == 0.0


def test_a_frame_decoded_at_reduced_scale_is_read_through_its_scale():
    frame = _scene()
    half = Frame(np.ascontiguousarray(frame.pixels[::2, ::2]), ChannelOrder.BGR, scale=2,
                 full_size=(200, 120))
    full = describe(frame, BoxXYWH(10, 10, 20, 40))
    assert similarity(full, describe(half, BoxXYWH(10, 10, 20, 40))) > 0.95
    assert similarity(full, describe(half, BoxXYWH(160, 10, 20, 40))) < 0.1
