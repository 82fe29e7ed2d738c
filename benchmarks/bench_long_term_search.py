# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Cost of a tracking frame and of a searching frame in the long-term mode, per family.

A searching frame is forced with ``lost_threshold=1`` (every frame weak: the mode declares the
target lost after ``lost_after`` frames and then searches on every frame, and the threshold
bars every candidate, so it never resumes). Tracking frames are timed on the same frames with
the mode off. NanoTrack runs its published ONNX pair (``--nanotrack-dir``); the other families
run default-initialised (untrained) weights: their cost does not depend on the weights, their
accuracy cannot be measured here. Frames: the first ``--frames`` of one sequence folder.

    python benchmarks/bench_long_term_search.py --data SEQUENCE --nanotrack-dir DIR

``--unbatched`` adds a fourth variant, taking its turn with the others: the searching frame with
the backend's ``max_batch`` forced to 1, so the tiles go one per call as they did before the
exported search graphs had a batch axis (same graphs, same frames).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
import statistics
import tempfile
import time

import cv2
import numpy as np

from lite_tracker_ros.core.types import BoxXYWH, ChannelOrder, Frame, TrackState

MODELS = ('nanotrack_v2', 'litetrack_b4', 'mvt', 'compresstracker_2', 'fartrack')


def _frames(folder: Path, count: int):
    paths = sorted((folder / 'img').glob('*.jpg'))[:count]
    truth = np.loadtxt(folder / 'groundtruth.txt', delimiter=',')
    return [Frame(cv2.imread(str(p)), ChannelOrder.BGR) for p in paths], BoxXYWH(*truth[0])


def _tracker(model: str, backend: str, threads: int, weights_dir: Path, long_term: bool,
             lost_threshold=None):
    from lite_tracker_ros.evaluation.weights_option import write_untrained_weights
    from lite_tracker_ros.factory import create_tracker
    weights = None
    if not model.startswith('nanotrack'):
        path = weights_dir / f'{model}.safetensors'
        weights = path if path.exists() else write_untrained_weights(model, weights_dir)
    return create_tracker(model, backend=backend, num_threads=threads, weights=weights,
                          long_term=long_term, lost_threshold=lost_threshold)


def _median_ms(values):
    return 1e3 * statistics.median(values) if values else float('nan')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument('--data', type=Path, required=True, help='one sequence folder')
    parser.add_argument('--nanotrack-dir', type=Path, required=True)
    parser.add_argument('--models', default=','.join(MODELS))
    parser.add_argument('--backend', default='torch',
                        help='backend of the families other than NanoTrack (NanoTrack: its '
                             'published ONNX pair on onnxruntime)')
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--frames', type=int, default=40)
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--unbatched', action='store_true',
                        help='also time searching frames with one tile per backend call')
    args = parser.parse_args()
    os.environ['LITE_TRACKER_MODEL_PATH'] = str(args.nanotrack_dir)
    frames, box = _frames(args.data, args.frames)
    print(f'{args.data.name}: {frames[0].width}x{frames[0].height}, {len(frames)} frames, '
          f'NanoTrack on onnxruntime, the others on {args.backend}, {args.threads} threads')
    extra = ' searching frame, one tile per call | batched / one per call |' \
        if args.unbatched else ''
    print('| model | tracking frame, mode off (ms, median) | tracking frame, mode on | '
          'searching frame | searching / tracking |' + extra)
    print('|---|---|---|---|---|' + ('---|---|' if args.unbatched else ''))
    with tempfile.TemporaryDirectory() as folder:
        for model in args.models.split(','):
            backend = 'onnxruntime' if model.startswith('nanotrack') else args.backend
            variants = ((False, None), (True, None), (True, 1.0))
            if args.unbatched:
                variants += ((True, 1.0),)
            trackers = [_tracker(model, backend, args.threads, Path(folder), long_term,
                                 threshold) for long_term, threshold in variants]
            if args.unbatched:
                trackers[-1].inner.backend.max_batch = 1  # one tile per call
            for tracker in trackers:  # the process's first calls (threads, allocators)
                tracker.init(frames[0], box)
                for frame in frames[1:4]:
                    tracker.update(frame)
            times: list[list[float]] = [[] for _ in variants]
            # the variants take turns, round after round, so a change in the machine's load
            # falls on all of them alike
            for _ in range(args.rounds):
                for (_, threshold), tracker, kept in zip(variants, trackers, times):
                    tracker.init(frames[0], box)
                    for index, frame in enumerate(frames[1:]):
                        start = time.perf_counter()
                        result = tracker.update(frame)
                        seconds = time.perf_counter() - start
                        # untrained weights may lose the target with the mode on: those
                        # frames are searching frames, not tracking ones
                        warm = index >= 2  # first calls: allocation, lazy init
                        if warm and (result.state is TrackState.SEARCHING) == bool(threshold):
                            kept.append(seconds)
            row = [_median_ms(t) for t in times]
            extra = f' {row[3]:.1f} | {row[2] / row[3]:.2f} |' if args.unbatched else ''
            print(f'| {model} | {row[0]:.1f} | {row[1]:.1f} | {row[2]:.1f} | '
                  f'{row[2] / row[0]:.1f}x |' + extra, flush=True)


if __name__ == '__main__':
    main()
