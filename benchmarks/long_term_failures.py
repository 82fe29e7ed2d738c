# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Why the long-term mode misses stress events; whether cheap verifiers tell look-alikes apart.

Runs the stress protocol of ``lite-tracker eval --long-term --stress`` (same plans, same
scoring) with NanoTrack's published ONNX pair, recording every candidate the search scored.
Each counted event that is not re-acquired within 30 frames is put in one class:

- ``dropped``: the mode published a box on the target in the window but never 5 frames in a
  row (it took the target back, then declared it lost again);
- ``look-alike``: it published boxes off the target on at least 5 frames of the window (it
  had taken something else, often while the target was hidden);
- ``verification``: a candidate on the target (IoU >= 0.5) was scored, or the wrapped tracker
  followed it, but it was never taken;
- ``detection``: no candidate on the target was ever scored.

Then, over every scored candidate (on the target: IoU >= 0.5; off it: IoU < 0.1 or the target
hidden), the area under the ROC curve of three ways to tell them apart: the head's score
(log-odds), the colour similarity to the init box (``core/appearance.py``), the score weighed
by it as the long-term mode does, and the cosine similarity of the backbone's features of a
template-sized crop at the candidate to the template's; over all of them and over those the
head scores 4 or more (the ones a re-acquisition level of 5-7 has to sort). 0.5 is chance.

    python benchmarks/long_term_failures.py --data DIR --nanotrack-dir DIR --sequences A,B

``--probation`` and ``--appearance-weight`` override the family's policy (the values before
issue 12's re-acquisition work: 10 and 0).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from pathlib import Path

import numpy as np

from lite_tracker_ros.core import appearance
from lite_tracker_ros.core.absence import margin
from lite_tracker_ros.core.siamese_crop import SquareWindow
from lite_tracker_ros.core.types import BoxXYWH, Frame, TrackState
from lite_tracker_ros.evaluation import stress
from lite_tracker_ros.evaluation.metrics import iou
from lite_tracker_ros.evaluation.runner import read_frame
from lite_tracker_ros.evaluation.sequences import discover_sequences
from lite_tracker_ros.evaluation.stress_report import plan_sequences


def _embedding(inner, frame: Frame, box: BoxXYWH) -> np.ndarray:
    """Backbone features of a template-sized crop at ``box`` (the published ONNX backbone)."""
    params = inner.params
    window = SquareWindow.around(box.cx, box.cy, round(params.template_side(box.w, box.h)))
    blob = inner._blob(inner._crop(frame, window, params.exemplar_size), frame.order)
    backend = inner._backend
    return backend._backbone.run(None, {backend._backbone_in: blob})[0].ravel()


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-12))


