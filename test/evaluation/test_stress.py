# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""The long-term stress protocol: where events are placed, what they do to frames, how scored."""

import numpy as np

from lite_tracker_ros.evaluation import stress
from lite_tracker_ros.evaluation.metrics import iou

WIDTH, HEIGHT = 640, 480


def _walk(n=200, speed=3.0, size=(30, 60)):
    """Return a target walking right along a line: x grows by ``speed`` px per frame."""
    x = 20 + speed * np.arange(n)
    return np.stack([x, np.full(n, 200.0), np.full(n, size[0]), np.full(n, size[1])], 1)


def test_hidden_events_replace_the_target_from_elsewhere_while_it_moves_on():
    gt = _walk()
    plan = stress.hidden_sequence('walk', gt, WIDTH, HEIGHT)
    assert 1 <= len(plan.events) <= stress.EVENTS_PER_KIND
    for event in plan.events:
        span = range(event.before + 1, event.visible)
        assert len(span) == stress.HIDDEN_FRAMES
        assert event.visible + stress.REACQUIRE_WINDOW + stress.CONFIRM_RUN <= len(gt)
        for i in span:
            patch = plan.patches[i]
            x, y, w, h = patch.target
            # the patch covers the true box, and its source never overlaps the target
            assert x <= gt[i][0] and y <= gt[i][1]
            assert x + w >= gt[i][0] + gt[i][2] and y + h >= gt[i][1] + gt[i][3]
            source = np.array([[patch.source[0], patch.source[1], w, h]], float)
            assert iou(source, np.array([[x, y, w, h]], float))[0] == 0
            assert np.all(np.isnan(plan.groundtruth[i]))
        # the target moved on during the event: a tracker that stays put is not on it
        assert np.abs(gt[event.visible][0] - gt[event.before][0]) >= 20 * 3.0


def test_apply_patch_copies_content_of_the_same_frame():
    pixels = np.arange(HEIGHT * WIDTH * 3, dtype=np.uint32).reshape(HEIGHT, WIDTH, 3)
    pixels = (pixels % 251).astype(np.uint8)
    patch = stress.Patch((10, 20, 30, 40), (300, 200))
    out = stress.apply_patch(pixels, patch)
    np.testing.assert_array_equal(out[20:60, 10:40], pixels[200:240, 300:330])
    out[20:60, 10:40] = pixels[20:60, 10:40]
    np.testing.assert_array_equal(out, pixels)  # nothing else changed
    assert stress.apply_patch(pixels, None) is pixels


def test_cuts_jump_at_least_two_target_sizes():
    gt = _walk(n=300, speed=2.0)
    plan = stress.cut_sequence('walk', gt)
    assert plan.events
    for event in plan.events:
        before = gt[plan.frames[event.before]]
        after = gt[plan.frames[event.visible]]
        assert event.visible == event.before + 1
        jump = np.hypot(*(after[:2] + after[2:] / 2 - before[:2] - before[2:] / 2))
        assert jump >= stress.CUT_DISTANCE * max(before[2], before[3])
    np.testing.assert_array_equal(plan.groundtruth, gt[plan.frames])


def test_scoring_counts_reacquisition_runs_and_boxes_published_while_hidden():
    gt = _walk()
    plan = stress.hidden_sequence('walk', gt, WIDTH, HEIGHT)
    event = plan.events[0]
    boxes = gt.copy()
    published = np.ones(len(gt), bool)
    hidden = np.arange(event.before + 1, event.visible)
    published[hidden[:3]] = True
    published[hidden[3:]] = False
    # back on target 4 frames after the target reappears; the 5-frame run starts there
    published[event.visible:event.visible + 4] = False
    score = stress.score_events(plan, boxes, published)[0]
    assert score.counted and score.reacquired and score.frames_to_reacquire == 4
    assert (score.hidden_frames, score.published_hidden) == (stress.HIDDEN_FRAMES, 3)
    # off target just before: not counted
    shifted = boxes.copy()
    shifted[event.before] += [200, 0, 0, 0]
    assert not stress.score_events(plan, shifted, published)[0].counted
    # never back within the window: not re-acquired
    published[event.visible:event.visible + stress.REACQUIRE_WINDOW] = False
    assert not stress.score_events(plan, boxes, published)[0].reacquired
    summary = stress.summarise_events(stress.score_events(plan, boxes, published))
    assert summary['hidden']['counted'] == len(plan.events)
