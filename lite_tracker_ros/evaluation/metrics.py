# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
One-pass-evaluation metrics: IoU, centre error, success, precision and normalised precision.

Conventions (the ones of the GOT-10k toolkit and pytracking, stated so numbers compare):

- Boxes are ``x, y, w, h`` rows in continuous pixel coordinates: a box covers ``[x, x + w)``,
  its centre is ``(x + w / 2, y + h / 2)`` (no ``+ 1`` pixel-inclusive areas).
- Scored frames: the frames *after* the initialisation frame whose ground truth is present.
  A ground-truth row with a NaN or a non-positive side means the target is absent; such frames
  count in neither success nor precision (``frames_absent`` says how many were left out).
- Success: fraction of scored frames with IoU *strictly greater* than each of 21 thresholds
  0, 0.05, ..., 1; the success AUC is the mean of those 21 fractions.
- Precision: fraction of scored frames whose centre error is at most each threshold 0..50 px;
  the reported value is the one at 20 px.
- Normalised precision (LaSOT): the centre error with its x and y parts divided by the ground
  truth's width and height; curve over 0, 0.01, ..., 0.5, value at 0.2.
- A prediction that is missing (NaN) on a scored frame has IoU 0 and an infinite centre error.
- Over several sequences, curves (hence AUC) are averaged per sequence, not pooled per frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

SUCCESS_THRESHOLDS = np.linspace(0.0, 1.0, 21)
PRECISION_THRESHOLDS_PX = np.arange(0.0, 51.0)
NORM_PRECISION_THRESHOLDS = np.linspace(0.0, 0.5, 51)
PRECISION_AT_PX = 20.0
NORM_PRECISION_AT = 0.2


def _rows(boxes) -> np.ndarray:
    array = np.asarray(boxes, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != 4:
        raise ValueError(f'expected an (N, 4) array of x, y, w, h rows, got shape {array.shape}')
    return array


def present(boxes) -> np.ndarray:
    """Return the mask of rows that hold a box: all four values finite, width and height > 0."""
    rows = _rows(boxes)
    return np.all(np.isfinite(rows), axis=1) & (rows[:, 2] > 0) & (rows[:, 3] > 0)


def iou(pred, gt) -> np.ndarray:
    """
    Return the per-row intersection over union of two (N, 4) box arrays.

    A missing or empty prediction gives 0; an absent ground truth gives NaN.
    """
    pred, gt = _rows(pred), _rows(gt)
    if pred.shape != gt.shape:
        raise ValueError(f'prediction shape {pred.shape} differs from ground truth {gt.shape}')
    left = np.maximum(pred[:, 0], gt[:, 0])
    top = np.maximum(pred[:, 1], gt[:, 1])
    right = np.minimum(pred[:, 0] + pred[:, 2], gt[:, 0] + gt[:, 2])
    bottom = np.minimum(pred[:, 1] + pred[:, 3], gt[:, 1] + gt[:, 3])
    with np.errstate(invalid='ignore'):
        inter = np.clip(right - left, 0.0, None) * np.clip(bottom - top, 0.0, None)
        union = pred[:, 2] * pred[:, 3] + gt[:, 2] * gt[:, 3] - inter
        overlap = np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)
    overlap = np.where(present(pred), overlap, 0.0)
    return np.where(present(gt), overlap, np.nan)


def _centres(rows: np.ndarray) -> np.ndarray:
    return rows[:, :2] + 0.5 * rows[:, 2:]


def center_error(pred, gt) -> np.ndarray:
    """Return the per-row distance in pixels between box centres (inf: missing prediction)."""
    pred, gt = _rows(pred), _rows(gt)
    error = np.linalg.norm(_centres(pred) - _centres(gt), axis=1)
    error = np.where(np.all(np.isfinite(pred), axis=1), error, np.inf)
    return np.where(present(gt), error, np.nan)


def normalized_center_error(pred, gt) -> np.ndarray:
    """Return the centre error with x and y divided by the ground truth's width and height."""
    pred, gt = _rows(pred), _rows(gt)
    valid_gt = present(gt)
    sides = np.where(valid_gt[:, None], gt[:, 2:], 1.0)
    error = np.linalg.norm((_centres(pred) - _centres(gt)) / sides, axis=1)
    error = np.where(np.all(np.isfinite(pred), axis=1), error, np.inf)
    return np.where(valid_gt, error, np.nan)


