# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
The shared centre-head tracker loop, against a scripted fake backend.

The fake returns maps whose peak, offset and size are chosen by each test, so the expected box
follows from the crop geometry by hand: a peak at cell (8, 8) with zero offset is the crop
centre, and a size of 0.25 of a factor-4 search crop is the box's geometric-mean side.
"""

import math

import numpy as np
import pytest

from lite_tracker_ros.core.backend import Backend
from lite_tracker_ros.core.center_tracker import CenterHeadTracker
from lite_tracker_ros.core.model_spec import CropSpec, ModelSpec
from lite_tracker_ros.core.tracker import Tracker
from lite_tracker_ros.core.types import BoxXYWH, ChannelOrder, Frame, TrackState

FEAT = 16
SPEC = ModelSpec(name='fake', family='fake', template=CropSpec(128, 2.0),
                 search=CropSpec(256, 4.0), template_inputs=('template', 'template_bb'))


class FakeBackend:
    """Records its inputs; answers with a peak at ``cell`` of raw height ``peak``."""

    name = 'fake'
    device = 'cpu'

    def __init__(self, cell=(8, 8), peak=0.9, size=(0.25, 0.25), offset=(0.0, 0.0)):
        self.cell, self.peak, self.size, self.offset = cell, peak, size, offset
        self.templates, self.searches = [], []

    def set_template(self, inputs):
        self.templates.append({k: np.array(v) for k, v in inputs.items()})

    def search(self, inputs):
        self.searches.append({k: np.array(v) for k, v in inputs.items()})
        iy, ix = self.cell
        score = np.full((1, 1, FEAT, FEAT), 1e-4, np.float32)
        score[0, 0, iy, ix] = self.peak
        size = np.full((1, 2, FEAT, FEAT), 0.1, np.float32)
        size[0, :, iy, ix] = self.size
        offset = np.zeros((1, 2, FEAT, FEAT), np.float32)
        offset[0, :, iy, ix] = self.offset
        return {'score_map': score, 'size_map': size, 'offset_map': offset}


def _frame(h=480, w=640, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def _window_peak():
    k = np.arange(1, FEAT + 1)
    h = 0.5 * (1 - np.cos(2 * math.pi / (FEAT + 1) * k))
    return h[8] * h[8]


def test_implements_the_protocols():
    tracker = CenterHeadTracker(SPEC, FakeBackend())
    assert isinstance(tracker, Tracker)
    assert isinstance(FakeBackend(), Backend)
    assert tracker.state is TrackState.IDLE and tracker.track_id == 0
    assert tracker.lost_threshold == CenterHeadTracker.default_lost_threshold


def test_centre_peak_keeps_a_square_box_in_place():
    backend = FakeBackend()
    tracker = CenterHeadTracker(SPEC, backend)
    tracker.init(_frame(), BoxXYWH(300.0, 200.0, 40.0, 40.0))
    result = tracker.update(_frame(seed=1))
    # search side ceil(40*4) = 160 px; cell 8 of 16 = crop centre; 0.25 * 160 = 40 px
    assert result.box.as_tuple() == pytest.approx((300.0, 200.0, 40.0, 40.0), abs=1e-4)
    assert result.state is TrackState.TRACKING and result.track_id == 1
    assert result.score == pytest.approx(0.9 * _window_peak(), rel=1e-6)
    assert set(result.timings_s) == {'preprocess', 'inference', 'postprocess'}
    assert all(t >= 0 for t in result.timings_s.values())


def test_offset_peak_moves_the_box_by_the_cell_size():
    backend = FakeBackend(cell=(8, 10), offset=(0.5, 0.0))
    tracker = CenterHeadTracker(SPEC, backend)
    tracker.init(_frame(), BoxXYWH(300.0, 200.0, 40.0, 40.0))
    box = tracker.update(_frame()).box
    # 2.5 cells right of the centre; a cell is 160 / 16 = 10 image pixels
    assert (box.x, box.y) == pytest.approx((325.0, 200.0), abs=1e-4)


def test_inputs_given_to_the_backend():
    backend = FakeBackend()
    tracker = CenterHeadTracker(SPEC, backend)
    tracker.init(_frame(), BoxXYWH(300.0, 200.0, 40.0, 20.0))
    tracker.update(_frame())
    template, search = backend.templates[0], backend.searches[0]
    assert set(template) == {'template', 'template_bb'} and set(search) == {'search'}
    assert template['template'].shape == (1, 3, 128, 128)
    assert template['template'].dtype == np.float32
    assert search['search'].shape == (1, 3, 256, 256)
    # the template crop is centred on the box: its normalised box sits around 63.5 / 128
    side = math.ceil(math.sqrt(40 * 20) * 2)
    w, h = 40 * 128 / side, 20 * 128 / side
    expected = np.array([63.5 - w / 2, 63.5 - h / 2, 63.5 + w / 2, 63.5 + h / 2]) / 128
    np.testing.assert_allclose(template['template_bb'][0], expected, rtol=0, atol=1e-7)


def test_template_bb_only_when_the_model_takes_it():
    spec = ModelSpec(name='plain', family='fake', template=CropSpec(128, 2.0),
                     search=CropSpec(256, 4.0))
    backend = FakeBackend()
    CenterHeadTracker(spec, backend).init(_frame(), BoxXYWH(300.0, 200.0, 40.0, 20.0))
    assert set(backend.templates[0]) == {'template'}


def test_lost_threshold_on_the_windowed_score():
    backend = FakeBackend(peak=0.3)  # windowed: 0.3 * 0.97... just under 0.3
    tracker = CenterHeadTracker(SPEC, backend, lost_threshold=0.29)
    tracker.init(_frame(), BoxXYWH(300.0, 200.0, 40.0, 40.0))
    assert tracker.update(_frame()).state is TrackState.TRACKING
    tracker.lost_threshold = 0.3
    result = tracker.update(_frame())
    assert result.state is TrackState.LOST and tracker.state is TrackState.LOST
    # LOST is a report: the tracker keeps searching and recovers when the score rises
    backend.peak = 0.9
    assert tracker.update(_frame()).state is TrackState.TRACKING


@pytest.mark.parametrize('bad', [-0.1, 1.5, float('nan')])
def test_lost_threshold_is_validated(bad):
    with pytest.raises(ValueError, match='lost_threshold'):
        CenterHeadTracker(SPEC, FakeBackend(), lost_threshold=bad)


def test_reinit_starts_a_new_track():
    backend = FakeBackend()
    tracker = CenterHeadTracker(SPEC, backend)
    tracker.init(_frame(), BoxXYWH(300.0, 200.0, 40.0, 40.0))
    tracker.update(_frame())
    tracker.init(_frame(), BoxXYWH(100.0, 100.0, 30.0, 30.0))
    result = tracker.update(_frame())
    assert result.track_id == 2 and len(backend.templates) == 2
    assert result.box.as_tuple() == pytest.approx((100.0, 100.0, 30.0, 30.0), abs=1e-4)


def test_update_when_idle_raises():
    tracker = CenterHeadTracker(SPEC, FakeBackend())
    with pytest.raises(RuntimeError, match='init'):
        tracker.update(_frame())
    tracker.init(_frame(), BoxXYWH(300.0, 200.0, 40.0, 40.0))
    tracker.reset()
    assert tracker.state is TrackState.IDLE and tracker.box is None
    with pytest.raises(RuntimeError, match='init'):
        tracker.update(_frame())


@pytest.mark.parametrize('box', [BoxXYWH(1, 2, 0, 5), BoxXYWH(1, 2, 5, -1),
                                 BoxXYWH(float('nan'), 2, 5, 5), BoxXYWH(1, 2, float('inf'), 5)])
def test_invalid_init_box_raises(box):
    tracker = CenterHeadTracker(SPEC, FakeBackend())
    with pytest.raises(ValueError, match='positive width and height'):
        tracker.init(_frame(), box)
    assert tracker.state is TrackState.IDLE


def test_deterministic_for_the_same_input():
    results = []
    for _ in range(2):
        tracker = CenterHeadTracker(SPEC, FakeBackend(cell=(6, 9), offset=(0.3, 0.7)))
        tracker.init(_frame(), BoxXYWH(300.5, 200.25, 41.0, 37.0))
        results.append([tracker.update(_frame(seed=i)) for i in range(5)])
    for a, b in zip(*results):
        assert (a.box, a.score, a.state, a.track_id) == (b.box, b.score, b.state, b.track_id)


def test_bare_rgb_array_bgr_frame_and_rgb_frame_agree():
    rgb = _frame()
    outputs = []
    for frame in (rgb, Frame(rgb), Frame(np.ascontiguousarray(rgb[..., ::-1]), ChannelOrder.BGR)):
        backend = FakeBackend()
        tracker = CenterHeadTracker(SPEC, backend)
        tracker.init(frame, BoxXYWH(300.0, 200.0, 40.0, 40.0))
        tracker.update(frame)
        outputs.append((backend.templates[0]['template'], backend.searches[0]['search']))
    for template, search in outputs[1:]:
        np.testing.assert_array_equal(template, outputs[0][0])
        np.testing.assert_array_equal(search, outputs[0][1])


def test_huge_read_only_frame_is_only_read_around_the_target():
    # 100000 x 100000 x 3 (30 GB) over one 300 kB row: the loop must touch only the crops
    row = _frame(1, 100_000)[0]
    frame = np.lib.stride_tricks.as_strided(row, shape=(100_000, 100_000, 3),
                                            strides=(0, 3, 1), writeable=False)
    tracker = CenterHeadTracker(SPEC, FakeBackend())
    tracker.init(Frame(frame), BoxXYWH(50_000.0, 60_000.0, 64.0, 48.0))
    result = tracker.update(Frame(frame, ChannelOrder.BGR))
    assert result.state is TrackState.TRACKING
    # a centre peak keeps the box centre where it was
    assert (result.box.cx, result.box.cy) == pytest.approx((50_032.0, 60_024.0))


def test_box_clipped_with_margin_10_at_the_image_border():
    backend = FakeBackend(cell=(8, 15), offset=(0.9, 0.0), size=(0.5, 0.25))
    tracker = CenterHeadTracker(SPEC, backend)
    tracker.init(_frame(), BoxXYWH(600.0, 200.0, 40.0, 40.0))
    box = tracker.update(_frame()).box
    # centre 600 + 20 + (15.9 - 8) * 10 = 699 > 640, w 80: x1 = 659 is pulled to 630
    assert box.x == pytest.approx(630.0) and box.w == pytest.approx(10.0)
