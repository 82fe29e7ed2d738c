# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""The Siamese square crop against OpenCV's pad-then-slice, and what it reads."""

import cv2
from hypothesis import given, settings, strategies as st
import numpy as np
import pytest

from lite_tracker_ros.core.siamese_crop import crop_square, SquareWindow

PAD = (10.0, 120.0, 250.0)


def _frame(height=48, width=64, channels=3, seed=0):
    rng = np.random.default_rng(seed)
    shape = (height, width) if channels == 1 else (height, width, channels)
    return rng.integers(0, 256, shape, dtype=np.uint8)


def _reference(pixels, window, out_size, pad):
    # Pad the whole frame the way cv2.TrackerNano does, then slice and resize.
    margin = window.side + max(pixels.shape[:2])
    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    big = cv2.copyMakeBorder(pixels, margin, margin, margin, margin, cv2.BORDER_CONSTANT,
                             value=tuple(pad[:channels]) + (0,) * (4 - channels))
    y0, x0 = window.y0 + margin, window.x0 + margin
    patch = big[y0:y0 + window.side, x0:x0 + window.side]
    return cv2.resize(patch, (out_size, out_size), interpolation=cv2.INTER_LINEAR)


@pytest.mark.parametrize('window', [
    SquareWindow(10, 5, 30),      # inside
    SquareWindow(-7, 3, 20),      # left edge
    SquareWindow(50, -9, 25),     # right and top edges
    SquareWindow(40, 30, 31),     # bottom-right corner
    SquareWindow(-20, -30, 120),  # larger than the frame
    SquareWindow(100, 100, 17),   # entirely outside
])
@pytest.mark.parametrize('channels', [1, 3])
def test_matches_pad_then_slice(window, channels):
    pixels = _frame(channels=channels)
    out = crop_square(pixels, window, 127, PAD[:channels])
    np.testing.assert_array_equal(out, _reference(pixels, window, 127, PAD))


def test_same_size_is_a_copy_of_the_window():
    pixels = _frame()
    out = crop_square(pixels, SquareWindow(3, 4, 16), 16)
    np.testing.assert_array_equal(out, pixels[4:20, 3:19])
    assert out.flags.c_contiguous and not np.shares_memory(out, pixels)


def test_default_pad_is_mean_of_visible_part():
    pixels = _frame()
    window = SquareWindow(-10, -6, 30)
    visible = pixels[0:24, 0:20].reshape(-1, 3).astype(np.float64)
    expected_pad = np.rint(visible.mean(axis=0))
    out = crop_square(pixels, window, 30)
    np.testing.assert_array_equal(out[:6, :, :], np.broadcast_to(expected_pad, (6, 30, 3)))
    np.testing.assert_array_equal(out[6:, 10:], pixels[0:24, 0:20])


@pytest.mark.parametrize('window', [SquareWindow(10, 5, 30), SquareWindow(-8, 20, 36)])
def test_pixels_outside_the_window_are_not_read(window):
    pixels = _frame()
    before = crop_square(pixels, window, 127)
    changed = pixels.copy()
    inside = np.zeros(pixels.shape[:2], dtype=bool)
    x0, y0, x1, y1 = window.visible(*pixels.shape[:2])
    inside[y0:y1, x0:x1] = True
    changed[~inside] = 255 - changed[~inside]
    np.testing.assert_array_equal(crop_square(changed, window, 127), before)


def test_strided_frame_view_gives_same_crop():
    buffer = _frame(48, 80)
    view = buffer[:, 8:72]  # row stride wider than the image, as in a padded message buffer
    window = SquareWindow(-5, 10, 40)
    np.testing.assert_array_equal(crop_square(view, window, 64, PAD),
                                  crop_square(np.ascontiguousarray(view), window, 64, PAD))


@settings(max_examples=200, deadline=None)
@given(cx=st.floats(-500, 500), cy=st.floats(-500, 500), side=st.integers(1, 400))
def test_window_around_is_centred_within_half_a_pixel(cx, cy, side):
    window = SquareWindow.around(cx, cy, side)
    assert window.side == side
    # 1e-9: the check's own float rounding (hypothesis found 0.5000000000000002)
    assert abs(window.x0 + 0.5 * side - cx) <= 0.5 + 1e-9
    assert abs(window.y0 + 0.5 * side - cy) <= 0.5 + 1e-9


def test_visible_and_inside():
    window = SquareWindow(-3, 2, 10)
    assert window.visible(8, 20) == (0, 2, 7, 8)
    assert not window.inside(8, 20)
    assert SquareWindow(0, 0, 8).inside(8, 8)
    x0, y0, x1, y1 = SquareWindow(30, 30, 5).visible(8, 8)
    assert x1 == x0 and y1 == y0