def success_curve(ious, thresholds=SUCCESS_THRESHOLDS) -> np.ndarray:
    """Return, per threshold, the fraction of the given IoUs strictly above it (NaN if none)."""
    values = np.asarray(ious, dtype=np.float64).ravel()
    if values.size == 0:
        return np.full(len(thresholds), np.nan)
    return (values[None, :] > np.asarray(thresholds)[:, None]).mean(axis=1)


def precision_curve(errors, thresholds=PRECISION_THRESHOLDS_PX) -> np.ndarray:
    """Return, per threshold, the fraction of the given errors at most it (NaN if none)."""
    values = np.asarray(errors, dtype=np.float64).ravel()
    if values.size == 0:
        return np.full(len(thresholds), np.nan)
    return (values[None, :] <= np.asarray(thresholds)[:, None]).mean(axis=1)


@dataclass(frozen=True)
class SequenceScores:
    """The scores of one sequence (or the per-sequence average of several)."""

    frames_scored: int
    frames_absent: int
    success: tuple[float, ...]
    precision: tuple[float, ...]
    norm_precision: tuple[float, ...]

    @property
    def auc(self) -> float:
        """Success AUC: the mean of the success curve over its 21 thresholds."""
        return float(np.mean(self.success))

    @property
    def precision_20(self) -> float:
        """Precision at 20 px."""
        return _at(self.precision, PRECISION_THRESHOLDS_PX, PRECISION_AT_PX)

    @property
    def norm_precision_20(self) -> float:
        """Normalised precision at 0.2."""
        return _at(self.norm_precision, NORM_PRECISION_THRESHOLDS, NORM_PRECISION_AT)

    def summary(self) -> dict[str, float | int]:
        return {'auc': self.auc, 'precision_20px': self.precision_20,
                'norm_precision_0.2': self.norm_precision_20,
                'frames_scored': self.frames_scored, 'frames_absent': self.frames_absent}


def _at(curve: tuple[float, ...], thresholds: np.ndarray, value: float) -> float:
    index = int(np.flatnonzero(np.isclose(thresholds, value))[0])
    return float(curve[index])


def score_sequence(pred, gt, init_index: int = 0) -> SequenceScores:
    """
    Score one tracked sequence.

    ``pred`` and ``gt`` are (N, 4) ``x, y, w, h`` arrays, one row per frame; ``init_index`` is
    the frame the tracker was initialised on (it and the frames before it are not scored).
    """
    pred, gt = _rows(pred), _rows(gt)
    if pred.shape != gt.shape:
        raise ValueError(f'{len(pred)} predicted boxes for {len(gt)} ground-truth rows')
    after = np.arange(len(gt)) > init_index
    scored = after & present(gt)
    ious = iou(pred[scored], gt[scored])
    errors = center_error(pred[scored], gt[scored])
    norm_errors = normalized_center_error(pred[scored], gt[scored])
    return SequenceScores(
        frames_scored=int(scored.sum()), frames_absent=int((after & ~scored).sum()),
        success=tuple(float(v) for v in success_curve(ious)),
        precision=tuple(float(v) for v in precision_curve(errors)),
        norm_precision=tuple(float(v) for v in precision_curve(norm_errors,
                                                               NORM_PRECISION_THRESHOLDS)))


def average_scores(scores: Sequence[SequenceScores]) -> SequenceScores:
    """Average curves over the sequences that have scored frames (counts are summed)."""
    usable = [s for s in scores if s.frames_scored > 0]
    absent = sum(s.frames_absent for s in scores)
    if not usable:
        nan = float('nan')
        return SequenceScores(0, absent, (nan,) * len(SUCCESS_THRESHOLDS),
                              (nan,) * len(PRECISION_THRESHOLDS_PX),
                              (nan,) * len(NORM_PRECISION_THRESHOLDS))

    def mean(field: str) -> tuple[float, ...]:
        return tuple(float(v) for v in np.mean([getattr(s, field) for s in usable], axis=0))
    return SequenceScores(sum(s.frames_scored for s in usable), absent, mean('success'),
                          mean('precision'), mean('norm_precision'))
