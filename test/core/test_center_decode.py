# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Centre-head decoding: Hann window, peak, offset and size, and the scale back to pixels.

Expected values are computed by hand or independently in float64, and checked bit-exactly
against the conformance pack where it records them.
"""

import math

import numpy as np
import pytest

from lite_tracker_ros.core.center_decode import (box_to_crop_pixels, cal_bbox, decode_center,
                                                 hann_window)

FEAT = 16


def test_hann_window_formula_in_float64():
    k = np.arange(1, FEAT + 1)
    h = 0.5 * (1 - np.cos(2 * math.pi / (FEAT + 1) * k))
    np.testing.assert_allclose(hann_window(FEAT), np.outer(h, h), rtol=0, atol=2e-7)
    window = hann_window(FEAT)
    assert window.dtype == np.float32 and window.shape == (FEAT, FEAT)
    assert (window > 0).all()  # no zero row: k runs 1..16 of a 17-step period
    np.testing.assert_array_equal(window, window.T)


def _maps(iy, ix, off=(0.25, -0.5), size=(0.3, 0.2), peak=0.9):
    score = np.full((1, 1, FEAT, FEAT), 0.1, np.float32)
    score[0, 0, iy, ix] = peak
    sizes = np.zeros((1, 2, FEAT, FEAT), np.float32)
    sizes[0, :, iy, ix] = size
    offsets = np.zeros((1, 2, FEAT, FEAT), np.float32)
    offsets[0, :, iy, ix] = off
    return score, sizes, offsets


def test_peak_box_by_hand():
    score, sizes, offsets = _maps(iy=3, ix=5)
    box, index = cal_bbox(score[0, 0], sizes[0], offsets[0])
    assert index == 3 * FEAT + 5
    np.testing.assert_array_equal(box, np.float32([(5 + 0.25) / 16, (3 - 0.5) / 16, 0.3, 0.2]))


def test_window_moves_the_peak_to_the_centre():
    # equal raw scores at a corner cell and a central cell: the window prefers the centre
    score = np.full((1, 1, FEAT, FEAT), 0.1, np.float32)
    score[0, 0, 0, 0] = score[0, 0, 8, 7] = 0.8
    zeros = np.zeros((1, 2, FEAT, FEAT), np.float32)
    peak = decode_center(score, zeros, zeros, hann_window(FEAT))
    assert peak.index == 8 * FEAT + 7
    assert peak.score == pytest.approx(0.8 * hann_window(FEAT)[8, 7], rel=1e-7)


def test_ties_take_the_first_cell_in_row_major_order():
    score = np.zeros((FEAT, FEAT), np.float32)
    score[4, 9] = score[4, 2] = score[10, 0] = 1.0
    zeros = np.zeros((2, FEAT, FEAT), np.float32)
    assert cal_bbox(score, zeros, zeros)[1] == 4 * FEAT + 2


def test_box_to_crop_pixels_in_float32():
    box = np.float32([0.5, 0.25, 0.125, 0.3])
    rf = 256 / 315
    expected = (box * np.float32(256)) / np.float32(rf)
    assert box_to_crop_pixels(box, 256, rf) == [float(v) for v in expected]
    # and it is the exact product to float32 precision
    assert box_to_crop_pixels(box, 256, rf)[3] == pytest.approx(0.3 * 315, rel=1e-6)


@pytest.mark.parametrize('model', ['litetrack_b4', 'litetrack_b9'])
def test_conformance_hann_and_decoding_exact(conformance_dir, model):
    pack = np.load(conformance_dir / f'{model}.npz')
    window = hann_window(FEAT)
    np.testing.assert_array_equal(window, pack['hann'][0, 0])
    peak = decode_center(pack['score_map'], pack['size_map'], pack['offset_map'], window)
    np.testing.assert_array_equal(window * pack['score_map'][0, 0], pack['response'][0, 0])
    np.testing.assert_array_equal(peak.box_cxcywh, pack['box_cxcywh_norm'][0])
    assert peak.index == int(np.argmax(pack['response']))
    assert peak.score == float(pack['response'].max())
    # the un-windowed decode is the model's own pred_boxes
    nohann = decode_center(pack['score_map'], pack['size_map'], pack['offset_map'],
                           np.ones((FEAT, FEAT), np.float32))
    np.testing.assert_array_equal(nohann.box_cxcywh, pack['pred_boxes_nohann'][0, 0])
