# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Decoding of FARTrack's coordinate tokens into a box normalised to the search crop.

Each of the four queries (x0, y0, x1, y1) yields logits over ``bins * range`` coordinate bins
(plus command and padding classes). The reference tracker (``lib/test/tracker/fartrack_sparse.py``)
averages two estimates: the argmax bin's centre ``(seq + 0.5) / (bins - 1) - 0.5`` and the
soft-argmax ``sum_k softmax(logits[:bins*range])_k * v_k`` over the bin values ``v``. The box is
then turned into centre/size in place: ``w = x1 - x0``, ``cx = x0 + w / 2`` (same for y). A
prediction with x1 < x0 gives a negative width, which ``clip_box`` later turns into its margin.

All float32, as the reference; the softmax sum order differs from torch's by a few ulps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TokenBox:
    """The decode steps, each a float32 (4,) array normalised to the search crop."""

    argmax_xyxy: np.ndarray
    soft_xyxy: np.ndarray
    xyxy: np.ndarray
    cxcywh: np.ndarray


def bin_values(bins: int, bin_range: int) -> np.ndarray:
    """
    Return the soft-argmax value of each coordinate bin, float32 (``bins * bin_range``,).

    ``v_k = (0.5 - range/2) + k * 2 / (bins * range)``, accumulated in float64 and rounded once
    (how ``torch.range`` fills a float32 tensor); for range 2 this covers [-0.5, 1.5).
    """
    count = bins * bin_range
    start = 0.5 - 0.5 * bin_range
    return (start + np.arange(count, dtype=np.float64) * (2.0 / count)).astype(np.float32)


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def decode_tokens(logits: np.ndarray, seqs: np.ndarray, bins: int,
                  values: np.ndarray) -> TokenBox:
    """
    Decode the four query tokens of one frame.

    ``logits``: the four queries' logits (any shape with 4 rows of the class count, e.g.
    ``1x4xV``); ``seqs``: their argmax class ids (4 values, any numeric dtype); ``values``: the
    :func:`bin_values` of the model.
    """
    count = values.shape[0]
    rows = np.asarray(logits, dtype=np.float32).reshape(4, -1)[:, :count]
    soft = (_softmax(rows) * values).sum(axis=-1, dtype=np.float32)
    ids = np.rint(np.asarray(seqs, dtype=np.float64).reshape(4)).astype(np.float32)
    argmax = (ids + np.float32(0.5)) / np.float32(bins - 1) - np.float32(0.5)
    xyxy = (soft + argmax) / np.float32(2.0)
    w = xyxy[2] - xyxy[0]
    h = xyxy[3] - xyxy[1]
    half = np.float32(2.0)
    cxcywh = np.array([xyxy[0] + w / half, xyxy[1] + h / half, w, h], dtype=np.float32)
    return TokenBox(argmax.astype(np.float32), soft.astype(np.float32), xyxy, cxcywh)
