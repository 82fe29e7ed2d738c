# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Run a tracker over sequences, one-pass evaluation style, with one result file per sequence.

The tracker is initialised on the first frame that has a ground-truth box and updated on every
later frame, never re-initialised. Each sequence's boxes, scores and timings go to
``OUT/<model>__<backend>/<sequence>.json`` (written atomically); a later run with the same model,
backend, weights and frame limit reads that file instead of tracking again, so an interrupted
evaluation resumes where it stopped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import hashlib
import json
import math
import os
from pathlib import Path
import time
from typing import Callable, Optional

import cv2
import numpy as np

from lite_tracker_ros.core.tracker import Tracker
from lite_tracker_ros.core.types import BoxXYWH, ChannelOrder, Frame
from lite_tracker_ros.evaluation.metrics import present
from lite_tracker_ros.evaluation.sequences import SequenceError, SequenceInfo

RESULT_FORMAT = 'lite_tracker_ros.eval.sequence/1'


@dataclass(frozen=True)
class RunKey:
    """What makes two runs of a sequence interchangeable: model, backend, weights, frame limit."""

    model: str
    backend: str
    weights: str = ''
    max_frames: int = 0
    #: a tracker option set ('' for the defaults, 'long_term' for the long-term mode)
    variant: str = ''
    #: the package's source (:func:`source_fingerprint`): results of other code are not reused
    code: str = ''

    @property
    def label(self) -> str:
        return f'{self.model}/{self.backend}' + (f' {self.variant}' if self.variant else '')

    @property
    def folder_name(self) -> str:
        return f'{self.model}__{self.backend}' + (f'__{self.variant}' if self.variant else '')

    def frames_of(self, sequence: SequenceInfo) -> int:
        """Return how many of the sequence's frames a run with this key tracks."""
        if self.max_frames > 0:
            return min(self.max_frames, sequence.n_frames)
        return sequence.n_frames


@dataclass(frozen=True, eq=False)
class SequenceRun:
    """One tracked sequence: per-frame boxes (NaN rows up to the init frame), scores, times."""

    key: RunKey
    sequence: str
    init_index: int
    boxes: np.ndarray
    scores: np.ndarray
    init_s: float
    update_s: np.ndarray
    stages_s: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_frames(self) -> int:
        return len(self.boxes)

    def to_json(self) -> dict:
        def values(array: np.ndarray) -> list:
            return [None if not math.isfinite(v) else float(v) for v in array]
        return {'format': RESULT_FORMAT, 'model': self.key.model, 'backend': self.key.backend,
                'weights': self.key.weights, 'max_frames': self.key.max_frames,
                'variant': self.key.variant, 'code': self.key.code,
                'sequence': self.sequence, 'n_frames': self.n_frames,
                'init_frame': self.init_index,
                'boxes': [row if all(v is not None for v in row) else None
                          for row in (values(b) for b in self.boxes)],
                'scores': values(self.scores), 'init_s': self.init_s,
                'update_s': values(self.update_s),
                'stages_s': {k: values(v) for k, v in self.stages_s.items()}}

    @classmethod
    def from_json(cls, data: dict) -> SequenceRun:
        def array(items: list) -> np.ndarray:
            return np.asarray([math.nan if v is None else v for v in items], dtype=np.float64)
        boxes = np.asarray([[math.nan] * 4 if b is None else b for b in data['boxes']],
                           dtype=np.float64).reshape(-1, 4)
        key = RunKey(data['model'], data['backend'], data['weights'], int(data['max_frames']),
                     data.get('variant', ''), data.get('code', ''))
        return cls(key, data['sequence'], int(data['init_frame']), boxes, array(data['scores']),
                   float(data['init_s']), array(data['update_s']),
                   {k: array(v) for k, v in data['stages_s'].items()})


def source_fingerprint(package_dir: Optional[Path] = None) -> str:
    """
    Hash of the package's Python sources (names and contents), 16 hex digits.

    Part of every RunKey, so an evaluation resumed after the code changed tracks again instead
    of mixing results of two versions.
    """
    root = Path(package_dir) if package_dir is not None else Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(root.rglob('*.py')):
        digest.update(path.relative_to(root).as_posix().encode() + b'\0')
        digest.update(path.read_bytes() + b'\0')
    return digest.hexdigest()[:16]


