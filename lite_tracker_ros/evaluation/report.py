# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Scores per run and per sequence, written as a markdown fragment and a JSON file.

``RunSummary`` holds one model/backend's scores; ``markdown`` and ``results_json`` turn a list of
them into text. The mean over sequences averages per-sequence curves (see ``metrics``), and fps
is the number of ``update`` calls over their total wall time (initialisation excluded).
"""

from __future__ import annotations

from dataclasses import dataclass
import math
from typing import Sequence

import numpy as np

from lite_tracker_ros.evaluation.metrics import (average_scores, NORM_PRECISION_THRESHOLDS,
                                                 PRECISION_THRESHOLDS_PX, score_sequence,
                                                 SequenceScores, SUCCESS_THRESHOLDS)
from lite_tracker_ros.evaluation.runner import RunKey, SequenceRun

RESULTS_FORMAT = 'lite_tracker_ros.eval/1'
CONVENTIONS = (
    'OPE from the first frame with a ground-truth box; scored frames: later frames whose ground '
    'truth is present (NaN rows and absence flags excluded from every metric); IoU of '
    'continuous x,y,w,h boxes; success = fraction of scored frames with IoU > t for 21 '
    'thresholds 0..1, AUC = their mean; precision = fraction with centre error <= 20 px; '
    'normalised precision = fraction with centre error / (gt w, gt h) <= 0.2; means average '
    'per-sequence curves; fps = updates / their wall time.')


@dataclass(frozen=True)
class SequenceSummary:
    """One sequence's scores and speed in one run."""

    name: str
    n_frames: int
    init_index: int
    scores: SequenceScores
    updates: int
    update_time_s: float

    @property
    def fps(self) -> float:
        return self.updates / self.update_time_s if self.update_time_s > 0 else math.nan


@dataclass(frozen=True)
class RunSummary:
    """One model/backend over all its sequences."""

    key: RunKey
    sequences: tuple[SequenceSummary, ...]

    @property
    def mean(self) -> SequenceScores:
        return average_scores([s.scores for s in self.sequences])

    @property
    def fps(self) -> float:
        time_s = sum(s.update_time_s for s in self.sequences)
        return sum(s.updates for s in self.sequences) / time_s if time_s > 0 else math.nan


def summarise(key: RunKey, runs: Sequence[SequenceRun],
              groundtruth: Sequence[np.ndarray]) -> RunSummary:
    """Score each run against its ground truth (cut to the frames the run tracked)."""
    rows = []
    for run, gt in zip(runs, groundtruth):
        done = np.isfinite(run.update_s)
        rows.append(SequenceSummary(run.sequence, run.n_frames, run.init_index,
                                    score_sequence(run.boxes, gt[:run.n_frames], run.init_index),
                                    int(done.sum()), float(run.update_s[done].sum())))
    return RunSummary(key, tuple(rows))


def _number(value: float, digits: int = 3) -> str:
    return f'{value:.{digits}f}' if math.isfinite(value) else 'n/a'


def markdown(summaries: Sequence[RunSummary]) -> str:
    """Return a summary table over runs, then one per-sequence table per run."""
    lines = ['| model/backend | sequences | scored frames | absent frames | success AUC | '
             'precision @20px | norm. precision @0.2 | fps |',
             '|---|---|---|---|---|---|---|---|']
    for summary in summaries:
        mean = summary.mean
        lines.append(f'| {summary.key.label} | {len(summary.sequences)} | {mean.frames_scored} '
                     f'| {mean.frames_absent} | {_number(mean.auc)} | '
                     f'{_number(mean.precision_20)} | {_number(mean.norm_precision_20)} | '
                     f'{_number(summary.fps, 1)} |')
    for summary in summaries:
        lines += ['', f'**{summary.key.label}** per sequence:', '',
                  '| sequence | frames | init frame | scored | success AUC | precision @20px | '
                  'norm. precision @0.2 | fps |', '|---|---|---|---|---|---|---|---|']
        for s in summary.sequences:
            lines.append(f'| {s.name} | {s.n_frames} | {s.init_index + 1} | '
                         f'{s.scores.frames_scored} | {_number(s.scores.auc)} | '
                         f'{_number(s.scores.precision_20)} | '
                         f'{_number(s.scores.norm_precision_20)} | {_number(s.fps, 1)} |')
    return '\n'.join(lines) + '\n'


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _scores_json(scores: SequenceScores) -> dict:
    return {k: (_finite(v) if isinstance(v, float) else v) for k, v in scores.summary().items()}


def results_json(summaries: Sequence[RunSummary], data_root: str, command: str) -> dict:
    """Return every number of the evaluation as JSON-ready data (NaN written as null)."""
    runs = []
    for summary in summaries:
        mean = summary.mean
        runs.append({
            'model': summary.key.model, 'backend': summary.key.backend,
            'weights': summary.key.weights, 'max_frames': summary.key.max_frames,
            'variant': summary.key.variant,
            'mean': {**_scores_json(mean), 'fps': _finite(summary.fps)},
            'curves': {name: [_finite(v) for v in getattr(mean, name)]
                       for name in ('success', 'precision', 'norm_precision')},
            'sequences': {s.name: {**_scores_json(s.scores), 'frames': s.n_frames,
                                   'init_frame': s.init_index, 'fps': _finite(s.fps)}
                          for s in summary.sequences},
        })
    return {'format': RESULTS_FORMAT, 'command': command, 'data': data_root,
            'conventions': CONVENTIONS,
            'thresholds': {'success_iou': [float(t) for t in SUCCESS_THRESHOLDS],
                           'precision_px': [float(t) for t in PRECISION_THRESHOLDS_PX],
                           'norm_precision': [float(t) for t in NORM_PRECISION_THRESHOLDS]},
            'runs': runs}
