# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Success AUC of the boxes the node would publish with the long-term mode on.

``lite-tracker eval`` scores the box of every result, as for any tracker; here a result that is
not ``tracking`` (lost or searching: the node publishes nothing) counts as a missing box (IoU 0).
Same sequences, initialisation and metrics as ``eval`` (one pass from the first frame).

    python benchmarks/long_term_published_auc.py --data DIR --nanotrack-dir DIR --threads 2
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

from lite_tracker_ros.core.types import BoxXYWH, TrackState
from lite_tracker_ros.evaluation.metrics import iou, SUCCESS_THRESHOLDS
from lite_tracker_ros.evaluation.runner import read_frame
from lite_tracker_ros.evaluation.sequences import discover_sequences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument('--data', type=Path, required=True)
    parser.add_argument('--nanotrack-dir', type=Path, required=True)
    parser.add_argument('--model', default='nanotrack_v2')
    parser.add_argument('--threads', type=int, default=2)
    args = parser.parse_args()
    os.environ['LITE_TRACKER_MODEL_PATH'] = str(args.nanotrack_dir)
    from lite_tracker_ros.factory import create_tracker
    tracker = create_tracker(args.model, backend='onnxruntime', num_threads=args.threads,
                             long_term=True)
    aucs = {}
    for sequence in discover_sequences(args.data):
        gt = sequence.groundtruth()
        tracker.init(read_frame(sequence.images[0]), BoxXYWH(*gt[0]))
        boxes = []
        for index in range(1, sequence.n_frames):
            result = tracker.update(read_frame(sequence.images[index]))
            shown = result.state is TrackState.TRACKING
            boxes.append(result.box.as_tuple() if shown else (np.nan,) * 4)
        overlap = iou(np.array(boxes), gt[1:])
        aucs[sequence.name] = float(np.mean([(overlap > t).mean() for t in SUCCESS_THRESHOLDS]))
    print(f'published-box AUC, mean of {len(aucs)} sequences: {np.mean(list(aucs.values())):.4f}')
    for name, value in aucs.items():
        print(f'  {name}: {value:.3f}')


if __name__ == '__main__':
    main()
