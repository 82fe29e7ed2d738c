# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
The long-term mode with NanoTrack v2's real weights (the official ONNX pair) on real footage.

The hidden-target event is the stress protocol's own (the target's box replaced by content of
the same frame for 20 frames while the target walks on); the ground truth is the sequence's.
Also: the pair's batched and larger searches equal single 255 px ones, a wide search finds the
target where it is, and detector proposals are taken only where the model confirms them.
"""

import cv2
import numpy as np
import pytest

from lite_tracker_ros.backends.nanotrack_onnx import NanoTrackOnnxBackend
from lite_tracker_ros.core.long_term import LongTermTracker
from lite_tracker_ros.core.nanotrack_tracker import NanoTracker
from lite_tracker_ros.core.search_plan import SearchBudget, SearchWindow
from lite_tracker_ros.core.types import BoxXYWH, ChannelOrder, Frame, TrackState
from lite_tracker_ros.evaluation import stress
from lite_tracker_ros.specs.nanotrack import PARAMS, SPECS

V2 = 'nanotrack_v2'


def _backend(nanotrack_dir, name=V2):
    version = name.rsplit('_', 1)[-1]
    return NanoTrackOnnxBackend(SPECS[name], nanotrack_dir / f'nanotrack{version}_backbone.onnx',
                                nanotrack_dir / f'nanotrack{version}_head.onnx', threads=2)


def _sequence(sot_dir, name):
    folder = sot_dir / name
    frames = [cv2.imread(str(p)) for p in sorted((folder / 'img').glob('*.jpg'))]
    truth = np.loadtxt(folder / 'groundtruth.txt', delimiter=',')
    return frames, truth


def _iou(a, b):
    iw = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    ih = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    inter = max(iw, 0.0) * max(ih, 0.0)
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def _hidden_run(tracker, frames, truth, on_frame=None):
    """Track the stress protocol's hidden-target version of a sequence; return per-frame states."""
    plan = stress.hidden_sequence('clip', truth, frames[0].shape[1], frames[0].shape[0])
    assert plan.events, 'the protocol found no place for a hidden event'
    tracker.init(Frame(frames[0], ChannelOrder.BGR), BoxXYWH(*truth[0]))
    results = [None]
    for index in range(1, len(frames)):
        pixels = stress.apply_patch(frames[index], plan.patches.get(index))
        if on_frame is not None:
            on_frame(tracker, index, plan)
        results.append(tracker.update(Frame(pixels, ChannelOrder.BGR)))
    return plan, results


@pytest.mark.slow
# Couple: after its second event v2 scores the walker 1-2 log-odds under the pre-loss level for
# many frames; a long probation dropped it again and again (never 5 frames published in a row)
@pytest.mark.parametrize('name', ['Human7', 'Jogging', 'Couple'])
def test_hidden_target_is_reported_lost_then_reacquired(name, sot_dir, nanotrack_dir):
    frames, truth = _sequence(sot_dir, name)
    tracker = LongTermTracker(NanoTracker(SPECS[V2], _backend(nanotrack_dir), PARAMS[V2]))
    plan, results = _hidden_run(tracker, frames, truth)
    event = plan.events[-1]
    assert results[event.before].state is TrackState.TRACKING
    assert _iou(results[event.before].box.as_tuple(), truth[event.before]) >= 0.5
    hidden = results[event.before + 1:event.visible]
    published = sum(r.state is TrackState.TRACKING for r in hidden)
    assert published <= 0.15 * len(hidden), f'{published} of {len(hidden)} hidden frames'
    assert any(r.state is TrackState.SEARCHING for r in hidden)
    on = [r.state is TrackState.TRACKING and _iou(r.box.as_tuple(), g) >= 0.5
          for r, g in zip(results[event.visible:], truth[event.visible:])]
    starts = [i for i in range(min(30, len(on) - 4)) if all(on[i:i + 5])]
    assert starts, 'not re-acquired within 30 frames of the target reappearing'
    assert tracker.log.reacquisitions >= 1


