# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Run the long-term stress protocol for one tracker and report it: table, JSON, example strips.

The strips show, per event kind, one counted event of the run: the frame before, frames inside
the event, and frames after the target is visible again, with the ground truth (green, absent
while hidden) and the published box (red; none while the tracker reports LOST or SEARCHING).
"""

from __future__ import annotations

from dataclasses import dataclass, field
import math
from pathlib import Path
from typing import Callable, Sequence

import cv2
import numpy as np

from lite_tracker_ros.evaluation import stress
from lite_tracker_ros.evaluation.runner import read_frame
from lite_tracker_ros.evaluation.sequences import SequenceInfo


@dataclass
class StressRun:
    """One tracker's stress runs: per modified sequence, its boxes and published flags."""

    label: str
    plans: list[stress.StressSequence] = field(default_factory=list)
    boxes: list[np.ndarray] = field(default_factory=list)
    published: list[np.ndarray] = field(default_factory=list)

    def scores(self) -> list[stress.EventScore]:
        found = []
        for plan, boxes, published in zip(self.plans, self.boxes, self.published):
            found += stress.score_events(plan, boxes, published)
        return found

    def summary(self) -> dict:
        return stress.summarise_events(self.scores())


def plan_sequences(sequences: Sequence[SequenceInfo]) -> list:
    """
    Return ``(sequence, plan)`` for the hidden and cut plans of every sequence.

    Sequences whose first frame has no ground-truth box are left out.
    """
    planned = []
    for sequence in sequences:
        gt = sequence.groundtruth()
        if not np.all(np.isfinite(gt[0])):
            continue
        first = read_frame(sequence.images[0])
        planned.append((sequence, stress.hidden_sequence(sequence.name, gt, first.width,
                                                         first.height)))
        planned.append((sequence, stress.cut_sequence(sequence.name, gt)))
    return planned


def run_protocol(label: str, tracker, planned, on_frame: Callable[[], None] = lambda: None
                 ) -> StressRun:
    """Track every planned sequence with ``tracker``."""
    run = StressRun(label)
    for sequence, plan in planned:
        boxes, published = stress.run_stress(
            tracker, plan, lambda i, s=sequence: read_frame(s.images[i]), on_frame)
        run.plans.append(plan)
        run.boxes.append(boxes)
        run.published.append(published)
    return run


def _number(value: float, digits: int = 3) -> str:
    return '-' if value is None or not math.isfinite(value) else f'{value:.{digits}f}'


def markdown(runs: Sequence[StressRun]) -> str:
    lines = ['| tracker | event | events (counted) | re-acquired within 30 frames | '
             'frames to re-acquire (mean / median) | boxes published while hidden |',
             '|---|---|---|---|---|---|']
    for run in runs:
        for kind, values in run.summary().items():
            published = (_number(values['published_hidden_rate'])
                         if kind == 'hidden' else '-')
            lines.append(
                f"| {run.label} | {kind} | {values['events']} ({values['counted']}) | "
                f"{_number(values['reacquired_rate'])} ({values['reacquired']}/"
                f"{values['counted']}) | {_number(values['frames_to_reacquire_mean'], 1)} / "
                f"{_number(values['frames_to_reacquire_median'], 1)} | {published} |")
    return '\n'.join(lines) + '\n'


def results_json(runs: Sequence[StressRun]) -> dict:
    def clean(value):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return value
    return {'protocol': {'hidden_frames': stress.HIDDEN_FRAMES,
                         'cut_distance_sizes': stress.CUT_DISTANCE,
                         'reacquire_window': stress.REACQUIRE_WINDOW,
                         'confirm_run': stress.CONFIRM_RUN, 'on_target_iou': stress.ON_TARGET_IOU,
                         'events_per_kind': stress.EVENTS_PER_KIND},
            'runs': [{'label': run.label,
                      'summary': {k: {n: clean(v) for n, v in d.items()}
                                  for k, d in run.summary().items()},
                      'events': [{'sequence': plan.name, 'kind': s.kind, 'counted': s.counted,
                                  'frames_to_reacquire': s.frames_to_reacquire,
                                  'hidden_frames': s.hidden_frames,
                                  'published_hidden': s.published_hidden}
                                 for plan, b, p in zip(run.plans, run.boxes, run.published)
                                 for s in stress.score_events(plan, b, p)]}
                     for run in runs]}


def write_strips(run: StressRun, sequences: dict[str, SequenceInfo], out_dir: Path,
                 height: int = 160) -> list[Path]:
    """One strip per event kind, from the first counted event of ``run``."""
    written = []
    for kind in ('hidden', 'cut'):
        chosen = None
        for plan, boxes, published in zip(run.plans, run.boxes, run.published):
            if plan.kind != kind:
                continue
            for event, score in zip(plan.events, stress.score_events(plan, boxes, published)):
                if score.counted:
                    chosen = (plan, boxes, published, event)
                    break
            if chosen:
                break
        if chosen is None:
            continue
        plan, boxes, published, event = chosen
        picks = [event.before]
        if kind == 'hidden':
            picks += [event.before + 1, (event.before + event.visible) // 2, event.visible - 1]
        picks += [event.visible, event.visible + 5, event.visible + 15]
        picks = [i for i in picks if 0 <= i < len(plan.frames)]
        tiles = []
        sequence = sequences[plan.name]
        for index in picks:
            frame = read_frame(sequence.images[plan.frames[index]])
            pixels = stress.apply_patch(frame.pixels, plan.patches.get(index)).copy()
            gt = plan.groundtruth[index]
            if np.all(np.isfinite(gt)):
                _box(pixels, gt, (0, 200, 0))
            if published[index]:
                _box(pixels, boxes[index], (0, 0, 255))
            scale = height / pixels.shape[0]
            tile = cv2.resize(pixels, (max(int(pixels.shape[1] * scale), 1), height))
            state = 'published' if published[index] else 'no box'
            cv2.putText(tile, f'{index - event.visible:+d} {state}', (4, 14),
                        cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1, cv2.LINE_AA)
            tiles.append(tile)
        path = Path(out_dir) / f'strip_{kind}.png'
        cv2.imwrite(str(path), np.hstack(tiles))
        written.append(path)
    return written


def _box(pixels: np.ndarray, box: np.ndarray, colour) -> None:
    x, y, w, h = (int(round(v)) for v in box)
    cv2.rectangle(pixels, (x, y), (x + w, y + h), colour, 2)
