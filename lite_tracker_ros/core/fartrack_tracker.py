# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
FARTrack's tracking loop on any :class:`Backend`: template memory, mask carry, token decoding.

Follows the reference tracker (MIV-XJTU/FARTrack, ``lib/test/tracker/fartrack_sparse.py``)
step by step (conformance README §4.10-11):

* ``init`` crops the 112 template (factor 2) and makes it stored template 0;
* ``update`` crops the 224 search region (factor 4) around the previous box, feeds the five
  template slots the :class:`TemplateMemory` selects with their token masks (backend
  ``set_template``: ``templates`` 1x5x3x112x112 and ``template_mask`` 1x245, refreshed every
  frame because both change every frame), then the search crop (``search``); decodes the four
  coordinate tokens (argmax + soft-argmax average), maps the box back and clips it (margin 10);
* then crops a new template at the new box and stores it together with the pruning mask this
  frame's forward produced for the newest slot's tokens.

The reference computes a Hann window but never applies it, and it builds trajectory tokens from
the last three boxes that the sparse network ignores: neither exists here.
"""

from __future__ import annotations

from typing import Sequence, TYPE_CHECKING

import numpy as np

from lite_tracker_ros.core.absence import AbsencePolicy, Candidate
from lite_tracker_ros.core.backend import Backend
from lite_tracker_ros.core.batched_search import search_many
from lite_tracker_ros.core.center_decode import box_to_crop_pixels
from lite_tracker_ros.core.crop import crop_region, crop_resampling, sample_target
from lite_tracker_ros.core.fartrack_template_memory import TemplateMemory
from lite_tracker_ros.core.frame import as_frame
from lite_tracker_ros.core.geometry import clip_box, map_box_back
from lite_tracker_ros.core.model_spec import ModelSpec
from lite_tracker_ros.core.normalize import normalize
from lite_tracker_ros.core.search_plan import SearchBudget, SearchWindow
from lite_tracker_ros.core.token_decode import bin_values, decode_tokens
from lite_tracker_ros.core.tracker import FrameLike
from lite_tracker_ros.core.tracker_loop import StageTimer, TrackerLoop
from lite_tracker_ros.core.types import BoxXYWH, Frame

if TYPE_CHECKING:  # the specs layer imports core, so core names its types for checkers only
    from lite_tracker_ros.specs.fartrack import FARTrackParams


class FARTrackTracker(TrackerLoop):
    """
    FARTrack behind the :class:`~lite_tracker_ros.core.tracker.Tracker` API.

    ``score`` is the smallest of the four coordinate tokens' softmax probabilities. The reference
    has no lost logic; a result reports LOST when the score is under ``lost_threshold``, by default
    0 (never): a token distribution over 600 bins can be confident yet low at its peak, and no
    threshold has been calibrated on the released weights.

    ``max_stored_templates`` caps the template memory (see :class:`TemplateMemory`): the default
    1024 templates (about 39 MB) keeps the reference's exact selections for the first ~1460
    frames and near ones after; None keeps every template the reference would (grows ~0.8 MB/s).
    """

    default_lost_threshold = 0.0
    #: long-term mode: the token probabilities have no meaningful absolute level (see above),
    #: so only drops relative to the track's own recent scores count (no real weights here to
    #: calibrate on: the numbers are NanoTrack's)
    default_absence_policy = AbsencePolicy(weak_margin=-30.0, reacquire_margin=-30.0)
    search_budget = SearchBudget(max_scale=1.0, per_frame=4, growth=1.6)

    def __init__(self, spec: ModelSpec, backend: Backend, params: FARTrackParams,
                 lost_threshold: float | None = None, max_stored_templates: int | None = 1024):
        self.spec = spec
        self.backend = backend
        self.params = params
        super().__init__(lost_threshold)
        tokens = (spec.template.size // params.patch_size) ** 2
        self._memory = TemplateMemory(params.num_templates, params.sampling_ratio, tokens,
                                      max_stored_templates)
        self._values = bin_values(params.bins, params.bin_range)
        self._last_slots: tuple[int, ...] = ()

    @property
    def last_template_indices(self) -> tuple[int, ...]:
        """Stored-template index of each slot in the latest ``update`` (0 = init template)."""
        return self._last_slots

    @property
    def memory(self) -> TemplateMemory:
        return self._memory

    def _start(self, frame: Frame, box: BoxXYWH) -> BoxXYWH:
        box = BoxXYWH(*(float(v) for v in box.as_tuple()))
        self._memory.reset(self._template_crop(frame, box))
        self._last_slots = ()
        return box

    def _step(self, frame: Frame, box: BoxXYWH, timer: StageTimer) -> tuple[BoxXYWH, float]:
        """Locate the target in the next frame, then update the template memory."""
        spec = self.spec
        crop = sample_target(frame, box, spec.search.factor, spec.search.size)
        slots = self._memory.selection()
        templates = self._template_inputs(slots)
        search = normalize(crop.pixels, spec.mean, spec.std)
        timer.mark('preprocess')
        self.backend.set_template(templates)
        outputs = self.backend.search({spec.search_inputs[0]: search})
        timer.mark('inference')
        decoded = decode_tokens(outputs['logits'], outputs['seqs'], self.params.bins,
                                self._values)
        pred = box_to_crop_pixels(decoded.cxcywh, spec.search.size, crop.resize_factor)
        moved = map_box_back(pred, box, crop.resize_factor, spec.search.size)
        moved = clip_box(moved, frame.width, frame.height)
        self._memory.add(self._template_crop(frame, moved),
                         np.asarray(outputs['mask']).reshape(-1) > 0.5)
        self._last_slots = tuple(slots)
        return moved, float(np.min(outputs['class_prob']))

    def _next_resampling(self, box: BoxXYWH) -> float | None:
        # the smaller of the search crop's and the new template's (both from that frame)
        spec = self.spec
        return min(crop_resampling(box, spec.search.factor, spec.search.size),
                   crop_resampling(box, spec.template.factor, spec.template.size))

    def _next_region(self, box: BoxXYWH) -> tuple[float, float, float, float] | None:
        # the search crop, grown by the template crop of a box centred anywhere in it and up to
        # twice the present size (the template is cut around the new box, known only after the
        # search); a template that still leaves it reads a whole decode (Frame.covering)
        spec = self.spec
        grow = spec.template.factor / spec.search.factor  # half a template side of 2x the box
        return crop_region(box, spec.search.factor, grow)

    def _forget(self) -> None:
        """Forget the template memory too."""
        self._last_slots = ()
        memory = self._memory
        self._memory = TemplateMemory(memory.num_templates, memory.sampling_ratio,
                                      memory.tokens_per_template, memory.max_stored)

    # long-term mode (lite_tracker_ros.core.long_term): normal search crops tiled over the
    # frame against the current template selection; the memory is not fed while searching

    def redetect(self, frame: FrameLike, anchor: BoxXYWH,
                 windows: Sequence[SearchWindow]) -> list[Candidate]:
        """Score the target (last size ``anchor``) in a normal search crop at each window."""
        frame = as_frame(frame)
        spec = self.spec
        self.backend.set_template(self._template_inputs(self._memory.selection()))
        boxes = [BoxXYWH.from_center(w.cx, w.cy, anchor.w, anchor.h) for w in windows]
        crops = [sample_target(frame, b, spec.search.factor, spec.search.size) for b in boxes]
        inputs = [{spec.search_inputs[0]: normalize(c.pixels, spec.mean, spec.std)}
                  for c in crops]
        found = []
        for outputs, crop, box in zip(search_many(self.backend, inputs), crops, boxes):
            decoded = decode_tokens(outputs['logits'], outputs['seqs'], self.params.bins,
                                    self._values)
            pred = box_to_crop_pixels(decoded.cxcywh, spec.search.size, crop.resize_factor)
            mapped = clip_box(map_box_back(pred, box, crop.resize_factor, spec.search.size),
                              frame.width, frame.height)
            found.append(Candidate(mapped, float(np.min(outputs['class_prob']))))
        return found

    def _template_inputs(self, slots: list[int]) -> dict[str, np.ndarray]:
        """Return the selected templates (1x5x3x112x112) and their token keep-mask."""
        spec = self.spec
        templates = np.concatenate(
            [normalize(self._memory.template(i), spec.mean, spec.std) for i in slots])[None]
        keep = self._memory.keep_mask(slots).astype(np.float32)[None]
        return dict(zip(spec.template_inputs, (templates, keep)))

    def _template_crop(self, frame, box: BoxXYWH) -> np.ndarray:
        template = self.spec.template
        return sample_target(frame, box, template.factor, template.size).pixels
