# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""NodeHealth's levels, driven by a hand-set clock: silent input, lost target, failure."""

import pytest

from lite_tracker_ros.ros.health import Level, NodeHealth


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def make(timeout_s=5.0):
    clock = Clock()
    return NodeHealth({'image_topic': '/cam'}, image_timeout_s=timeout_s, clock=clock), clock


def test_no_image_since_start_warns_after_the_timeout():
    health, clock = make()
    clock.now += 4.9
    assert health.report().level is Level.OK and health.seconds_without_image() is None
    clock.now += 0.2
    health.image_hint = 'no publisher on /cam'
    report = health.report()
    assert report.level is Level.WARN and report.message == 'no image for 5 s'
    assert report.values['image_hint'] == 'no publisher on /cam'
    assert report.values['seconds_since_last_image'] == 'never'
    assert health.seconds_without_image() == pytest.approx(5.1)


def test_an_image_clears_the_warning_until_the_input_stops_again():
    health, clock = make()
    clock.now += 6.0
    health.frame_received()
    report = health.report()
    assert report.level is Level.OK and 'image_hint' not in report.values
    assert report.values['seconds_since_last_image'] == '0.0'
    clock.now += 7.5
    report = health.report()
    assert report.level is Level.WARN and report.message == 'no image for 8 s'
    assert report.values['seconds_since_last_image'] == '7.5'


def test_zero_timeout_never_warns_and_the_timeout_changes_at_run_time():
    health, clock = make(timeout_s=0.0)
    clock.now += 3600.0
    assert health.report().level is Level.OK
    health.image_timeout_s = 10.0
    assert health.report().level is Level.WARN


def test_backend_failure_outranks_a_silent_input_which_outranks_a_lost_target():
    health, clock = make()
    health.frame_received()
    health.frame_processed('lost', {'end_to_end': 0.01})
    assert health.report().message == 'target lost'
    clock.now += 6.0
    assert health.report().message == 'no image for 6 s'
    health.backend_error('CUDA out of memory')
    report = health.report()
    assert report.level is Level.ERROR and report.values['last_error'].endswith('memory')


def test_an_idle_node_says_what_it_waits_for_at_level_ok():
    health, clock = make()
    health.idle_hint = 'waiting for an init box on /tracker_node/init'
    health.frame_received()
    report = health.report()
    assert report.level is Level.OK
    assert report.message == 'idle: waiting for an init box on /tracker_node/init'
    health.set_state('tracking')
    assert health.report().message == 'tracking'
