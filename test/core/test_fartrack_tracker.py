# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
FARTrack tracker loop on a scripted backend: call mapping, geometry, re-init and reset.

The conformance of the whole loop against the reference (60 frames) is in
``test/networks/test_fartrack_conformance.py``; these tests need no data and no torch.
"""

import numpy as np
import pytest

from lite_tracker_ros.core.fartrack_tracker import FARTrackTracker
from lite_tracker_ros.core.types import BoxXYWH, TrackState
from lite_tracker_ros.specs.fartrack import PARAMS, SPECS

SPEC = SPECS['fartrack']


class _ScriptedBackend:
    """Predicts a fixed box (x0, y0, x1, y1 normalised to the search crop) with one-hot logits."""

    name, device = 'scripted', 'cpu'

    def __init__(self, xyxy, prob=0.9):
        self.template_calls, self.search_calls = [], []
        # the bin whose soft value and argmax centre are both closest to each coordinate
        self.ids = [int(round((v + 0.5) * PARAMS.bins)) for v in xyxy]
        self.prob = prob

    def set_template(self, inputs):
        self.template_calls.append(dict(inputs))

    def search(self, inputs):
        self.search_calls.append(dict(inputs))
        logits = np.full((1, 4, PARAMS.vocab_size), -40.0, dtype=np.float32)
        for q, k in enumerate(self.ids):
            logits[0, q, k] = 40.0
        mask = np.ones((1, 49), dtype=np.float32)
        mask[0, :12] = 0.0
        return {'logits': logits, 'seqs': np.asarray([self.ids], dtype=np.float32),
                'class_prob': np.full((1, 4), self.prob, dtype=np.float32), 'mask': mask}


def _frame(seed=0):
    return np.random.default_rng(seed).integers(0, 256, (240, 320, 3), dtype=np.uint8)


def test_backend_calls_follow_the_spec_names_and_shapes():
    backend = _ScriptedBackend([0.375, 0.375, 0.625, 0.625])
    tracker = FARTrackTracker(SPEC, backend, PARAMS)
    tracker.init(_frame(), BoxXYWH(140.0, 100.0, 40.0, 40.0))
    assert backend.template_calls == []  # templates go with each search
    for _ in range(3):
        tracker.update(_frame())
    call = backend.template_calls[-1]
    assert set(call) == set(SPEC.template_inputs)
    assert call['templates'].shape == (1, 5, 3, 112, 112)
    assert call['templates'].dtype == np.float32
    assert call['template_mask'].shape == (1, 245)
    assert set(backend.search_calls[-1]) == set(SPEC.search_inputs)
    assert backend.search_calls[-1]['search'].shape == (1, 3, 224, 224)
    # third forward: 3 stored templates, slots (0, 0, 0, 1, 2); slots 0-3 carry their masks
    assert tracker.last_template_indices == (0, 0, 0, 1, 2)
    assert (call['template_mask'][0] == 0).sum() == 4 * 12


def test_centred_prediction_keeps_the_box():
    """A crop-centred box of a quarter of the crop side is the target itself (factor 4)."""
    backend = _ScriptedBackend([0.375, 0.375, 0.625, 0.625])
    tracker = FARTrackTracker(SPEC, backend, PARAMS)
    box = BoxXYWH(140.0, 100.0, 40.0, 40.0)
    tracker.init(_frame(), box)
    result = tracker.update(_frame())
    # one bin is 1/300 of the 160 px crop: about half a pixel
    np.testing.assert_allclose(result.box.as_tuple(), box.as_tuple(), atol=1.0)
    assert result.state is TrackState.TRACKING
    assert result.score == pytest.approx(0.9)
    assert set(result.timings_s) == {'preprocess', 'inference', 'postprocess'}


def test_shifted_prediction_moves_the_box_by_crop_pixels():
    # crop side = ceil(sqrt(40*40) * 4) = 160 px: +0.125 of the crop is +20 px in the image
    backend = _ScriptedBackend([0.5, 0.375, 0.75, 0.625])
    tracker = FARTrackTracker(SPEC, backend, PARAMS)
    tracker.init(_frame(), BoxXYWH(140.0, 100.0, 40.0, 40.0))
    result = tracker.update(_frame())
    np.testing.assert_allclose(result.box.as_tuple(), (160.0, 100.0, 40.0, 40.0), atol=1.0)


def test_inverted_prediction_is_clipped_to_the_margin():
    backend = _ScriptedBackend([0.625, 0.625, 0.375, 0.375])
    tracker = FARTrackTracker(SPEC, backend, PARAMS)
    tracker.init(_frame(), BoxXYWH(140.0, 100.0, 40.0, 40.0))
    box = tracker.update(_frame()).box
    assert box.w == 10.0 and box.h == 10.0


def test_reinit_starts_a_new_track_with_a_fresh_memory():
    backend = _ScriptedBackend([0.375, 0.375, 0.625, 0.625])
    tracker = FARTrackTracker(SPEC, backend, PARAMS)
    tracker.init(_frame(), BoxXYWH(140.0, 100.0, 40.0, 40.0))
    for _ in range(7):
        tracker.update(_frame())
    assert tracker.memory.count == 8
    tracker.init(_frame(1), BoxXYWH(20.0, 30.0, 50.0, 60.0))
    assert tracker.memory.count == 1
    result = tracker.update(_frame(1))
    assert result.track_id == 2
    assert tracker.last_template_indices == (0, 0, 0, 0, 0)
    assert backend.template_calls[-1]['template_mask'].all()


def test_reset_and_update_without_init():
    tracker = FARTrackTracker(SPEC, _ScriptedBackend([0.4, 0.4, 0.6, 0.6]), PARAMS)
    with pytest.raises(RuntimeError, match='init'):
        tracker.update(_frame())
    tracker.init(_frame(), BoxXYWH(140.0, 100.0, 40.0, 40.0))
    tracker.reset()
    assert tracker.state is TrackState.IDLE and tracker.box is None
    with pytest.raises(RuntimeError):
        tracker.update(_frame())


def test_low_token_probability_reports_lost():
    backend = _ScriptedBackend([0.375, 0.375, 0.625, 0.625], prob=0.05)
    tracker = FARTrackTracker(SPEC, backend, PARAMS, lost_threshold=0.1)
    tracker.init(_frame(), BoxXYWH(140.0, 100.0, 40.0, 40.0))
    assert tracker.update(_frame()).state is TrackState.LOST


def test_rejects_an_empty_init_box():
    tracker = FARTrackTracker(SPEC, _ScriptedBackend([0.4, 0.4, 0.6, 0.6]), PARAMS)
    with pytest.raises(ValueError):
        tracker.init(_frame(), BoxXYWH(10.0, 10.0, 0.0, 5.0))


def test_template_memory_cap_holds_across_updates_and_reset():
    backend = _ScriptedBackend([0.375, 0.375, 0.625, 0.625])
    tracker = FARTrackTracker(SPEC, backend, PARAMS, max_stored_templates=10)
    frame = _frame()
    tracker.init(frame, BoxXYWH(140.0, 100.0, 40.0, 40.0))
    for _ in range(60):
        tracker.update(frame)
        assert len(tracker.memory.stored_indices) <= 10
    assert tracker.memory.stride > 1 and tracker.last_template_indices[-1] == 59
    tracker.reset()
    tracker.init(frame, BoxXYWH(140.0, 100.0, 40.0, 40.0))
    for _ in range(60):
        tracker.update(frame)
    assert len(tracker.memory.stored_indices) <= 10


def test_default_memory_is_capped_and_none_keeps_every_template():
    tracker = FARTrackTracker(SPEC, _ScriptedBackend([0.4, 0.4, 0.6, 0.6]), PARAMS)
    assert tracker.memory.max_stored is not None
    unbounded = FARTrackTracker(SPEC, _ScriptedBackend([0.4, 0.4, 0.6, 0.6]), PARAMS,
                                max_stored_templates=None)
    assert unbounded.memory.max_stored is None


def test_default_threshold_never_reports_lost_and_none_restores_it():
    backend = _ScriptedBackend([0.375, 0.375, 0.625, 0.625], prob=0.002)
    tracker = FARTrackTracker(SPEC, backend, PARAMS)
    tracker.init(_frame(), BoxXYWH(140.0, 100.0, 40.0, 40.0))
    assert tracker.update(_frame()).state is TrackState.TRACKING
    tracker.lost_threshold = 0.25
    assert tracker.update(_frame()).state is TrackState.LOST
    tracker.lost_threshold = None
    assert tracker.lost_threshold == 0.0
    assert tracker.update(_frame()).state is TrackState.TRACKING
