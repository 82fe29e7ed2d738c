# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Tracking metrics against hand-computed cases and an independent per-frame computation.

The independent reference counts covered pixels of integer boxes on a grid (IoU) and loops over
frames one at a time with plain Python floats (success, precision, normalised precision).
"""

import math

from hypothesis import given, settings, strategies as st
import numpy as np
import pytest

from lite_tracker_ros.evaluation import metrics

# ---------------------------------------------------------------- independent reference


def raster_iou(a, b):
    """Return the IoU of integer boxes by counting the grid cells each covers ([x, x + w))."""
    xs = [int(v) for v in (a[0], a[0] + a[2], b[0], b[0] + b[2])]
    ys = [int(v) for v in (a[1], a[1] + a[3], b[1], b[1] + b[3])]
    ox, oy = min(xs), min(ys)
    grid_a = np.zeros((max(ys) - oy, max(xs) - ox), bool)
    grid_b = np.zeros_like(grid_a)
    grid_a[int(a[1]) - oy:int(a[1] + a[3]) - oy, int(a[0]) - ox:int(a[0] + a[2]) - ox] = True
    grid_b[int(b[1]) - oy:int(b[1] + b[3]) - oy, int(b[0]) - ox:int(b[0] + b[2]) - ox] = True
    union = (grid_a | grid_b).sum()
    return (grid_a & grid_b).sum() / union


def scalar_iou(a, b):
    """Return the IoU of two boxes by interval overlap, one pair at a time."""
    if any(math.isnan(v) for v in a):
        return 0.0
    overlap_x = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    overlap_y = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = overlap_x * overlap_y
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def reference_scores(pred, gt, init_index):
    """Success AUC, precision @20 px and normalised precision @0.2 with one loop per frame."""
    ious, errors, norm_errors = [], [], []
    for i in range(init_index + 1, len(gt)):
        g, p = [float(v) for v in gt[i]], [float(v) for v in pred[i]]
        if any(math.isnan(v) for v in g) or g[2] <= 0 or g[3] <= 0:
            continue
        ious.append(scalar_iou(p, g))
        dx = (p[0] + p[2] / 2) - (g[0] + g[2] / 2)
        dy = (p[1] + p[3] / 2) - (g[1] + g[3] / 2)
        missing = any(math.isnan(v) for v in p)
        errors.append(math.inf if missing else math.hypot(dx, dy))
        norm_errors.append(math.inf if missing else math.hypot(dx / g[2], dy / g[3]))
    if not ious:
        return None
    successes = []
    for k in range(21):
        threshold = k / 20
        successes.append(sum(1 for v in ious if v > threshold) / len(ious))
    auc = sum(successes) / 21
    precision = sum(1 for e in errors if e <= 20) / len(errors)
    norm_precision = sum(1 for e in norm_errors if e <= 0.2) / len(norm_errors)
    return auc, precision, norm_precision, len(ious)


# ---------------------------------------------------------------- hand-computed cases


@pytest.mark.parametrize('pred, gt, expected', [
    ((0, 0, 10, 10), (0, 0, 10, 10), 1.0),
    ((5, 0, 10, 10), (0, 0, 10, 10), 50 / 150),
    ((2, 2, 4, 4), (0, 0, 10, 10), 16 / 100),
    ((10, 0, 10, 10), (0, 0, 10, 10), 0.0),    # touching edges share no area
    ((30, 30, 5, 5), (0, 0, 10, 10), 0.0),
    ((0, 0, 0, 0), (0, 0, 10, 10), 0.0),       # empty prediction
    ((math.nan,) * 4, (0, 0, 10, 10), 0.0),    # missing prediction
])
def test_iou_hand_cases(pred, gt, expected):
    assert metrics.iou([pred], [gt])[0] == pytest.approx(expected, abs=1e-12)


def test_absent_ground_truth_gives_nan_iou_and_error():
    gt = [(math.nan,) * 4, (0, 0, 0, 5), (0, 0, 10, 10)]
    pred = [(0, 0, 10, 10)] * 3
    assert np.isnan(metrics.iou(pred, gt)[:2]).all()
    assert np.isnan(metrics.center_error(pred, gt)[:2]).all()
    assert metrics.iou(pred, gt)[2] == 1.0
    assert metrics.present(gt).tolist() == [False, False, True]


def test_center_errors_hand_case():
    # centres (5, 10) and (8, 14): 3-4-5 triangle; gt 10 x 20 -> (0.3, 0.2) normalised
    pred, gt = [(3, 4, 10, 20)], [(0, 0, 10, 20)]
    assert metrics.center_error(pred, gt)[0] == pytest.approx(5.0)
    assert metrics.normalized_center_error(pred, gt)[0] == pytest.approx(math.sqrt(0.13))
    assert metrics.center_error([(math.nan,) * 4], gt)[0] == math.inf


def test_success_curve_and_auc_hand_case():
    # IoUs 0, 0.5, 1: above t=0 two; above 0.05..0.45 (9 thresholds) two; above 0.5..0.95
    # (10 thresholds) one; above 1 none -> AUC = (2 + 18 + 10) / 3 / 21
    curve = metrics.success_curve([0.0, 0.5, 1.0])
    assert curve[0] == pytest.approx(2 / 3)
    assert curve[10] == pytest.approx(1 / 3)   # IoU 0.5 is not > 0.5
    assert curve[20] == 0.0
    assert curve.mean() == pytest.approx(10 / 21)


def test_precision_counts_errors_equal_to_the_threshold():
    curve = metrics.precision_curve([20.0, 20.5, 0.0, math.inf])
    assert curve[20] == pytest.approx(2 / 4)
    assert curve[0] == pytest.approx(1 / 4)
    assert curve[50] == pytest.approx(3 / 4)


def test_score_sequence_hand_case():
    gt = np.array([[0, 0, 10, 10], [0, 0, 10, 10], [np.nan] * 4, [100, 100, 20, 20],
                   [0, 0, 10, 10]], float)
    pred = np.array([[0, 0, 10, 10], [5, 0, 10, 10], [0, 0, 1, 1], [100, 100, 20, 20],
                     [50, 50, 10, 10]], float)
    scores = metrics.score_sequence(pred, gt, init_index=0)
    # scored frames 1, 3, 4 with IoU 1/3, 1, 0 and centre errors 5, 0, 70.7
    assert scores.frames_scored == 3 and scores.frames_absent == 1
    # IoU 1/3 is above the 7 thresholds 0..0.30, IoU 1 above the 20 thresholds 0..0.95
    assert scores.auc == pytest.approx((7 + 20 + 0) / 3 / 21)
    assert scores.precision_20 == pytest.approx(2 / 3)
    assert scores.norm_precision_20 == pytest.approx(1 / 3)   # 0.5, 0, 7.07


def test_frames_up_to_the_init_frame_are_not_scored():
    gt = np.array([[np.nan] * 4, [0, 0, 10, 10], [0, 0, 10, 10]], float)
    pred = np.array([[np.nan] * 4, [0, 0, 10, 10], [20, 20, 10, 10]], float)
    scores = metrics.score_sequence(pred, gt, init_index=1)
    assert scores.frames_scored == 1 and scores.frames_absent == 0
    assert scores.auc == 0.0


def test_sequence_without_scored_frames_is_nan_and_left_out_of_the_mean():
    gt = np.array([[0, 0, 10, 10], [np.nan] * 4], float)
    empty = metrics.score_sequence(gt, gt, 0)
    assert empty.frames_scored == 0 and math.isnan(empty.auc)
    full = metrics.score_sequence(np.array([[0, 0, 10, 10]] * 2, float),
                                  np.array([[0, 0, 10, 10]] * 2, float), 0)
    mean = metrics.average_scores([empty, full])
    assert mean.auc == pytest.approx(20 / 21)
    assert mean.frames_scored == 1 and mean.frames_absent == 1


def test_mean_over_sequences_averages_per_sequence_not_per_frame():
    one = metrics.score_sequence(np.array([[0, 0, 10, 10]] * 2, float),
                                 np.array([[0, 0, 10, 10]] * 2, float), 0)
    gt = np.array([[0, 0, 10, 10]] * 4, float)
    pred = gt.copy()
    pred[1:] = [100, 100, 10, 10]
    three = metrics.score_sequence(pred, gt, 0)
    mean = metrics.average_scores([one, three])
    assert mean.auc == pytest.approx((one.auc + three.auc) / 2)
    assert mean.auc != pytest.approx((1 * one.auc + 3 * three.auc) / 4)


def test_shape_errors_say_what_is_expected():
    with pytest.raises(ValueError, match='x, y, w, h'):
        metrics.iou([(0, 0, 1)], [(0, 0, 1)])
    with pytest.raises(ValueError, match='predicted boxes'):
        metrics.score_sequence(np.zeros((2, 4)), np.zeros((3, 4)))


# ---------------------------------------------------------------- properties


int_box = st.tuples(st.integers(-20, 20), st.integers(-20, 20), st.integers(1, 25),
                    st.integers(1, 25))
float_box = st.tuples(st.floats(-500, 500), st.floats(-500, 500), st.floats(0.5, 300),
                      st.floats(0.5, 300))


@settings(max_examples=150, deadline=None)
@given(int_box, int_box)
def test_iou_matches_pixel_counting(a, b):
    assert metrics.iou([a], [b])[0] == pytest.approx(raster_iou(a, b), abs=1e-12)


@settings(max_examples=150, deadline=None)
@given(float_box, float_box, st.floats(0.1, 10), st.floats(-100, 100))
def test_iou_is_symmetric_bounded_and_similarity_invariant(a, b, scale, shift):
    value = metrics.iou([a], [b])[0]
    assert 0.0 <= value <= 1.0 + 1e-12
    assert metrics.iou([b], [a])[0] == pytest.approx(value, abs=1e-9)

    def similar(box):
        return (box[0] * scale + shift, box[1] * scale + shift, box[2] * scale, box[3] * scale)
    assert metrics.iou([similar(a)], [similar(b)])[0] == pytest.approx(value, abs=1e-6)
    assert metrics.iou([a], [a])[0] == pytest.approx(1.0)


boxes_with_gaps = st.lists(
    st.one_of(float_box, st.just((math.nan,) * 4)), min_size=2, max_size=30)


@settings(max_examples=100, deadline=None)
@given(boxes_with_gaps, boxes_with_gaps, st.integers(0, 3))
def test_scores_match_a_per_frame_loop(gt_rows, pred_rows, init_index):
    n = min(len(gt_rows), len(pred_rows))
    gt, pred = np.array(gt_rows[:n], float), np.array(pred_rows[:n], float)
    scores = metrics.score_sequence(pred, gt, init_index)
    reference = reference_scores(pred, gt, init_index)
    if reference is None:
        assert scores.frames_scored == 0 and math.isnan(scores.auc)
        return
    auc, precision, norm_precision, count = reference
    assert scores.frames_scored == count
    assert scores.auc == pytest.approx(auc, abs=1e-12)
    assert scores.precision_20 == pytest.approx(precision, abs=1e-12)
    assert scores.norm_precision_20 == pytest.approx(norm_precision, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=50),
       st.lists(st.floats(0, 1e3), min_size=1, max_size=50))
def test_curves_are_monotone_and_auc_is_the_mean_count_of_thresholds_passed(ious, errors):
    success = metrics.success_curve(ious)
    assert np.all(np.diff(success) <= 0) and success[-1] == 0.0
    precision = metrics.precision_curve(errors)
    assert np.all(np.diff(precision) >= 0)
    # each frame contributes (number of thresholds strictly below its IoU) / 21
    thresholds = metrics.SUCCESS_THRESHOLDS
    per_frame = [np.sum(thresholds < v) / 21 for v in ious]
    assert success.mean() == pytest.approx(np.mean(per_frame), abs=1e-12)
