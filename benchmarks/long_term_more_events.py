# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
More stress events than ``eval --stress`` places: for judging long-term policies on more cases.

``lite-tracker eval --long-term --stress`` places at most two events of each kind per sequence
(the hidden ones where the target moves most, the cuts at the first place the target moves two
sizes away), so the 12 shared sequences give 15 hidden and 7 cut events, of which one miss
moves a rate by 10-20 points. This script runs one event per modified sequence, at many
places: starting every ``--step`` frames, a hidden event (as the protocol makes it), a forward
cut to the first frame two or 3.5 target sizes away (as the protocol), and a backward cut
(``bcut``: after frame ``t``, play again from the latest earlier frame where the target was two
or 3.5 sizes away; a camera that jumps back, the scene changes as much as in a forward cut).
Each run stops at the end of its event's re-acquisition window. Scoring is the protocol's
(``evaluation/stress.py``): re-acquired within 30 frames, counted only when the box was on the
target just before, and boxes published while hidden.

    python benchmarks/long_term_more_events.py --data ../shared/data/sot
        --nanotrack-dir ../shared/models/nanotrack --threads 2 [--policy '{"patient_frames": 0}']

(one command line).
``--policy`` overrides fields of NanoTrack's ``AbsencePolicy`` (a JSON object).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
from pathlib import Path

import numpy as np

from lite_tracker_ros.evaluation import stress
from lite_tracker_ros.evaluation.runner import read_frame
from lite_tracker_ros.evaluation.sequences import discover_sequences
from lite_tracker_ros.evaluation.stress import present, StressEvent, StressSequence

TAIL = stress.REACQUIRE_WINDOW + stress.CONFIRM_RUN
DISTANCES = (2.0, 3.5)


def _cut(name: str, groundtruth: np.ndarray, last: int, first: int, kind: str) -> StressSequence:
    keep = list(range(last + 1)) + list(range(first, len(groundtruth)))
    seq = StressSequence(name, kind, keep, groundtruth[keep].copy())
    seq.events = [StressEvent(kind, last, last + 1)]
    return seq


def forward_cut(name, groundtruth, start, distance):
    """Cut as the protocol does, after the first possible frame from ``start``."""
    found = stress.next_cut(groundtruth, start, distance)
    return None if found is None else _cut(name, groundtruth, *found, 'cut')


def backward_cut(name, groundtruth, start, distance):
    """Cut after the first frame from ``start`` back to the latest earlier one far enough."""
    n, ok = len(groundtruth), present(groundtruth)
    for last in range(start, n):
        for first in range(last - 1, -1, -1):
            if (first + TAIL <= n and ok[last] and ok[first]
                    and stress.far_apart(groundtruth, last, first, distance)):
                return _cut(name, groundtruth, last, first, 'bcut')
    return None


def hidden(name, groundtruth, start, width, height):
    """Hide the target for the protocol's 20 frames from ``start`` (None where it cannot)."""
    n, ok, span = len(groundtruth), present(groundtruth), stress.HIDDEN_FRAMES
    if start + span + TAIL > n or not all(ok[i] for i in range(start - 1, start + span + 1)):
        return None
    seq = StressSequence(name, 'hidden', list(range(n)), groundtruth.copy())
    return seq if stress.hide_target(seq, groundtruth, start, width, height) else None


def plan(sequences, step: int) -> list:
    """Return ``(sequence, modified sequence)`` for every event placed (no duplicates)."""
    planned, seen = [], set()
    for sequence in sequences:
        groundtruth = sequence.groundtruth()
        first = read_frame(sequence.images[0])
        for start in range(stress.WARM_UP, len(groundtruth), step):
            made = [hidden(sequence.name, groundtruth, start + 1, first.width, first.height)]
            for distance in DISTANCES:
                made.append(forward_cut(sequence.name, groundtruth, start, distance))
                made.append(backward_cut(sequence.name, groundtruth, start + step // 2,
                                         distance))
            for seq in made:
                key = None if seq is None else (seq.kind, tuple(seq.frames), len(seq.patches),
                                                seq.events[0].before)
                if key is not None and key not in seen:
                    seen.add(key)
                    planned.append((sequence, seq))
    return planned


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument('--data', type=Path, required=True)
    parser.add_argument('--nanotrack-dir', type=Path, required=True)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--step', type=int, default=30, help='frames between event starts')
    parser.add_argument('--sequences', default='', help='comma-separated names (default: all)')
    parser.add_argument('--policy', default='{}', help='AbsencePolicy fields to override (JSON)')
    args = parser.parse_args()
    os.environ['LITE_TRACKER_MODEL_PATH'] = str(args.nanotrack_dir)
    from lite_tracker_ros.core.long_term import LongTermTracker
    from lite_tracker_ros.factory import create_tracker
    inner = create_tracker('nanotrack_v2', backend='onnxruntime', num_threads=args.threads)
    policy = dataclasses.replace(inner.default_absence_policy, **json.loads(args.policy))
    tracker = LongTermTracker(inner, policy)
    wanted = set(filter(None, args.sequences.split(',')))
    sequences = [s for s in discover_sequences(args.data) if not wanted or s.name in wanted]
    scores, missed = [], []
    for sequence, seq in plan(sequences, args.step):
        end = seq.events[0].visible + TAIL
        run = StressSequence(seq.name, seq.kind, seq.frames[:end], seq.groundtruth[:end])
        run.patches = {i: p for i, p in seq.patches.items() if i < end}
        run.events = seq.events
        boxes, published = stress.run_stress(
            tracker, run, lambda i, s=sequence: read_frame(s.images[i]))
        score = stress.score_events(run, boxes, published)[0]
        scores.append(score)
        if score.counted and not score.reacquired:
            missed.append(f'{seq.name}/{seq.kind}@{seq.events[0].before}')
    print(f'policy: {policy}')
    print('| event | events (counted) | re-acquired within 30 frames | frames to re-acquire '
          '(mean) | boxes published while hidden |')
    print('|---|---|---|---|---|')
    for kind, row in stress.summarise_events(scores).items():
        published = ('-' if not row['hidden_frames'] else
                     f"{row['published_hidden_rate']:.3f}")
        print(f"| {kind} | {row['events']} ({row['counted']}) | {row['reacquired_rate']:.3f} "
              f"({row['reacquired']}/{row['counted']}) | {row['frames_to_reacquire_mean']:.1f} "
              f'| {published} |')
    print('missed:', ' '.join(missed) or '-')


if __name__ == '__main__':
    main()
