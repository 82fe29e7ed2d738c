# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
NanoTrack's tracking loop on any :class:`Backend`.

The template path runs once per ``init`` on a 127 px crop; each ``update`` crops 255 px around
the last position, and the backend returns the ``cls`` logits and ``loc`` side distances of
every map cell. The cell chosen is the best foreground probability after a penalty on size and
aspect changes and a Hann (cosine) window on distance from the last position; the size moves
toward the prediction by ``lr`` times that cell's penalised score, and the box is clipped to the
frame. The arithmetic follows the upstream Python tracker (HonglinChu/SiamTrackers,
``nanotrack/tracker/nano_tracker.py``) but for two choices: the box centre is ``x + w/2``
(upstream takes ``x + (w-1)/2`` on init but ``w/2`` on output, a half-pixel shift), and the
padding colour is the mean of the visible part of each crop window rather than of the whole
first frame, so no frame is ever read whole. ``NanoTrackParams.opencv`` switches to
cv2.TrackerNano's arithmetic instead.
"""

from __future__ import annotations

import math
import time
from typing import Sequence, TYPE_CHECKING

import cv2
import numpy as np

from lite_tracker_ros.core.absence import AbsencePolicy, Candidate
from lite_tracker_ros.core.backend import Backend
from lite_tracker_ros.core.batched_search import search_many
from lite_tracker_ros.core.frame import as_frame
from lite_tracker_ros.core.model_spec import ModelSpec
from lite_tracker_ros.core.reduced_crop import crop_reduced
from lite_tracker_ros.core.search_plan import SearchBudget, SearchWindow
from lite_tracker_ros.core.siamese_crop import (
    crop_square, SquareWindow, wide_search_crop, WideCrop)
from lite_tracker_ros.core.track_bookkeeping import TrackBookkeeping
from lite_tracker_ros.core.tracker import FrameLike
from lite_tracker_ros.core.types import BoxXYWH, ChannelOrder, Frame, TrackResult, TrackState

if TYPE_CHECKING:  # the specs layer imports core, so core names its types for checkers only
    from lite_tracker_ros.specs.nanotrack import NanoTrackParams


def _size_term(w, h):
    # SiamRPN's size with context: the side of the square that holds w x h plus its margin
    pad = 0.5 * (w + h)
    return np.sqrt((w + pad) * (h + pad))


def _change(ratio):
    return np.maximum(ratio, 1.0 / ratio)


class NanoTracker(TrackBookkeeping):
    """
    NanoTrack v1/v2/v3 behind the :class:`~lite_tracker_ros.core.tracker.Tracker` API.

    LOST is a report, not a behaviour switch: the tracker keeps searching around its latest
    box, as upstream does, and reports TRACKING again when the score rises.
    """

    #: foreground probability at the chosen cell under which a result reports LOST. On the 12
    #: sequences of ../shared/data/sot, v2 scores under it on under 1 % of frames; a Siamese score
    #: stays high on a distractor, so it flags a vanished target more than a drift.
    default_lost_threshold = 0.25
    #: long-term mode: calibrated on NanoTrack v2 (see docs/benchmarks.md, long-term section)
    default_absence_policy = AbsencePolicy()
    #: a fully convolutional model: one larger search image per frame, up to 3x the normal side
    search_budget = SearchBudget(max_scale=3.0, per_frame=1, growth=1.6, verify=2,
                                 verify_scales=(0.8, 1.0, 1.25))

    def __init__(self, spec: ModelSpec, backend: Backend, params: NanoTrackParams,
                 lost_threshold: float | None = None) -> None:
        if spec.feat_size != params.score_size:
            raise ValueError(f'spec {spec.name} has {spec.feat_size}x{spec.feat_size} maps but '
                             f'the params expect {params.score_size}; use the same model name')
        self._backend = backend
        self._spec = spec
        self._params = params
        self._quirks = params.opencv
        size = params.score_size
        hann = np.hanning(size)
        window = np.outer(hann, hann)
        if self._quirks is not None and self._quirks.sqrt_window:
            window = np.sqrt(window)
        self._window = window.ravel()
        offsets = (np.arange(size) - size // 2) * float(params.stride)
        self._grid_x = np.tile(offsets, size)
        self._grid_y = np.repeat(offsets, size)
        std = np.asarray(spec.std, dtype=np.float64)
        gain, bias = 1.0 / (255.0 * std), -np.asarray(spec.mean, dtype=np.float64) / std
        self._normalise = None
        if not (np.allclose(gain, 1.0) and np.allclose(bias, 0.0)):
            self._normalise = (gain.astype(np.float32).reshape(3, 1, 1),
                               bias.astype(np.float32).reshape(3, 1, 1))
        super().__init__(lost_threshold)
        self._cx = self._cy = self._w = self._h = 0.0

    @property
    def spec(self) -> ModelSpec:
        return self._spec

    @property
    def params(self) -> NanoTrackParams:
        return self._params

    def init(self, frame: FrameLike, box: BoxXYWH) -> None:
        self.check_init_box(box)
        frame = as_frame(frame)
        p = self._params
        self._cx, self._cy, self._w, self._h = box.cx, box.cy, box.w, box.h
        if self._quirks is not None and self._quirks.integer_crop:
            side = int(np.float32(p.template_side(box.w, box.h)))
            window = self._opencv_window(side)
        else:
            side = round(p.template_side(box.w, box.h))
            window = SquareWindow.around(self._cx, self._cy, side)
        blob = self._blob(self._crop(frame, window, p.exemplar_size), frame.order)
        self._backend.set_template({self._spec.template_inputs[0]: blob})
        self._begin_track()

    def update(self, frame: FrameLike) -> TrackResult:
        if self._state is TrackState.IDLE:
            raise RuntimeError('update() before init(): call init(frame, box) first')
        t0 = time.perf_counter()
        frame = as_frame(frame)
        p = self._params
        if self._quirks is not None and self._quirks.integer_crop:
            context = p.context_amount * int(self._w + self._h)
            s_z = math.sqrt((self._w + context) * (self._h + context))
            scale = p.exemplar_size / s_z
            window = self._opencv_window(int(s_z * (p.instance_size // p.exemplar_size)))
        else:
            window = SquareWindow.around(self._cx, self._cy,
                                         round(p.search_side(self._w, self._h)))
            scale = p.instance_size / window.side
        blob = self._blob(self._crop(frame, window, p.instance_size), frame.order)
        t1 = time.perf_counter()
        outputs = self._backend.search({self._spec.search_inputs[0]: blob})
        t2 = time.perf_counter()
        score = self._decode(outputs, scale, frame)
        self._judge(score)
        box = BoxXYWH.from_center(self._cx, self._cy, self._w, self._h)
        t3 = time.perf_counter()
        return TrackResult(box=box, score=score, state=self._state, track_id=self._track_id,
                           timings_s={'preprocess': t1 - t0, 'inference': t2 - t1,
                                      'postprocess': t3 - t2})

    def reset(self) -> None:
        self._state = TrackState.IDLE

    @property
    def box(self) -> BoxXYWH | None:
        """Latest box in image pixels; None when IDLE."""
        if self._state is TrackState.IDLE:
            return None
        return BoxXYWH.from_center(self._cx, self._cy, self._w, self._h)

    # long-term mode (lite_tracker_ros.core.long_term): a larger search image in one pass

    def search_side(self, box: BoxXYWH) -> float:
        return self._params.search_side(box.w, box.h)

    def redetect(self, frame: FrameLike, anchor: BoxXYWH,
                 windows: Sequence[SearchWindow]) -> list[Candidate]:
        """
        Score the target (last size ``anchor``) in each window; the best places of each.

        A normal-size window is scored as tracking scores it (size penalty, Hann window around
        its centre), so its score compares with the track's; a larger window returns its few
        best places, whose scores do not compare (the head's channel attention pools over the
        whole map) and which the long-term mode verifies with normal windows.
        """
        frame = as_frame(frame)
        scale = self._params.instance_size / self._params.search_side(anchor.w, anchor.h)
        crops = [wide_search_crop(frame, w, scale, self._params.instance_size,
                                  self._params.stride) for w in windows]
        blobs = [{self._spec.search_inputs[0]: self._blob(c.pixels, frame.order)} for c in crops]
        outputs = search_many(self._backend, blobs)
        found: list[Candidate] = []
        for output, crop in zip(outputs, crops):
            found += self._places(output, crop, anchor, scale)
        return found

    def resume(self, box: BoxXYWH) -> None:
        self._cx, self._cy, self._w, self._h = box.cx, box.cy, box.w, box.h
        self._state = TrackState.TRACKING

    def _places(self, outputs: dict[str, np.ndarray], crop: WideCrop, anchor: BoxXYWH,
                scale: float, count: int = 3) -> list[Candidate]:
        p = self._params
        cls_name, loc_name = self._spec.search_outputs
        cls = np.asarray(outputs[cls_name], dtype=np.float64)
        rows, cols = cls.shape[-2:]
        logits = cls.reshape(2, -1)
        loc = np.asarray(outputs[loc_name], dtype=np.float64).reshape(4, -1)
        score = 1.0 / (1.0 + np.exp(logits[0] - logits[1]))
        pred_w, pred_h = loc[0] + loc[2], loc[1] + loc[3]
        target_w, target_h = anchor.w * scale, anchor.h * scale
        scale_change = _change(_size_term(pred_w, pred_h) / _size_term(target_w, target_h))
        ratio_change = _change((target_w / target_h) / (pred_w / pred_h))
        penalised = np.exp(-(ratio_change * scale_change - 1.0) * p.penalty_k) * score
        normal = rows * cols == self._window.size
        if normal:
            ranked = penalised * (1.0 - p.window_influence) + self._window * p.window_influence
            count = 1
        else:
            ranked = penalised.copy()
        # cells of one place: within a target size of each other
        spread = max(1.0, math.sqrt(target_w * target_h) / p.stride)
        places = []
        for _ in range(count):
            best = int(np.argmax(ranked))
            if not np.isfinite(ranked[best]):
                break
            row, col = divmod(best, cols)
            places.append(self._place(best, row, col, crop, anchor, scale, score, penalised, loc))
            grid_r, grid_c = np.divmod(np.arange(rows * cols), cols)
            ranked[np.hypot(grid_r - row, grid_c - col) <= spread] = -np.inf
        return places

    def _place(self, best, row, col, crop, anchor, scale, score, penalised, loc) -> Candidate:
        p = self._params
        # a cell's offset from the crop centre, as in the 255 px map, shifted by the extra size
        dx = (col - p.score_size // 2) * p.stride - 0.5 * (crop.pixels.shape[1] - p.instance_size)
        dy = (row - p.score_size // 2) * p.stride - 0.5 * (crop.pixels.shape[0] - p.instance_size)
        cx = crop.centre_x + (dx + 0.5 * (loc[2, best] - loc[0, best])) / scale
        cy = crop.centre_y + (dy + 0.5 * (loc[3, best] - loc[1, best])) / scale
        lr = penalised[best] * p.lr
        w = anchor.w * (1.0 - lr) + (loc[0, best] + loc[2, best]) / scale * lr
        h = anchor.h * (1.0 - lr) + (loc[1, best] + loc[3, best]) / scale * lr
        w = max(p.min_size, min(float(w), float(crop.frame_width)))
        h = max(p.min_size, min(float(h), float(crop.frame_height)))
        cx = min(max(float(cx), 0.0), float(crop.frame_width))
        cy = min(max(float(cy), 0.0), float(crop.frame_height))
        return Candidate(BoxXYWH.from_center(cx, cy, w, h), float(score[best]))

    def _opencv_window(self, side: int) -> SquareWindow:
        # cv2.TrackerNano truncates the centre, then steps back by the rounded-up half side
        half = (side + 1) // 2
        return SquareWindow(int(self._cx) - half, int(self._cy) - half, max(side, 1))

    def search_resampling(self) -> float | None:
        """
        Full-image pixels per network input pixel of the next ``update``'s search crop.

        None when IDLE, and with the OpenCV arithmetic (kept exact: whole frames only).
        """
        if self._state is TrackState.IDLE or self._quirks is not None:
            return None
        return round(self._params.search_side(self._w, self._h)) / self._params.instance_size

    def _crop(self, frame: Frame, window: SquareWindow, out_size: int) -> np.ndarray:
        if frame.scale != 1:
            return crop_reduced(frame, window.x0, window.y0, window.side, out_size, None)
        pixels = frame.pixels
        pad = None
        if (self._quirks is not None and self._quirks.frame_mean_pad
                and not window.inside(frame.height, frame.width)):
            pad = cv2.mean(pixels)
        return crop_square(pixels, window, out_size, pad)

    def _blob(self, crop: np.ndarray, order: ChannelOrder) -> np.ndarray:
        height, width = crop.shape[:2]
        blob = np.empty((1, 3, height, width), dtype=np.float32)
        if crop.ndim == 2 or crop.shape[2] == 1:
            blob[0] = crop.reshape(1, height, width)
        elif order is self._params.input_order:
            blob[0] = crop.transpose(2, 0, 1)
        else:
            blob[0] = crop[..., ::-1].transpose(2, 0, 1)
        if self._normalise is not None:
            gain, bias = self._normalise
            blob[0] = blob[0] * gain + bias
        return blob

    def _decode(self, outputs: dict[str, np.ndarray], scale: float, frame: Frame) -> float:
        """Choose the best cell, move the state there and return its foreground probability."""
        p = self._params
        cls_name, loc_name = self._spec.search_outputs
        logits = np.asarray(outputs[cls_name], dtype=np.float64).reshape(2, -1)
        loc = np.asarray(outputs[loc_name], dtype=np.float64).reshape(4, -1)
        score = 1.0 / (1.0 + np.exp(logits[0] - logits[1]))
        pred_w, pred_h = loc[0] + loc[2], loc[1] + loc[3]
        target_w, target_h = self._w * scale, self._h * scale
        if self._quirks is not None and self._quirks.scale_vs_position:
            reference = _size_term(self._cx, self._cy)
        else:
            reference = _size_term(target_w, target_h)
        scale_change = _change(_size_term(pred_w, pred_h) / reference)
        ratio_change = _change((target_w / target_h) / (pred_w / pred_h))
        penalty = np.exp(-(ratio_change * scale_change - 1.0) * p.penalty_k)
        penalised = penalty * score
        ranked = penalised * (1.0 - p.window_influence) + self._window * p.window_influence
        best = int(np.argmax(ranked))
        lr = penalised[best] * p.lr
        cx = self._cx + (self._grid_x[best] + 0.5 * (loc[2, best] - loc[0, best])) / scale
        cy = self._cy + (self._grid_y[best] + 0.5 * (loc[3, best] - loc[1, best])) / scale
        w = self._w * (1.0 - lr) + pred_w[best] / scale * lr
        h = self._h * (1.0 - lr) + pred_h[best] / scale * lr
        self._cx = min(max(float(cx), 0.0), float(frame.width))
        self._cy = min(max(float(cy), 0.0), float(frame.height))
        self._w = max(p.min_size, min(float(w), float(frame.width)))
        self._h = max(p.min_size, min(float(h), float(frame.height)))
        return float(score[best])
