# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""The sequence runner: where it initialises, what it records, and how it resumes."""

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from lite_tracker_ros.core.types import BoxXYWH, ChannelOrder, TrackResult, TrackState
from lite_tracker_ros.evaluation.runner import (load_finished, result_path, run_sequences,
                                                RunKey, source_fingerprint, track_sequence)
from lite_tracker_ros.evaluation.sequences import discover_sequences, SequenceError


class StepTracker:
    """Moves its box one pixel right per update; remembers what it was given."""

    def __init__(self):
        self.inits, self.updates = [], 0
        self._box = None

    def init(self, frame, box):
        assert frame.order is ChannelOrder.BGR and frame.pixels.shape == (8, 8, 3)
        self.inits.append((int(frame.pixels[0, 0, 0]), box))
        self._box = box

    def update(self, frame):
        self.updates += 1
        self._box = BoxXYWH(self._box.x + 1, self._box.y, self._box.w, self._box.h)
        return TrackResult(self._box, 0.5, TrackState.TRACKING, 1,
                           {'preprocess': 0.001, 'inference': 0.002})


def make_sequence(root: Path, name: str, gt_rows) -> None:
    (root / name / 'img').mkdir(parents=True)
    for i in range(len(gt_rows)):
        cv2.imwrite(str(root / name / 'img' / f'{i:04d}.png'), np.full((8, 8, 3), i, np.uint8))
    (root / name / 'groundtruth.txt').write_text(
        '\n'.join(','.join(str(v) for v in row) for row in gt_rows))


NAN = ('nan',) * 4


def test_initialises_on_the_first_frame_with_a_box_and_records_every_frame(tmp_path):
    make_sequence(tmp_path, 'seq', [NAN, NAN, (10, 20, 5, 6), (0, 0, 1, 1), NAN])
    [sequence] = discover_sequences(tmp_path)
    tracker = StepTracker()
    run = track_sequence(tracker, sequence, RunKey('m', 'b'))
    assert tracker.inits == [(2, BoxXYWH(10, 20, 5, 6))] and tracker.updates == 2
    assert run.init_index == 2
    assert np.isnan(run.boxes[:2]).all()
    assert run.boxes[2:].tolist() == [[10, 20, 5, 6], [11, 20, 5, 6], [12, 20, 5, 6]]
    assert np.isnan(run.update_s[:3]).all() and np.all(run.update_s[3:] >= 0)
    assert run.stages_s['inference'][3:].tolist() == [0.002, 0.002]
    assert run.init_s >= 0


def test_max_frames_cuts_the_run_and_no_box_is_an_error(tmp_path):
    make_sequence(tmp_path, 'seq', [NAN, (1, 1, 2, 2), (1, 1, 2, 2)])
    [sequence] = discover_sequences(tmp_path)
    run = track_sequence(StepTracker(), sequence, RunKey('m', 'b', max_frames=2))
    assert run.n_frames == 2
    with pytest.raises(SequenceError, match='no ground-truth box in its first 1 frames'):
        track_sequence(StepTracker(), sequence, RunKey('m', 'b', max_frames=1))


def test_results_round_trip_and_resume_only_with_the_same_key(tmp_path):
    data, out = tmp_path / 'data', tmp_path / 'out'
    for name in ('a', 'b'):
        make_sequence(data, name, [(5, 5, 4, 4)] * 4)
    sequences = discover_sequences(data)
    key = RunKey('m', 'b', '/w.safetensors', 0, code='c0de')
    made = []

    def make():
        made.append(StepTracker())
        return made[-1]
    frames = []
    first = run_sequences(key, sequences, out, make, on_frame=lambda: frames.append(1))
    assert len(made) == 1 and made[0].updates == 6 and len(frames) == 8
    stored = json.loads(result_path(out, key, sequences[0]).read_text())
    assert stored['boxes'][0] == [5, 5, 4, 4] and stored['model'] == 'm'

    resumed = []
    again = run_sequences(key, sequences, out, make,
                          on_sequence=lambda run, was_resumed: resumed.append(was_resumed))
    assert len(made) == 1 and resumed == [True, True]   # no tracker built, nothing re-tracked
    assert np.array_equal(again[1].boxes, first[1].boxes)
    assert again[1].stages_s['preprocess'][1:].tolist() == [0.001] * 3

    for other in (RunKey('m', 'torch', '/w.safetensors', code='c0de'),
                  RunKey('m', 'b', '', 0, code='c0de'),
                  RunKey('m', 'b', '/w.safetensors', 3, code='c0de'),
                  RunKey('m', 'b', '/w.safetensors', 0, code='other code')):
        assert load_finished(result_path(out, key, sequences[0]), other, sequences[0]) is None
    result_path(out, key, sequences[1]).write_text('{"format": "truncated')
    run_sequences(key, sequences, out, make)
    assert len(made) == 2 and made[1].updates == 3   # only the unreadable one again


def test_the_source_fingerprint_follows_every_python_file(tmp_path):
    package = tmp_path / 'pkg'
    (package / 'core').mkdir(parents=True)
    (package / 'core' / 'a.py').write_text('x = 1\n')
    (package / 'notes.txt').write_text('not code')
    first = source_fingerprint(package)
    assert first == source_fingerprint(package) and len(first) == 16
    (package / 'notes.txt').write_text('still not code')
    assert source_fingerprint(package) == first
    (package / 'core' / 'a.py').write_text('x = 2\n')
    changed = source_fingerprint(package)
    assert changed != first
    (package / 'core' / 'b.py').write_text('')
    assert source_fingerprint(package) not in (first, changed)
    assert source_fingerprint() != first  # the installed package by default