def test_without_the_mode_the_same_event_publishes_boxes(sot_dir, nanotrack_dir):
    # the baseline the test above improves on: the upstream loop follows something else
    frames, truth = _sequence(sot_dir, 'Human7')
    tracker = NanoTracker(SPECS[V2], _backend(nanotrack_dir), PARAMS[V2])
    plan, results = _hidden_run(tracker, frames, truth)
    event = plan.events[-1]
    hidden = results[event.before + 1:event.visible]
    assert sum(r.state is TrackState.TRACKING for r in hidden) > 0.5 * len(hidden)


@pytest.mark.parametrize('name', ['nanotrack_v1', V2, 'nanotrack_v3'])
def test_batched_and_larger_searches_equal_single_ones(name, nanotrack_dir):
    backend = _backend(nanotrack_dir, name)
    rng = np.random.default_rng(0)
    backend.set_template({'template': rng.uniform(0, 255, (1, 3, 127, 127)).astype(np.float32)})
    crops = rng.uniform(0, 255, (3, 3, 255, 255)).astype(np.float32)
    singles = [backend.search({'search': crops[i:i + 1]}) for i in range(3)]
    batched = backend.search({'search': crops})
    for i, single in enumerate(singles):
        for key in single:
            np.testing.assert_allclose(batched[key][i:i + 1], single[key], rtol=1e-5,
                                       atol=1e-5)
    wide = backend.search({'search': rng.uniform(0, 255, (1, 3, 511, 383)).astype(np.float32)})
    size = SPECS[name].feat_size
    assert wide['cls'].shape[2:] == (size + 16, size + 8)
    assert wide['loc'].shape[2:] == wide['cls'].shape[2:]


def test_a_wide_window_finds_the_target_where_it_is(sot_dir, nanotrack_dir):
    frames, truth = _sequence(sot_dir, 'Human7')
    tracker = NanoTracker(SPECS[V2], _backend(nanotrack_dir), PARAMS[V2])
    tracker.init(Frame(frames[0], ChannelOrder.BGR), BoxXYWH(*truth[0]))
    later = 30
    target = BoxXYWH(*truth[later])
    height, width = frames[later].shape[:2]
    # the whole frame, centred away from the target: the map's cell offsets must be right
    window = SearchWindow(width / 2, height / 2, width, height)
    found = tracker.redetect(Frame(frames[later], ChannelOrder.BGR), target, [window])
    best = max(found, key=lambda c: c.score)
    assert _iou(best.box.as_tuple(), truth[later]) >= 0.5, (best, truth[later])


def test_detector_candidates_are_taken_only_when_the_model_confirms(sot_dir, nanotrack_dir):
    frames, truth = _sequence(sot_dir, 'Human7')
    # the tracker's own search never leaves the place it lost the target: only proposals can
    # bring it back
    tracker = LongTermTracker(NanoTracker(SPECS[V2], _backend(nanotrack_dir), PARAMS[V2]),
                              budget=SearchBudget(max_scale=1.0, per_frame=1, growth=1.0))
    height, width = frames[0].shape[:2]
    taken_while_hidden = []

    def propose(lt, index, plan):
        gt = truth[index]
        distractors = [BoxXYWH(x, y, gt[2], gt[3]) for x, y in
                       ((5, 5), (width - gt[2] - 5, 5), (width / 2, height - gt[3] - 5))]
        lt.propose([BoxXYWH(*gt)] + distractors)
        if index in plan.patches and lt.state is TrackState.TRACKING:
            taken_while_hidden.append(index)

    plan, results = _hidden_run(tracker, frames, truth, propose)
    event = plan.events[-1]
    hidden = results[event.before + 1:event.visible]
    assert any(r.state is TrackState.SEARCHING for r in hidden)
    # the true place was proposed every hidden frame, with the target replaced: not confirmed
    assert sum(r.state is TrackState.TRACKING for r in hidden) <= 0.15 * len(hidden)
    back = next(i for i in range(event.visible, len(results))
                if results[i].state is TrackState.TRACKING)
    assert back - event.visible < 30
    # what was taken is the target, not one of the distractors proposed with it
    assert _iou(results[back].box.as_tuple(), truth[back]) >= 0.5
    assert tracker.log.reacquisitions >= 1
