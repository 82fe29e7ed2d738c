# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
What int8 quantization did to the tracker, measured on held-back frames.

The float32 and int8 trackers run in lockstep over the same frames from the same init box. Per
frame this records the IoU between their boxes, both boxes against the ground truth when there
is one (success AUC), the search-path time of each, and the score-map error: the int8 search
graph is run a second time on the float32 tracker's own search input, so the error compares
the two graphs on identical tensors (both templates come from the same init crop), not two
tracks that drifted apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Optional, Sequence

import numpy as np

from lite_tracker_ros.core.backend import Backend
from lite_tracker_ros.core.tracker import Tracker
from lite_tracker_ros.core.types import BoxXYWH
from lite_tracker_ros.evaluation.metrics import average_scores, iou, present, score_sequence
from lite_tracker_ros.evaluation.runner import read_frame
from lite_tracker_ros.evaluation.sequences import SequenceInfo

#: search outputs that hold the target score, first match per model family
SCORE_OUTPUTS = ('score_map', 'cls', 'class_prob', 'logits')


@dataclass(frozen=True)
class Segment:
    """Frames ``start`` (the init frame) to ``end`` (exclusive) of one sequence, and the box."""

    sequence: SequenceInfo
    start: int
    end: int
    init_box: BoxXYWH


class _LastSearch:
    """Passes calls through; keeps the latest search input and output, and the search time."""

    def __init__(self, inner: Backend):
        self.inner, self.name, self.device = inner, inner.name, inner.device
        self.inputs: dict[str, np.ndarray] = {}
        self.outputs: dict[str, np.ndarray] = {}

    def set_template(self, inputs: Mapping[str, np.ndarray]) -> None:
        self.inner.set_template(inputs)

    def search(self, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        self.inputs = {k: np.array(v) for k, v in inputs.items()}
        self.outputs = self.inner.search(inputs)
        return self.outputs


@dataclass(frozen=True)
class AgreementReport:
    """Int8 against float32 over held-back frames (the summary numbers of the report)."""

    frames: int
    sequences: int
    #: per-frame IoU between the int8 and float32 boxes
    iou: np.ndarray
    #: max |int8 - fp32| of the score output per frame, on identical search inputs
    score_error: np.ndarray
    #: max |fp32 score output| per frame (to judge the error against)
    score_scale: np.ndarray
    score_output: str
    fp32_search_s: np.ndarray
    int8_search_s: np.ndarray
    #: success AUC against the ground truth (NaN when no frame has one)
    fp32_auc: float
    int8_auc: float

    @property
    def mean_iou(self) -> float:
        return float(np.mean(self.iou)) if self.iou.size else float('nan')

    @property
    def speed_ratio(self) -> float:
        """Median int8 search time over median float32 search time (< 1: int8 is faster)."""
        return float(np.median(self.int8_search_s) / np.median(self.fp32_search_s))

    def lines(self) -> list[str]:
        """Return the report as printable lines."""
        q = np.percentile(self.iou, [5, 50]) if self.iou.size else (np.nan, np.nan)
        rel = self.score_error / np.maximum(self.score_scale, 1e-12)
        lines = [f'held-back frames: {self.frames} in {self.sequences} sequence(s)',
                 f'IoU int8 vs fp32 per frame: mean {self.mean_iou:.3f}, median {q[1]:.3f}, '
                 f'5th percentile {q[0]:.3f}, frames >= 0.5: '
                 f'{float(np.mean(self.iou >= 0.5)) if self.iou.size else float("nan"):.3f}',
                 f'{self.score_output} error on identical inputs: max |int8 - fp32| mean '
                 f'{float(np.mean(self.score_error)):.4g}, worst '
                 f'{float(np.max(self.score_error)):.4g}'
                 f' (relative to max |fp32|: mean {float(np.mean(rel)):.3g})',
                 f'search path median: fp32 {1e3 * float(np.median(self.fp32_search_s)):.2f} ms, '
                 f'int8 {1e3 * float(np.median(self.int8_search_s)):.2f} ms, int8/fp32 '
                 f'{self.speed_ratio:.3f} ({1 / self.speed_ratio:.2f}x faster)']
        if np.isfinite(self.fp32_auc):
            lines.append(f'success AUC vs ground truth: fp32 {self.fp32_auc:.4f}, int8 '
                         f'{self.int8_auc:.4f} (difference {self.int8_auc - self.fp32_auc:+.4f})')
        return lines


def score_output(names: Sequence[str]) -> str:
    """Return the name of the search output that holds the target score."""
    for name in SCORE_OUTPUTS:
        if name in names:
            return name
    return names[0]


def compare(make_tracker: Callable[[Backend], Tracker], fp32: Backend, int8: Backend,
            segments: Sequence[Segment],
            on_frame: Optional[Callable[[], None]] = None) -> AgreementReport:
    """Track every segment with both trackers in lockstep and return the report."""
    fp32_seen, int8_seen = _LastSearch(fp32), _LastSearch(int8)
    fp32_tracker, int8_tracker = make_tracker(fp32_seen), make_tracker(int8_seen)
    ious, errors, scales, t32, t8 = [], [], [], [], []
    scores32, scores8 = [], []
    name = ''
    for segment in segments:
        n = segment.end - segment.start
        boxes32, boxes8 = np.full((n, 4), np.nan), np.full((n, 4), np.nan)
        boxes32[0] = boxes8[0] = segment.init_box.as_tuple()
        first = read_frame(segment.sequence.images[segment.start])
        fp32_tracker.init(first, segment.init_box)
        int8_tracker.init(first, segment.init_box)
        for offset in range(1, n):
            frame = read_frame(segment.sequence.images[segment.start + offset])
            result32, result8 = fp32_tracker.update(frame), int8_tracker.update(frame)
            boxes32[offset], boxes8[offset] = result32.box.as_tuple(), result8.box.as_tuple()
            t32.append(result32.timings_s['inference'])
            t8.append(result8.timings_s['inference'])
            name = name or score_output(list(fp32_seen.outputs))
            replay = int8.search(fp32_seen.inputs)[name]
            reference = fp32_seen.outputs[name]
            errors.append(float(np.max(np.abs(replay - reference))))
            scales.append(float(np.max(np.abs(reference))))
            if on_frame is not None:
                on_frame()
        ious.append(iou(boxes8[1:], boxes32[1:]))
        groundtruth = segment.sequence.groundtruth()[segment.start:segment.end]
        if present(groundtruth[1:]).any():
            scores32.append(score_sequence(boxes32, groundtruth))
            scores8.append(score_sequence(boxes8, groundtruth))
    auc32 = average_scores(scores32).auc if scores32 else float('nan')
    auc8 = average_scores(scores8).auc if scores8 else float('nan')
    return AgreementReport(len(t32), len(segments), np.concatenate(ious) if ious else np.zeros(0),
                           np.asarray(errors), np.asarray(scales), name, np.asarray(t32),
                           np.asarray(t8), auc32, auc8)