def _roc_auc(positive, negative) -> float:
    values = np.concatenate([positive, negative])
    ranks = values.argsort().argsort() + 1.0
    n_pos, n_neg = len(positive), len(negative)
    return float((ranks[:n_pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _overlap(box: BoxXYWH, truth: np.ndarray) -> float:
    if not np.all(np.isfinite(truth)):
        return float('nan')
    return float(np.nan_to_num(iou(np.array([box.as_tuple()]), truth[None]), nan=0.0)[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument('--data', type=Path, required=True)
    parser.add_argument('--nanotrack-dir', type=Path, required=True)
    parser.add_argument('--sequences', required=True, help='comma-separated names')
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--dump', type=Path, default=None,
                        help='write the candidates (score, colour, cosine) to this .npz')
    parser.add_argument('--probation', type=int, default=None,
                        help='override the policy (default: the family default)')
    parser.add_argument('--appearance-weight', type=float, default=None,
                        help='override the policy (default: the family default)')
    args = parser.parse_args()
    os.environ['LITE_TRACKER_MODEL_PATH'] = str(args.nanotrack_dir)
    from lite_tracker_ros.core.long_term import LongTermTracker
    from lite_tracker_ros.factory import create_tracker
    inner = create_tracker('nanotrack_v2', backend='onnxruntime', num_threads=args.threads)
    policy = inner.default_absence_policy
    if args.probation is not None:
        policy = dataclasses.replace(policy, probation=args.probation)
    if args.appearance_weight is not None:
        policy = dataclasses.replace(policy, appearance_weight=args.appearance_weight)
    tracker = LongTermTracker(inner, policy)
    # the shipped weighing (core/appearance.py), at the default numbers even when it is off
    weight = policy.appearance_weight or 10.0
    centre = policy.appearance_centre
    scored: list = []
    redetect = inner.redetect

    def recording(frame, anchor, windows):
        found = redetect(frame, anchor, windows)
        scored.extend(found)
        return found

    inner.redetect = recording

    wanted = set(args.sequences.split(','))
    sequences = [s for s in discover_sequences(args.data) if s.name in wanted]
    classes: dict[str, list[str]] = {'dropped': [], 'look-alike': [], 'verification': [],
                                     'detection': []}
    samples = {'on': [], 'off': []}
    counted = reacquired = 0
    for sequence, plan in plan_sequences(sequences):
        n = len(plan.frames)
        boxes, published = np.full((n, 4), np.nan), np.zeros(n, dtype=bool)
        on_candidate = np.zeros(n, dtype=bool)
        colours = template = None
        for index, source in enumerate(plan.frames):
            frame = read_frame(sequence.images[source])
            patch = plan.patches.get(index)
            if patch is not None:
                frame = Frame(stress.apply_patch(frame.pixels, patch), frame.order)
            truth = plan.groundtruth[index]
            if index == 0:
                box = BoxXYWH(*(float(v) for v in truth))
                tracker.init(frame, box)
                colours = appearance.describe(frame, box)
                template = _embedding(inner, frame, box)
                boxes[0], published[0] = truth, True
                continue
            scored.clear()
            result = tracker.update(frame)
            boxes[index] = result.box.as_tuple()
            published[index] = result.state is TrackState.TRACKING
            # the wrapped tracker's own result is a candidate too while it reports tracking
            on_candidate[index] = (result.state is TrackState.SEARCHING
                                   and inner.state is TrackState.TRACKING
                                   and _overlap(result.box, truth) >= 0.5)
            for candidate in scored:
                overlap = _overlap(candidate.box, truth)
                label = 'on' if overlap >= 0.5 else ('off' if not overlap >= 0.1 else None)
                on_candidate[index] |= label == 'on'
                if label is not None:
                    similar = appearance.similarity(
                        appearance.describe(frame, candidate.box), colours)
                    samples[label].append((
                        margin(candidate.score), similar,
                        margin(candidate.score) + weight * (similar - centre),
                        _cosine(_embedding(inner, frame, candidate.box), template)))
        for event, score in zip(plan.events, stress.score_events(plan, boxes, published)):
            if not score.counted:
                continue
            counted += 1
            if score.reacquired:
                reacquired += 1
                continue
            window = slice(event.visible, min(event.visible + stress.REACQUIRE_WINDOW, n))
            shown = [published[i] and _overlap(BoxXYWH(*boxes[i]), plan.groundtruth[i]) >= 0.5
                     for i in range(window.start, window.stop)]
            elsewhere = [published[i] and not shown[i - window.start]
                         for i in range(window.start, window.stop)]
            kind = ('dropped' if any(shown) else
                    'look-alike' if sum(elsewhere) >= stress.CONFIRM_RUN else
                    'verification' if on_candidate[window].any() else 'detection')
            classes[kind].append(f'{plan.name}/{plan.kind}@{event.before}')
    print(f'policy: {policy}')
    print(f'counted events {counted}, re-acquired within 30 frames {reacquired}')
    for kind, events in classes.items():
        print(f'  {kind}: {len(events)} {" ".join(events)}')
    on, off = np.array(samples['on']), np.array(samples['off'])
    if args.dump is not None:
        np.savez(args.dump, on=on, off=off)
    print(f'candidates on the target {len(on)}, off it {len(off)}; ROC AUC (0.5: chance)')
    if len(on) and len(off):
        for column, name in enumerate(('head score (log-odds)', 'colour similarity',
                                       'head score weighed by colour', 'backbone cosine')):
            strong = (on[:, 0] >= 4.0, off[:, 0] >= 4.0)
            print(f'  {name}: {_roc_auc(on[:, column], off[:, column]):.3f} (head score >= 4: '
                  f'{_roc_auc(on[strong[0], column], off[strong[1], column]):.3f})')


if __name__ == '__main__':
    main()
