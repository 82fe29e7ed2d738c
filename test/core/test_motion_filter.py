# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""Constant-velocity box filter: no lag on a ramp, less jitter on noise, prediction, restarts."""

import numpy as np
import pytest

from lite_tracker_ros.core.motion_filter import BoxMotionFilter
from lite_tracker_ros.core.types import BoxXYWH


def _truth(t):
    # centre moves at (120, -45) px/s, the box grows 10 px/s wide
    return BoxXYWH.from_center(300 + 120 * t, 200 - 45 * t, 80 + 10 * t, 60.0)


def test_constant_velocity_is_followed_without_lag_and_predicted():
    motion = BoxMotionFilter(process_noise=500.0, measurement_noise=2.0)
    times = np.arange(60) / 30.0
    for t in times:
        filtered = motion.update(_truth(t), t)
    assert filtered.as_tuple() == pytest.approx(_truth(times[-1]).as_tuple(), abs=1e-6)
    assert motion.velocity == pytest.approx((120.0, -45.0, 10.0, 0.0), abs=1e-5)
    ahead = times[-1] + 0.08
    assert motion.predict(ahead).as_tuple() == pytest.approx(_truth(ahead).as_tuple(), abs=1e-5)
    assert motion.time == times[-1]  # predicting changes nothing


def test_jitter_is_smoothed():
    rng = np.random.default_rng(3)
    motion = BoxMotionFilter(process_noise=50.0, measurement_noise=3.0)
    raw_errors, filtered_errors, along = [], [], []
    for t in np.arange(300) / 30.0:
        truth = _truth(t)
        noise = rng.normal(0.0, 3.0, 4)
        measured = BoxXYWH(truth.x + noise[0], truth.y + noise[1], truth.w + noise[2],
                           truth.h + noise[3])
        filtered = motion.update(measured, t)
        if t > 1.0:  # after convergence
            raw_errors.append(np.hypot(measured.cx - truth.cx, measured.cy - truth.cy))
            filtered_errors.append(np.hypot(filtered.cx - truth.cx, filtered.cy - truth.cy))
            along.append(filtered.cx - truth.cx)  # x is the fast axis: lag would show here
    assert np.sqrt(np.mean(np.square(filtered_errors))) < 0.6 * np.sqrt(
        np.mean(np.square(raw_errors)))
    # and it does not trail: the mean signed error along the motion stays near zero (a lag of
    # one frame would be -4 px)
    assert abs(np.mean(along)) < 0.3


@pytest.mark.parametrize('second_time', [5.0, -0.1])  # a long gap, a time going backwards
def test_gaps_and_time_going_back_restart_from_the_new_box(second_time):
    motion = BoxMotionFilter(max_gap_s=1.0)
    motion.update(_truth(0.0), 0.0)
    motion.update(_truth(0.033), 0.033)
    assert motion.velocity[0] != 0.0
    box = motion.update(_truth(2.0), second_time)
    assert box.as_tuple() == pytest.approx(_truth(2.0).as_tuple())
    assert motion.velocity == (0.0, 0.0, 0.0, 0.0)


def test_bad_values_are_refused():
    with pytest.raises(ValueError, match='positive'):
        BoxMotionFilter(process_noise=0.0)
    motion = BoxMotionFilter()
    with pytest.raises(RuntimeError, match='before any update'):
        motion.predict(1.0)
    with pytest.raises(ValueError, match='finite'):
        motion.update(BoxXYWH(float('nan'), 0.0, 1.0, 1.0), 0.0)