def result_path(out_dir: Path, key: RunKey, sequence: SequenceInfo) -> Path:
    return Path(out_dir) / key.folder_name / f'{sequence.name}.json'


def load_finished(path: Path, key: RunKey, sequence: SequenceInfo) -> Optional[SequenceRun]:
    """Return the stored run of ``sequence`` if it exists and was made with ``key``, else None."""
    try:
        data = json.loads(path.read_text())
        if data.get('format') != RESULT_FORMAT:
            return None
        run = SequenceRun.from_json(data)
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing or unreadable: track the sequence again
    if run.key != key or run.sequence != sequence.name or run.n_frames != key.frames_of(sequence):
        return None
    return run


def save_run(path: Path, run: SequenceRun) -> None:
    """Write a run's result file atomically (a crash never leaves half a file behind)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + '.part')
    partial.write_text(json.dumps(run.to_json()))
    os.replace(partial, path)


def read_frame(path: Path) -> Frame:
    pixels = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if pixels is None:
        raise SequenceError(f'cannot decode image {path}; remove or replace the file')
    return Frame(pixels, ChannelOrder.BGR)


def track_sequence(tracker: Tracker, sequence: SequenceInfo, key: RunKey,
                   on_frame: Callable[[], None] = lambda: None) -> SequenceRun:
    """Track one sequence from its first ground-truth box; ``on_frame`` is called per frame."""
    n = key.frames_of(sequence)
    gt = sequence.groundtruth()[:n]
    starts = np.flatnonzero(present(gt))
    if not len(starts):
        raise SequenceError(f'{sequence.name}: no ground-truth box in its first {n} frames to '
                            'initialise on; raise --max-frames or leave the sequence out')
    init_index = int(starts[0])
    boxes = np.full((n, 4), np.nan)
    scores = np.full(n, np.nan)
    update_s = np.full(n, np.nan)
    stages: dict[str, np.ndarray] = {}
    init_s = math.nan
    for index in range(n):
        if index < init_index:
            on_frame()
            continue
        frame = read_frame(sequence.images[index])
        if index == init_index:
            start = time.perf_counter()
            tracker.init(frame, BoxXYWH(*(float(v) for v in gt[index])))
            init_s = time.perf_counter() - start
            boxes[index] = gt[index]
        else:
            start = time.perf_counter()
            result = tracker.update(frame)
            update_s[index] = time.perf_counter() - start
            boxes[index] = result.box.as_tuple()
            scores[index] = result.score
            for stage, seconds in result.timings_s.items():
                stages.setdefault(stage, np.full(n, np.nan))[index] = seconds
        on_frame()
    return SequenceRun(key, sequence.name, init_index, boxes, scores, init_s, update_s, stages)


def run_sequences(key: RunKey, sequences: list[SequenceInfo], out_dir: Path,
                  make_tracker: Callable[[], Tracker],
                  on_frame: Callable[[], None] = lambda: None,
                  on_start: Callable[[SequenceInfo], None] = lambda sequence: None,
                  on_sequence: Callable[[SequenceRun, bool], None] = lambda run, resumed: None,
                  ) -> list[SequenceRun]:
    """
    Track every sequence not already finished for ``key`` and return all runs, in order.

    ``make_tracker`` is called once, and only if some sequence needs tracking. ``on_start`` gets
    each sequence before it is tracked or read back; ``on_sequence`` gets each run and whether it
    was read back from a previous run.
    """
    tracker: Optional[Tracker] = None
    runs = []
    for sequence in sequences:
        on_start(sequence)
        path = result_path(out_dir, key, sequence)
        run = load_finished(path, key, sequence)
        resumed = run is not None
        if run is None:
            tracker = tracker if tracker is not None else make_tracker()
            run = track_sequence(tracker, sequence, key, on_frame)
            save_run(path, run)
        else:
            for _ in range(run.n_frames):
                on_frame()
        on_sequence(run, resumed)
        runs.append(run)
    return runs
