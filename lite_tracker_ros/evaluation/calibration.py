# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Calibration feeds for int8 quantization, taken along the float32 tracker's own track.

For each sequence the float32 tracker is initialised on the first ground-truth box and run over
the next frames; every template and search call's complete input feed is kept (a search feed is
the template cache the backend holds plus the search crop), so the calibration sees exactly the
tensors the graphs see when tracking: crops centred where the float32 tracker looked.
Which frames were used is returned, so that the agreement report can hold them back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import math
from typing import Callable, Mapping, Sequence

import numpy as np

from lite_tracker_ros.core.backend import Backend
from lite_tracker_ros.core.tracker import Tracker
from lite_tracker_ros.core.types import BoxXYWH
from lite_tracker_ros.evaluation.metrics import present
from lite_tracker_ros.evaluation.runner import read_frame
from lite_tracker_ros.evaluation.sequences import SequenceError, SequenceInfo


class FeedRecorder:
    """A backend wrapper that keeps every template feed and complete search feed."""

    def __init__(self, inner: Backend):
        self.inner, self.name, self.device = inner, inner.name, inner.device
        self.template_feeds: list[dict[str, np.ndarray]] = []
        self.search_feeds: list[dict[str, np.ndarray]] = []

    def set_template(self, inputs: Mapping[str, np.ndarray]) -> None:
        self.template_feeds.append({k: np.array(v, np.float32) for k, v in inputs.items()})
        self.inner.set_template(inputs)

    def search(self, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        feed = dict(self.inner.template_cache or {})
        feed.update({k: np.array(v, np.float32) for k, v in inputs.items()})
        self.search_feeds.append(feed)
        return self.inner.search(inputs)


@dataclass
class CalibrationSet:
    """Recorded feeds, and per sequence the frames they came from (init frame, end exclusive)."""

    template_feeds: list[dict[str, np.ndarray]] = field(default_factory=list)
    search_feeds: list[dict[str, np.ndarray]] = field(default_factory=list)
    frames: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: the float32 track's last box per sequence (to start held-back frames without ground truth)
    last_box: dict[str, BoxXYWH] = field(default_factory=dict)


def first_box_index(sequence: SequenceInfo, groundtruth: np.ndarray) -> int:
    """Return the first frame with a ground-truth box, or raise SequenceError."""
    starts = np.flatnonzero(present(groundtruth))
    if not len(starts):
        raise SequenceError(f'{sequence.name}: no ground-truth box to start a track on')
    return int(starts[0])


def collect_feeds(make_tracker: Callable[[Backend], Tracker], backend: Backend,
                  sequences: Sequence[SequenceInfo], frames: int) -> CalibrationSet:
    """
    Track ``frames`` frames in all, spread evenly over ``sequences``, and record every feed.

    ``make_tracker`` builds the float32 tracker over the backend it is given (a recorder around
    ``backend``). Each sequence gives ``ceil(frames / len(sequences))`` frames from its first
    ground-truth box on (the init frame's template plus the search feeds of the frames after it).
    """
    if frames < 1 or not sequences:
        raise ValueError('calibration needs at least one frame of one sequence')
    per_sequence = max(2, math.ceil(frames / len(sequences)))
    recorder = FeedRecorder(backend)
    tracker = make_tracker(recorder)
    found = CalibrationSet()
    for sequence in sequences:
        groundtruth = sequence.groundtruth()
        start = first_box_index(sequence, groundtruth)
        end = min(start + per_sequence, sequence.n_frames)
        box = BoxXYWH(*(float(v) for v in groundtruth[start]))
        tracker.init(read_frame(sequence.images[start]), box)
        for index in range(start + 1, end):
            box = tracker.update(read_frame(sequence.images[index])).box
        found.frames[sequence.name] = (start, end)
        found.last_box[sequence.name] = box
    found.template_feeds = recorder.template_feeds
    found.search_feeds = recorder.search_feeds
    return found
