# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
The tracker loop shared by every centre-head family (LiteTrack, MVT, CompressTracker).

``init`` crops the template around the box and runs the backend's template path once;
``update`` crops the search region around the previous box, runs the search path, decodes the
peak of the Hann-windowed score map, maps it back into image pixels and clips it (margin 10).
Each step follows the reference trackers exactly (conformance README §4), so a backend that
computes the same maps gives the same boxes.

The state is a report, not a behaviour switch: when the windowed peak falls under
``lost_threshold`` the result says LOST, and the tracker keeps searching around its latest box
as the reference trackers do, so it recovers by itself when the score rises again.
"""

from __future__ import annotations

import math
import time
from typing import Sequence

import numpy as np

from lite_tracker_ros.core.absence import AbsencePolicy, Candidate
from lite_tracker_ros.core.backend import Backend
from lite_tracker_ros.core.batched_search import search_many
from lite_tracker_ros.core.center_decode import box_to_crop_pixels, decode_center, hann_window
from lite_tracker_ros.core.crop import crop_region, crop_resampling, sample_target
from lite_tracker_ros.core.frame import as_frame
from lite_tracker_ros.core.geometry import clip_box, map_box_back
from lite_tracker_ros.core.model_spec import ModelSpec
from lite_tracker_ros.core.normalize import normalize
from lite_tracker_ros.core.search_plan import SearchBudget, SearchWindow
from lite_tracker_ros.core.track_bookkeeping import TrackBookkeeping
from lite_tracker_ros.core.tracker import FrameLike
from lite_tracker_ros.core.types import BoxXYWH, TrackResult, TrackState


def template_box_input(box: BoxXYWH, resize_factor: float, template_size: int) -> np.ndarray:
    """
    Return the box as LiteTrack's target token sees it: normalised xyxy inside the template.

    The template crop is centred on the box, so the box centre sits at ``(size - 1) / 2`` and its
    sides are scaled by the crop's resize factor. Computed in float64, returned as 1x4 float32.
    """
    w = box.w * resize_factor
    h = box.h * resize_factor
    centre = (template_size - 1) / 2
    x, y = centre - 0.5 * w, centre - 0.5 * h
    xyxy = np.array([x, y, x + w, y + h], dtype=np.float64) / template_size
    return xyxy.astype(np.float32)[None]


class CenterHeadTracker(TrackBookkeeping):
    """Single-object tracker for any centre-head model, whatever backend computes it."""

    #: windowed peak score under which a result reports LOST. The window's own peak is about 0.98,
    #: and trained centre heads score a visible target well above 0.5.
    default_lost_threshold = 0.25
    #: long-term mode; with synthetic weights only, so the numbers are NanoTrack's (untested
    #: on real footage for this family: no trained weights here)
    default_absence_policy = AbsencePolicy()
    #: fixed-size inputs: tiles of the normal search crop, four per frame in one batch
    search_budget = SearchBudget(max_scale=1.0, per_frame=4, growth=1.6)

    def __init__(self, spec: ModelSpec, backend: Backend, lost_threshold: float | None = None):
        self.spec = spec
        self.backend = backend
        super().__init__(lost_threshold)
        self._window = hann_window(spec.feat_size)
        self._flat_window = np.ones_like(self._window)
        self._box: BoxXYWH | None = None

    @property
    def box(self) -> BoxXYWH | None:
        """Latest box in image pixels (the init box right after init); None when IDLE."""
        return self._box

    def init(self, frame: FrameLike, box: BoxXYWH) -> None:
        """Start a new track on ``box`` (image pixels) in ``frame``; allowed at any time."""
        self.check_init_box(box)
        frame = as_frame(frame)
        crop = sample_target(frame, box, self.spec.template.factor, self.spec.template.size)
        inputs = {'template': normalize(crop.pixels, self.spec.mean, self.spec.std)}
        if 'template_bb' in self.spec.template_inputs:
            inputs['template_bb'] = template_box_input(box, crop.resize_factor,
                                                       self.spec.template.size)
        self.backend.set_template(inputs)
        self._box = BoxXYWH(*(float(v) for v in box.as_tuple()))
        self._begin_track()

    def update(self, frame: FrameLike) -> TrackResult:
        """
        Locate the target in the next frame.

        Raises RuntimeError when IDLE (no init since construction or ``reset``): there is no
        target to look for, and a silent IDLE result would hide a wiring mistake.
        """
        if self._state is TrackState.IDLE or self._box is None:
            raise RuntimeError('update() called with no target: call init(frame, box) first')
        t0 = time.perf_counter()
        frame = as_frame(frame)
        search = self.spec.search
        crop = sample_target(frame, self._box, search.factor, search.size)
        inputs = {'search': normalize(crop.pixels, self.spec.mean, self.spec.std)}
        t1 = time.perf_counter()
        outputs = self.backend.search(inputs)
        t2 = time.perf_counter()
        peak = decode_center(outputs['score_map'], outputs['size_map'], outputs['offset_map'],
                             self._window)
        pred = box_to_crop_pixels(peak.box_cxcywh, search.size, crop.resize_factor)
        box = map_box_back(pred, self._box, crop.resize_factor, search.size)
        self._box = clip_box(box, frame.width, frame.height)
        self._judge(peak.score)
        t3 = time.perf_counter()
        return TrackResult(self._box, peak.score, self._state, self._track_id,
                           {'preprocess': t1 - t0, 'inference': t2 - t1, 'postprocess': t3 - t2})

    def search_resampling(self) -> float | None:
        """Full-image pixels per network input pixel of the next search crop; None when IDLE."""
        if self._state is TrackState.IDLE or self._box is None:
            return None
        return crop_resampling(self._box, self.spec.search.factor, self.spec.search.size)

    def search_region(self) -> tuple[float, float, float, float] | None:
        """Full-image pixels ``(x0, y0, x1, y1)`` the next search crop reads; None when IDLE."""
        if self._state is TrackState.IDLE or self._box is None:
            return None
        return crop_region(self._box, self.spec.search.factor)

    def reset(self) -> None:
        """Forget the target; the state becomes IDLE until the next ``init``."""
        self._box = None
        self._state = TrackState.IDLE

    # long-term mode (lite_tracker_ros.core.long_term): normal search crops tiled over the
    # frame, batched through the backend where it allows, against the template cached at init

    def search_side(self, box: BoxXYWH) -> float:
        return self.spec.search.factor * math.sqrt(box.w * box.h)

    def redetect(self, frame: FrameLike, anchor: BoxXYWH,
                 windows: Sequence[SearchWindow]) -> list[Candidate]:
        """Score the target (last size ``anchor``) in a normal search crop at each window."""
        frame = as_frame(frame)
        search = self.spec.search
        boxes = [BoxXYWH.from_center(w.cx, w.cy, anchor.w, anchor.h) for w in windows]
        crops = [sample_target(frame, b, search.factor, search.size) for b in boxes]
        inputs = [{'search': normalize(c.pixels, self.spec.mean, self.spec.std)} for c in crops]
        found = []
        for outputs, crop, box in zip(search_many(self.backend, inputs), crops, boxes):
            # no Hann window: the target may be anywhere in a tile, not near its centre
            peak = decode_center(outputs['score_map'], outputs['size_map'],
                                 outputs['offset_map'], self._flat_window)
            pred = box_to_crop_pixels(peak.box_cxcywh, search.size, crop.resize_factor)
            mapped = clip_box(map_box_back(pred, box, crop.resize_factor, search.size),
                              frame.width, frame.height)
            found.append(Candidate(mapped, peak.score))
        return found

    def resume(self, box: BoxXYWH) -> None:
        self._box = box
        self._state = TrackState.TRACKING
