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


def test_watchdog_frames_arriving_but_none_taken_is_an_error():
    health, clock = make()
    health.processing_timeout_s = 3.0
    health.frame_received()
    health.frame_taken()
    clock.now += 10.0
    health.frame_received()  # the worker never takes this one (stuck, or gone)
    clock.now += 2.9
    health.frame_received()
    assert health.report().level is Level.OK
    clock.now += 0.2
    report = health.report()
    assert report.level is Level.ERROR
    assert report.message == ('no frame processed for 3 s while frames arrive '
                              '(processing_timeout_s)')
    health.frame_taken()
    assert health.report().level is Level.OK


def test_watchdog_ignores_paused_input_and_can_be_switched_off():
    health, clock = make()
    health.processing_timeout_s = 1.0
    health.frame_received(for_worker=False)  # processing disabled: nothing waits
    clock.now += 5.0
    assert health.report().level is Level.OK
    health.processing_timeout_s = 0.0
    health.frame_received()
    clock.now += 100.0
    assert health.report().message != 'no frame processed'
    assert health.report().level is not Level.ERROR


def test_a_stopped_worker_is_an_error_that_says_why():
    health, _ = make()
    health.frame_received()
    health.worker_stopped('SystemExit: 3')
    report = health.report()
    assert report.level is Level.ERROR and report.message.endswith('SystemExit: 3')


def test_per_frame_failures_and_events_are_counted_by_name_and_texts_bounded():
    health, _ = make()
    health.frame_error('debug_image', 'ValueError: cannot convert float NaN to integer')
    health.frame_error('debug_image', 'again')
    health.event('inits_coalesced', 7)
    health.bad_input('image_invalid', 'x' * (1 << 20))
    values = health.report().values
    assert values['frame_errors.debug_image'] == '2'
    assert values['inits_coalesced'] == '7'
    assert len(values['last_error']) < 300


def test_input_and_output_rates_are_exact_on_a_regular_stream():
    health, clock = make()
    for _ in range(21):  # 21 frames 0.1 s apart: 20 intervals in 2 s, 10 Hz
        health.frame_received()
        health.frame_processed('tracking', {'end_to_end': 0.01, 'receive_delay': 0.004})
        clock.now += 0.1
    clock.now -= 0.1
    values = health.report().values
    assert values['input_rate_hz'] == values['output_rate_hz'] == '10.00'
    assert values['latency_ms.receive_delay.p50'] == '4.000'


def test_lag_warning_fires_above_lag_warn_s_and_follows_its_changes():
    health, clock = make()
    health.frame_received()
    for _ in range(20):
        health.frame_processed('tracking', {'end_to_end': 0.3})
    report = health.report()
    assert report.level is Level.WARN
    assert report.message == 'lagging: end-to-end p95 300 ms > 250 ms'
    health.lag_warn_s = 0.5
    assert health.report().level is Level.OK


def test_an_idle_node_says_what_it_waits_for_at_level_ok():
    health, clock = make()
    health.idle_hint = 'waiting for an init box on /tracker_node/init'
    health.frame_received()
    report = health.report()
    assert report.level is Level.OK
    assert report.message == 'idle: waiting for an init box on /tracker_node/init'
    health.set_state('tracking')
    assert health.report().message == 'tracking'
