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
from lite_tracker_ros.core.tracker import FrameLike
from lite_tracker_ros.core.tracker_loop import StageTimer, TrackerLoop
from lite_tracker_ros.core.types import BoxXYWH, Frame


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


class CenterHeadTracker(TrackerLoop):
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

    def _start(self, frame: Frame, box: BoxXYWH) -> BoxXYWH:
        crop = sample_target(frame, box, self.spec.template.factor, self.spec.template.size)
        inputs = {'template': normalize(crop.pixels, self.spec.mean, self.spec.std)}
        if 'template_bb' in self.spec.template_inputs:
            inputs['template_bb'] = template_box_input(box, crop.resize_factor,
                                                       self.spec.template.size)
        self.backend.set_template(inputs)
        return BoxXYWH(*(float(v) for v in box.as_tuple()))

    def _step(self, frame: Frame, box: BoxXYWH, timer: StageTimer) -> tuple[BoxXYWH, float]:
        search = self.spec.search
        crop = sample_target(frame, box, search.factor, search.size)
        inputs = {'search': normalize(crop.pixels, self.spec.mean, self.spec.std)}
        timer.mark('preprocess')
        outputs = self.backend.search(inputs)
        timer.mark('inference')
        peak = decode_center(outputs['score_map'], outputs['size_map'], outputs['offset_map'],
                             self._window)
        pred = box_to_crop_pixels(peak.box_cxcywh, search.size, crop.resize_factor)
        moved = map_box_back(pred, box, crop.resize_factor, search.size)
        return clip_box(moved, frame.width, frame.height), peak.score

    def _next_resampling(self, box: BoxXYWH) -> float | None:
        return crop_resampling(box, self.spec.search.factor, self.spec.search.size)

    def _next_region(self, box: BoxXYWH) -> tuple[float, float, float, float] | None:
        return crop_region(box, self.spec.search.factor)

    # long-term mode (lite_tracker_ros.core.long_term): normal search crops tiled over the
    # frame, batched through the backend where it allows, against the template cached at init

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
