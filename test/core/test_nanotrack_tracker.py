# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
The NanoTrack tracker loop: API semantics on a scripted backend, and real sequences.

Real-sequence tests run the official ONNX pair and compare with ``cv2.TrackerNano`` on the same
files (OpenCV is the independent reference) and with the sequences' ground truth.
"""

import dataclasses
import math

import cv2
import numpy as np
import pytest

from lite_tracker_ros.backends.nanotrack_onnx import NanoTrackOnnxBackend
from lite_tracker_ros.backends.torch_backend import TorchBackend
from lite_tracker_ros.core.backend import Backend
from lite_tracker_ros.core.nanotrack_tracker import NanoTracker
from lite_tracker_ros.core.tracker import Tracker
from lite_tracker_ros.core.types import BoxXYWH, ChannelOrder, Frame, TrackState
from lite_tracker_ros.networks.nanotrack import load_nanotrack
from lite_tracker_ros.specs.nanotrack import OPENCV_TRACKER_NANO, PARAMS, SPECS

V2 = 'nanotrack_v2'
SIZE = 16  # v2 score map side
STRIDE = 16
#: sequences of ../shared/data/sot compared with OpenCV here (the benchmark runs all 12)
SUBSET = ('Deer', 'Football1', 'Skiing', 'Crossing', 'vot_bag')


class ScriptedBackend:
    """
    Return fixed ``cls``/``loc`` maps and record every input given.

    The foreground-minus-background logit is ``peak`` at ``cell`` and -16 elsewhere.
    """

    name = 'scripted'
    device = 'cpu'

    def __init__(self, cell=(8, 8), loc=None, peak=16.0):
        self.cls = np.zeros((1, 2, SIZE, SIZE), np.float32)
        self.cls[0, 1] = -16.0
        self.cls[0, 1][cell] = peak
        self.loc = loc
        self.templates, self.searches = [], []

    def set_template(self, inputs):
        self.templates.append(inputs['template'].copy())

    def search(self, inputs):
        self.searches.append(inputs['search'].copy())
        return {'cls': self.cls.copy(), 'loc': self.loc.copy()}


def _loc_for_size(w, h):
    """``loc`` maps whose every cell predicts a ``w x h`` box centred on the cell."""
    loc = np.empty((1, 4, SIZE, SIZE), np.float32)
    loc[0, [0, 2]] = w / 2
    loc[0, [1, 3]] = h / 2
    return loc


def _search_scale(w, h):
    # Upstream crop rule, written out independently: s_z = sqrt((w + p)(h + p)), p = (w + h)/2
    # and the 255 px search window covers round(s_z * 255 / 127) frame pixels.
    p = 0.5 * (w + h)
    return 255.0 / round(math.sqrt((w + p) * (h + p)) * 255.0 / 127.0)


def _noise_frame(height=480, width=640, seed=1):
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def _tracker(backend, params=None):
    return NanoTracker(SPECS[V2], backend, params or PARAMS[V2])


def test_protocols():
    backend = ScriptedBackend(loc=_loc_for_size(40, 40))
    assert isinstance(backend, Backend)
    assert isinstance(_tracker(backend), Tracker)


def test_follows_the_peak_cell():
    box = BoxXYWH(300, 200, 40, 60)
    scale = _search_scale(box.w, box.h)
    backend = ScriptedBackend(cell=(10, 11), loc=_loc_for_size(box.w * scale, box.h * scale))
    tracker = _tracker(backend)
    tracker.init(_noise_frame(), box)
    result = tracker.update(_noise_frame(seed=2))
    # cell (row 10, col 11) is (+2, +3) cells from the centre cell (8, 8)
    assert result.box.cx == pytest.approx(box.cx + 3 * STRIDE / scale)
    assert result.box.cy == pytest.approx(box.cy + 2 * STRIDE / scale)
    assert (result.box.w, result.box.h) == pytest.approx((box.w, box.h))
    assert result.score == pytest.approx(1 / (1 + math.exp(-16)))
    assert result.state is TrackState.TRACKING
    assert all(type(v) is float for v in result.box.as_tuple() + (result.score,))


def test_size_moves_toward_prediction_by_penalised_lr():
    box = BoxXYWH(300, 200, 40, 60)
    params = PARAMS[V2]
    scale = _search_scale(box.w, box.h)
    tw, th = box.w * scale, box.h * scale
    backend = ScriptedBackend(loc=_loc_for_size(2 * tw, th))
    tracker = _tracker(backend)
    tracker.init(_noise_frame(), box)
    result = tracker.update(_noise_frame(seed=2))

    def size_term(w, h):
        return math.sqrt((w + (w + h) / 2) * (h + (w + h) / 2))

    r = size_term(2 * tw, th) / size_term(tw, th)
    penalty = math.exp(-(2.0 * max(r, 1 / r) - 1) * params.penalty_k)  # aspect ratio halved
    lr = penalty * (1 / (1 + math.exp(-16))) * params.lr
    assert result.box.w == pytest.approx(box.w * (1 - lr) + 2 * box.w * lr)
    assert result.box.h == pytest.approx(box.h)
    assert (result.box.cx, result.box.cy) == pytest.approx((box.cx, box.cy))


def test_clipped_to_frame_and_min_size():
    box = BoxXYWH(632, 0, 6, 6)  # at the top-right corner, moved 7 cells right, 8 up
    scale = _search_scale(box.w, box.h)
    backend = ScriptedBackend(cell=(0, 15), loc=_loc_for_size(box.w * scale, box.h * scale))
    tracker = _tracker(backend)
    tracker.init(_noise_frame(), box)
    result = tracker.update(_noise_frame(seed=2))
    assert (result.box.cx, result.box.cy) == (640.0, 0.0)
    assert (result.box.w, result.box.h) == (10.0, 10.0)


def test_low_foreground_probability_is_lost():
    box = BoxXYWH(300, 200, 40, 60)
    backend = ScriptedBackend(loc=_loc_for_size(80, 120), peak=-2.0)
    tracker = _tracker(backend)
    assert tracker.lost_threshold == 0.25
    tracker.init(_noise_frame(), box)
    result = tracker.update(_noise_frame(seed=2))
    assert result.score == pytest.approx(1 / (1 + math.exp(2.0)))  # 0.12
    assert result.state is TrackState.LOST and tracker.state is TrackState.LOST
    tracker.lost_threshold = 0.1  # the ROS node changes it at run time
    assert tracker.update(_noise_frame(seed=3)).state is TrackState.TRACKING


@pytest.mark.parametrize('value', [-0.1, 1.5, float('nan')])
def test_lost_threshold_must_be_a_probability(value):
    with pytest.raises(ValueError, match='lost_threshold'):
        NanoTracker(SPECS[V2], ScriptedBackend(), PARAMS[V2], lost_threshold=value)


@pytest.mark.parametrize('box', [
    BoxXYWH(float('nan'), 0, 10, 10), BoxXYWH(0, float('inf'), 10, 10),
    BoxXYWH(0, 0, 0, 10), BoxXYWH(0, 0, 10, -1)])
def test_invalid_init_box(box):
    tracker = _tracker(ScriptedBackend(loc=_loc_for_size(40, 40)))
    with pytest.raises(ValueError, match='finite with positive width and height'):
        tracker.init(_noise_frame(), box)
    assert tracker.state is TrackState.IDLE


@pytest.mark.parametrize('frame', [
    np.zeros((48, 64, 3), np.float32), np.zeros((48, 64, 4), np.uint8),
    Frame(np.zeros((48, 64, 3), np.uint8), ChannelOrder.MONO),
    Frame(np.zeros((48, 64), np.uint8), ChannelOrder.BGR)])
def test_invalid_frame(frame):
    tracker = _tracker(ScriptedBackend(loc=_loc_for_size(40, 40)))
    with pytest.raises(ValueError):
        tracker.init(frame, BoxXYWH(10, 10, 20, 20))


def test_state_machine_and_track_ids():
    tracker = _tracker(ScriptedBackend(loc=_loc_for_size(40, 40)))
    assert tracker.state is TrackState.IDLE
    with pytest.raises(RuntimeError, match='init'):
        tracker.update(_noise_frame())
    ids = []
    for _ in range(3):
        tracker.init(_noise_frame(), BoxXYWH(300, 200, 40, 60))
        assert tracker.state is TrackState.TRACKING
        ids.append(tracker.update(_noise_frame(seed=2)).track_id)
        assert tracker.track_id == ids[-1]
    assert ids[0] < ids[1] < ids[2]
    tracker.reset()
    assert tracker.state is TrackState.IDLE
    with pytest.raises(RuntimeError):
        tracker.update(_noise_frame())


def test_timings_reported():
    tracker = _tracker(ScriptedBackend(loc=_loc_for_size(40, 40)))
    tracker.init(_noise_frame(), BoxXYWH(300, 200, 40, 60))
    timings = tracker.update(_noise_frame(seed=2)).timings_s
    assert set(timings) == {'preprocess', 'inference', 'postprocess'}
    assert all(t >= 0 for t in timings.values())


def test_channel_orders_give_the_network_bgr():
    bgr = _noise_frame()
    box = BoxXYWH(600, 440, 60, 50)  # crops leave the frame, so padding is exercised too
    fed = {}
    for key, frame in [('bgr', Frame(bgr, ChannelOrder.BGR)),
                       ('rgb', Frame(bgr[..., ::-1], ChannelOrder.RGB)),
                       ('bare', np.ascontiguousarray(bgr[..., ::-1]))]:
        backend = ScriptedBackend(loc=_loc_for_size(40, 40))
        tracker = _tracker(backend)
        tracker.init(frame, box)
        tracker.update(frame)
        fed[key] = (backend.templates[0], backend.searches[0])
    for key in ('rgb', 'bare'):
        for got, want in zip(fed[key], fed['bgr']):
            np.testing.assert_array_equal(got, want)
    # an inside window is the BGR crop itself, as raw 0..255 floats (mean 0, std 1/255)
    backend = ScriptedBackend(loc=_loc_for_size(40, 40))
    tracker = _tracker(backend)
    tracker.init(Frame(bgr, ChannelOrder.BGR), BoxXYWH(300, 200, 40, 60))
    side = round(math.sqrt(90 * 110))  # context p = (40 + 60) / 2
    x0, y0 = int(np.floor(320 - side / 2 + 0.5)), int(np.floor(230 - side / 2 + 0.5))
    expected = cv2.resize(bgr[y0:y0 + side, x0:x0 + side], (127, 127))
    np.testing.assert_array_equal(backend.templates[0][0].transpose(1, 2, 0), expected)


def test_mono_frame_fills_three_equal_channels():
    gray = _noise_frame()[..., 0].copy()
    backend = ScriptedBackend(loc=_loc_for_size(40, 40))
    tracker = _tracker(backend)
    tracker.init(Frame(gray, ChannelOrder.MONO), BoxXYWH(300, 200, 40, 60))
    tracker.update(gray)
    for blob in (backend.templates[0], backend.searches[0]):
        assert blob.shape[1] == 3
        np.testing.assert_array_equal(blob[0, 0], blob[0, 1])
        np.testing.assert_array_equal(blob[0, 0], blob[0, 2])


def test_spec_and_params_must_agree():
    with pytest.raises(ValueError, match='maps'):
        NanoTracker(SPECS['nanotrack_v3'], ScriptedBackend(), PARAMS[V2])


# -- real sequences -----------------------------------------------------------------------


def _iou(a, b):
    iw = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    ih = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    inter = max(iw, 0.0) * max(ih, 0.0)
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def _success_auc(boxes, truth):
    """Mean over thresholds 0, 0.05, ..., 1 of the fraction of frames with IoU > threshold."""
    ious = np.array([_iou(b, g) for b, g in zip(boxes, truth) if np.all(np.isfinite(g))])
    return float(np.mean([(ious > t).mean() for t in np.linspace(0, 1, 21)]))


def _sequence(sot_dir, name):
    folder = sot_dir / name
    frames = [cv2.imread(str(p)) for p in sorted((folder / 'img').glob('*.jpg'))]
    truth = np.loadtxt(folder / 'groundtruth.txt', delimiter=',')
    assert len(frames) == len(truth) > 1
    return frames, truth


def _onnx_backend(nanotrack_dir, name):
    version = name.rsplit('_', 1)[-1]
    return NanoTrackOnnxBackend(SPECS[name], nanotrack_dir / f'nanotrack{version}_backbone.onnx',
                                nanotrack_dir / f'nanotrack{version}_head.onnx', threads=2)


def _track(tracker, frames, box):
    tracker.init(Frame(frames[0], ChannelOrder.BGR), BoxXYWH(*box))
    return [tracker.update(Frame(f, ChannelOrder.BGR)).box.as_tuple() for f in frames[1:]]


def _opencv_boxes(nanotrack_dir, frames, box):
    params = cv2.TrackerNano_Params()
    params.backbone = str(nanotrack_dir / 'nanotrackv2_backbone.onnx')
    params.neckhead = str(nanotrack_dir / 'nanotrackv2_head.onnx')
    tracker = cv2.TrackerNano_create(params)
    tracker.init(frames[0], box)
    return [tuple(tracker.update(f)[1]) for f in frames[1:]]


@pytest.fixture(scope='module')
def opencv_runs(sot_dir, nanotrack_dir):
    if not hasattr(cv2, 'TrackerNano_Params'):
        pytest.skip(f'cv2.TrackerNano needs OpenCV >= 4.7; this is {cv2.__version__}')
    cv2.setNumThreads(2)
    runs = {}
    for name in SUBSET:
        frames, truth = _sequence(sot_dir, name)
        box = tuple(int(v) for v in truth[0])  # cv2.TrackerNano takes an integer Rect
        runs[name] = (frames, truth, box, _opencv_boxes(nanotrack_dir, frames, box))
    return runs


def test_opencv_arithmetic_reproduces_tracker_nano(opencv_runs, nanotrack_dir):
    backend = _onnx_backend(nanotrack_dir, V2)
    ours_auc, theirs_auc = [], []
    for name, (frames, truth, box, theirs) in opencv_runs.items():
        ours = _track(NanoTracker(SPECS[V2], backend, OPENCV_TRACKER_NANO), frames, box)
        # cv2.TrackerNano returns int(x), int(y), int(w), int(h) of the same float state
        ours = [tuple(float(int(v)) for v in b) for b in ours]
        agree = np.mean([_iou(a, b) >= 0.99 for a, b in zip(ours, theirs)])
        assert agree >= 0.99, f'{name}: IoU >= 0.99 on only {agree:.1%} of frames'
        ours_auc.append(_success_auc(ours, truth[1:]))
        theirs_auc.append(_success_auc(theirs, truth[1:]))
    assert np.mean(ours_auc) == pytest.approx(np.mean(theirs_auc), abs=0.01)


def test_upstream_v2_tracks_as_well_as_opencv(opencv_runs, nanotrack_dir):
    backend = _onnx_backend(nanotrack_dir, V2)
    ours_auc, theirs_auc = [], []
    for frames, truth, box, theirs in opencv_runs.values():
        ours_auc.append(_success_auc(_track(_tracker(backend), frames, box), truth[1:]))
        theirs_auc.append(_success_auc(theirs, truth[1:]))
    # a different but equally valid arithmetic: on these sequences within a few points of OpenCV
    assert np.mean(ours_auc) >= np.mean(theirs_auc) - 0.02


def test_v3_tracks_real_sequences(sot_dir, nanotrack_dir):
    # OpenCV 5.0's TrackerNano cannot load the v3 pair; ground truth is the reference here.
    backend = _onnx_backend(nanotrack_dir, 'nanotrack_v3')
    aucs = []
    for name in ('Deer', 'Crossing'):
        frames, truth = _sequence(sot_dir, name)
        tracker = NanoTracker(SPECS['nanotrack_v3'], backend, PARAMS['nanotrack_v3'])
        aucs.append(_success_auc(_track(tracker, frames, truth[0]), truth[1:]))
    assert min(aucs) > 0.5, f'v3 success AUC {aucs} on Deer, Crossing'


def test_deterministic_on_real_frames(sot_dir, nanotrack_dir):
    frames, truth = _sequence(sot_dir, 'Deer')
    frames = frames[:15]
    backend = _onnx_backend(nanotrack_dir, V2)
    first = _track(_tracker(backend), frames, truth[0])
    second = _track(_tracker(backend), frames, truth[0])
    assert first == second


def test_opencv_quirks_each_change_the_boxes(opencv_runs, nanotrack_dir):
    # Every flag of OpenCVQuirks names a real difference: turning one off moves the boxes.
    frames, _, box, _ = opencv_runs['Deer']
    backend = _onnx_backend(nanotrack_dir, V2)
    reference = _track(NanoTracker(SPECS[V2], backend, OPENCV_TRACKER_NANO), frames, box)
    for field in dataclasses.fields(OPENCV_TRACKER_NANO.opencv):
        quirks = dataclasses.replace(OPENCV_TRACKER_NANO.opencv, **{field.name: False})
        params = dataclasses.replace(OPENCV_TRACKER_NANO, opencv=quirks)
        boxes = _track(NanoTracker(SPECS[V2], backend, params), frames, box)
        assert boxes != reference, field.name


def test_torch_weights_track_like_the_onnx_pair(sot_dir, nanotrack_dir):
    # the .pth path end to end: same boxes as the official ONNX pair up to float32 noise
    frames, truth = _sequence(sot_dir, 'Crossing')
    network = load_nanotrack(V2, nanotrack_dir / 'nanotrackv2.pth')
    torch_boxes = _track(_tracker(TorchBackend(network)), frames, truth[0])
    onnx_boxes = _track(_tracker(_onnx_backend(nanotrack_dir, V2)), frames, truth[0])
    agree = np.mean([_iou(a, b) >= 0.99 for a, b in zip(torch_boxes, onnx_boxes)])
    assert agree >= 0.99, f'IoU >= 0.99 on only {agree:.1%} of frames'


def test_default_window_is_the_plain_hann_outer_product():
    # Two candidate cells; the cosine window alone decides between them. The reference
    # (upstream NanoTrack) ranks cells by score * (1 - wi) + hann(row) * hann(col) * wi; OpenCV's
    # TrackerNano takes the square root of that window, which here ranks the other cell first.
    params = PARAMS[V2]
    box = BoxXYWH(300, 200, 40, 60)
    scale = _search_scale(box.w, box.h)
    near, far = (9, 7), (8, 12)
    p_near, p_far = 0.4, 0.9
    backend = ScriptedBackend(cell=near, loc=_loc_for_size(box.w * scale, box.h * scale),
                              peak=math.log(p_near / (1 - p_near)))
    backend.cls[0, 1][far] = math.log(p_far / (1 - p_far))

    def hann(i):
        return 0.5 - 0.5 * math.cos(2 * math.pi * i / (SIZE - 1))

    def ranked(cell, p, sqrt_window):
        window = hann(cell[0]) * hann(cell[1])
        window = math.sqrt(window) if sqrt_window else window
        return p * (1 - params.window_influence) + window * params.window_influence
    assert ranked(near, p_near, False) > ranked(far, p_far, False)
    assert ranked(near, p_near, True) < ranked(far, p_far, True)  # the test tells them apart

    tracker = _tracker(backend)
    tracker.init(_noise_frame(), box)
    result = tracker.update(_noise_frame(seed=2))
    assert result.score == pytest.approx(p_near, abs=1e-7)  # float32 logits
    # (row 9, col 7) is (+1, -1) cells from the centre cell (8, 8); the size does not change
    assert result.box.cx == pytest.approx(box.cx - STRIDE / scale, abs=1e-9)
    assert result.box.cy == pytest.approx(box.cy + STRIDE / scale, abs=1e-9)
    assert (result.box.w, result.box.h) == pytest.approx((box.w, box.h), abs=1e-9)
