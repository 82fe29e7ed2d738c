# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""Latency statistics and the path-timing loop, with a scripted clock and a fake tracker."""

import numpy as np
import pytest

from lite_tracker_ros.core.types import BoxXYWH, ChannelOrder, Frame, TrackResult, TrackState
from lite_tracker_ros.evaluation.latency import BackendProbe, LatencyStats, measure_paths


def test_stats_hand_case():
    stats = LatencyStats.of([0.010, 0.020, 0.030, 0.040, 0.100])
    assert stats.n == 5
    assert stats.mean_s == pytest.approx(0.040)
    assert stats.p50_s == pytest.approx(0.030)
    # linear interpolation between the 4th (0.040) and 5th (0.100) of 5 sorted values at 0.95
    assert stats.p95_s == pytest.approx(0.040 + 0.8 * 0.060)
    assert LatencyStats.of([]).n == 0


class Backend:
    def __init__(self):
        self.templates = 0

    def set_template(self, inputs):
        self.templates += 1

    def search(self, inputs):
        return {'score': np.ones(1, np.float32)}


class FakeTracker:
    """Logs calls; its backend sees the frame's marker value as input."""

    def __init__(self, clock):
        self.clock, self.log, self.backend = clock, [], Backend()

    def init(self, frame, box):
        self.log.append(('init', int(frame.pixels[0, 0, 0])))
        self.clock.now += 0.010
        self.backend.set_template({'template': frame.pixels[:1, :1].astype(np.float32)})

    def update(self, frame):
        self.log.append(('update', int(frame.pixels[0, 0, 0])))
        self.backend.search({'search': frame.pixels[:1, :1].astype(np.float32)})
        self.clock.now += 0.004
        return TrackResult(BoxXYWH(0, 0, 1, 1), 1.0, TrackState.TRACKING, 1,
                           {'preprocess': 0.001, 'inference': 0.003})


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def frames(count):
    return [Frame(np.full((4, 4, 3), i, np.uint8), ChannelOrder.BGR) for i in range(count)]


def test_paths_are_timed_with_re_init_when_the_frames_run_out():
    clock = Clock()
    tracker = FakeTracker(clock)
    probe = BackendProbe.attach(tracker)
    timings = measure_paths(tracker, frames(3), BoxXYWH(0, 0, 2, 2), iters=5, template_iters=2,
                            warmup=1, probe=probe, clock=clock)
    assert tracker.log == [('init', 0), ('update', 1),                 # warm-up
                           ('init', 0), ('init', 0),                   # timed template path
                           ('init', 0), ('update', 1), ('update', 2),  # timed search path
                           ('init', 0), ('update', 1), ('update', 2),
                           ('init', 0), ('update', 1)]
    assert timings.template.n == 2 and timings.template.mean_s == pytest.approx(0.010)
    assert timings.search.n == 5 and timings.search.p95_s == pytest.approx(0.004)
    assert timings.fps == pytest.approx(250.0)
    assert timings.stages['inference'].mean_s == pytest.approx(0.003)
    assert timings.template_inference.n == 2   # warm-up inits are not counted
    assert probe.search_inputs['search'][0, 0, 0] == 1
    assert probe.template_inputs['template'][0, 0, 0] == 0


def test_one_frame_is_tracked_against_itself_and_no_backend_means_no_probe():
    clock = Clock()
    tracker = FakeTracker(clock)
    tracker.backend = None
    assert BackendProbe.attach(tracker) is None
    tracker.backend = Backend()
    timings = measure_paths(tracker, frames(1), BoxXYWH(0, 0, 2, 2), iters=3, template_iters=1,
                            warmup=0, clock=clock)
    assert [entry for entry in tracker.log if entry[0] == 'update'] == [('update', 0)] * 3
    assert timings.template_inference is None and timings.search.n == 3
