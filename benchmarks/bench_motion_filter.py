# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Does the constant-velocity filter help a controller? Prediction and smoothing on real tracks.

NanoTrack v2 (ONNX Runtime) tracks the shared sequences once; its boxes, stamped at 30 fps, then
go through :class:`BoxMotionFilter` for each (process noise, measurement noise) pair. Against the
ground truth it reports the centre error (px, mean over frames and sequences) of:

* ``stale +k``: the latest box used k frames later (what a controller acting k frames after the
  image sees without prediction), against the box ``predict``-ed to that time;
* ``now``: the raw box against the filtered (smoothed) box at the image's time;
* ``jitter``: mean magnitude of the box centre's frame-to-frame second difference (px), raw and
  filtered: how much a controller's input shakes.

It measures, it asserts nothing.

    .venv/bin/python benchmarks/bench_motion_filter.py
    .venv/bin/python benchmarks/bench_motion_filter.py --tracked-only
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
import sys

import cv2
import numpy as np

from lite_tracker_ros.core.motion_filter import BoxMotionFilter
from lite_tracker_ros.core.types import BoxXYWH, ChannelOrder, Frame

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / 'shared'
FPS = 30.0


def _tracks(data_root: Path):
    from lite_tracker_ros.evaluation.metrics import present
    from lite_tracker_ros.evaluation.sequences import discover_sequences
    from lite_tracker_ros.factory import create_tracker
    os.environ.setdefault('LITE_TRACKER_MODEL_PATH', str(SHARED / 'models' / 'nanotrack'))
    tracks = []
    for sequence in discover_sequences(data_root):
        gt = sequence.groundtruth()
        init = int(np.flatnonzero(present(gt))[0])
        tracker = create_tracker('nanotrack_v2', backend='onnxruntime', num_threads=1)
        boxes = np.full((len(gt), 4), np.nan)
        for index in range(init, len(gt)):
            frame = Frame(cv2.imread(str(sequence.images[index])), ChannelOrder.BGR)
            if index == init:
                tracker.init(frame, BoxXYWH(*gt[index]))
                boxes[index] = gt[index]
            else:
                boxes[index] = tracker.update(frame).box.as_tuple()
        tracks.append((sequence.name, gt, boxes, init))
    return tracks


def _centre(rows):
    return rows[:, :2] + 0.5 * rows[:, 2:]


def _evaluate(tracks, q, r, horizons, tracked_only):
    stale = {k: [] for k in horizons}
    predicted = {k: [] for k in horizons}
    now_raw, now_filtered, jitter_raw, jitter_filtered = [], [], [], []
    for _, gt, boxes, init in tracks:
        motion = BoxMotionFilter(q, r) if q else None
        filtered = np.full_like(boxes, np.nan)
        ahead = {k: np.full((len(gt), 2), np.nan) for k in horizons}
        for i in range(init, len(gt)):
            box = BoxXYWH(*boxes[i])
            if motion is not None:
                filtered[i] = motion.update(box, i / FPS).as_tuple()
                for k in horizons:
                    ahead[k][i] = [motion.predict((i + k) / FPS).cx,
                                   motion.predict((i + k) / FPS).cy]
        gt_c, raw_c, filt_c = _centre(gt), _centre(boxes), _centre(filtered)
        valid = np.isfinite(gt_c[:, 0])
        if tracked_only:  # frames where the tracker is on the target (IoU > 0.5)
            from lite_tracker_ros.evaluation.metrics import iou
            overlap = np.zeros(len(gt))
            overlap[valid] = iou(boxes[valid], gt[valid])
            valid &= overlap > 0.5
        for i in range(init + 1, len(gt)):
            if valid[i]:
                now_raw.append(np.linalg.norm(raw_c[i] - gt_c[i]))
                now_filtered.append(np.linalg.norm(filt_c[i] - gt_c[i]))
            for k in horizons:
                if i + k < len(gt) and valid[i + k]:
                    stale[k].append(np.linalg.norm(raw_c[i] - gt_c[i + k]))
                    predicted[k].append(np.linalg.norm(ahead[k][i] - gt_c[i + k]))
        jitter_raw.extend(np.linalg.norm(raw_c[2 + init:] - 2 * raw_c[1 + init:-1]
                                         + raw_c[init:-2], axis=1))
        jitter_filtered.extend(np.linalg.norm(filt_c[2 + init:] - 2 * filt_c[1 + init:-1]
                                              + filt_c[init:-2], axis=1))
    mean = lambda v: float(np.nanmedian(v) if tracked_only else np.nanmean(v))  # noqa: E731
    return ({k: (mean(stale[k]), mean(predicted[k])) for k in horizons}, mean(now_raw),
            mean(now_filtered), mean(jitter_raw), mean(jitter_filtered))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--data', type=Path, default=SHARED / 'data' / 'sot')
    parser.add_argument('--process-noise', type=float, nargs='+',
                        default=[100.0, 300.0, 1000.0, 2000.0, 5000.0])
    parser.add_argument('--measurement-noise', type=float, nargs='+', default=[1.0, 2.0, 4.0])
    parser.add_argument('--horizons', type=int, nargs='+', default=[1, 2, 3])
    parser.add_argument('--tracked-only', action='store_true',
                        help='only frames whose raw box has IoU > 0.5 with the ground truth, '
                             'and medians instead of means (failures dominate the means)')
    args = parser.parse_args()
    tracks = _tracks(args.data)
    header = ' | '.join(f'+{k} stale / predicted' for k in args.horizons)
    print(f'| q px/s^2/sqrt(Hz) | r px | {header} | now raw / filtered | jitter raw / filtered |')
    print('|---|---|' + '---|' * len(args.horizons) + '---|---|')
    for q in args.process_noise:
        for r in args.measurement_noise:
            ahead, raw, filtered, j_raw, j_filtered = _evaluate(tracks, q, r, args.horizons,
                                                                args.tracked_only)
            cells = ' | '.join(f'{a:.2f} / {b:.2f}' for a, b in ahead.values())
            print(f'| {q:g} | {r:g} | {cells} | {raw:.2f} / {filtered:.2f} | '
                  f'{j_raw:.2f} / {j_filtered:.2f} |')
    return 0


if __name__ == '__main__':
    sys.exit(main())
