# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
The long-term mode's state machines and its wrapper, on scripted scores (no model).

A scripted tracker plays a given score per frame and finds a candidate where the script says;
the tests check when LOST and SEARCHING are reported, what is searched, and when the track is
taken back.
"""

from dataclasses import replace
import math

import numpy as np
import pytest

from lite_tracker_ros.core.absence import (
    AbsenceMonitor, AbsencePolicy, Candidate, margin, ReacquisitionGate, score_of)
from lite_tracker_ros.core.long_term import LongTermTracker, MAX_PROPOSALS, SEARCH_STAGE
from lite_tracker_ros.core.search_plan import SearchBudget, SearchPlan
from lite_tracker_ros.core.types import BoxXYWH, TrackResult, TrackState

STRONG = 0.9999  # margin 9.2
DISTRACTOR = 0.97  # margin 3.5: what NanoTrack gives a look-alike


def p(value_margin):
    """Return the probability whose log-odds margin is ``value_margin``."""
    return 1.0 / (1.0 + math.exp(-value_margin))


def test_margin_is_log_odds_and_clipped():
    assert margin(0.5) == pytest.approx(0.0)
    assert margin(p(4.0)) == pytest.approx(4.0)
    assert margin(1.0) == pytest.approx(30.0, abs=0.1)
    assert margin(0.0) == pytest.approx(-30.0, abs=0.1)
    assert margin(math.nan) == -30.0


def test_score_of_inverts_margin_and_never_overflows():
    for value in (-12.0, -1.5, 0.0, 0.7, 9.2):
        assert score_of(value) == pytest.approx(p(value), rel=1e-12)
        assert margin(score_of(value)) == pytest.approx(value, abs=1e-9)
    # a margin far outside +-30 (a large appearance_weight times a colour difference) is read
    # as the clipped one instead of overflowing math.exp
    assert score_of(-1e6) == pytest.approx(p(-30.0)) and score_of(1e6) == pytest.approx(p(30.0))


def test_a_drop_relative_to_the_track_is_weak_even_at_a_high_probability():
    monitor = AbsenceMonitor(AbsencePolicy(drop=3.5, lost_after=2))
    for _ in range(10):
        assert monitor.observe(STRONG) == (False, False)
    # 0.97 would pass any probability threshold a tracker uses, but is 5.7 log-odds down
    assert monitor.observe(DISTRACTOR) == (True, False)
    assert monitor.observe(DISTRACTOR) == (True, True)


def test_a_single_dip_is_not_a_loss_and_weak_frames_do_not_teach_the_reference():
    monitor = AbsenceMonitor(AbsencePolicy(drop=3.5, lost_after=2))
    for _ in range(5):
        monitor.observe(STRONG)
    reference = monitor.reference
    assert monitor.observe(DISTRACTOR) == (True, False)
    assert monitor.reference == reference
    assert monitor.observe(STRONG) == (False, False)
    assert monitor.observe(DISTRACTOR) == (True, False)  # the run restarted


def test_a_score_that_would_take_the_target_back_is_never_weak():
    # a very confident track (margin 12) is taken back at the cap (7) after a loss; 3.5 under
    # its level (8.5) must not call a frame at 7.5 weak, or a target just taken back is
    # dropped again on its first frame
    monitor = AbsenceMonitor(AbsencePolicy(drop=3.5, lost_after=2, reacquire_drop=2.0,
                                           reacquire_cap=7.0))
    for _ in range(10):
        monitor.observe(p(12.0))
    assert monitor.reacquire_margin() == pytest.approx(7.0)
    assert monitor.observe(p(7.5)) == (False, False)
    assert monitor.observe(p(6.5)) == (True, False)
    assert monitor.doubtful


def test_a_lowered_ceiling_holds_until_lifted():
    monitor = AbsenceMonitor(AbsencePolicy(drop=3.5, reacquire_cap=30.0))
    for _ in range(10):
        monitor.observe(p(9.0))
    assert monitor.is_weak(p(5.0))
    monitor.lower_ceiling(4.5)
    assert not monitor.is_weak(p(5.0)) and monitor.is_weak(p(4.0))
    monitor.lift()
    assert monitor.is_weak(p(5.0))
    monitor.lower_ceiling(4.5)
    monitor.reset()
    monitor.observe(p(9.0))  # one strong frame: no reference yet, only the absolute floor
    assert not monitor.is_weak(p(5.0))
    for _ in range(10):
        monitor.observe(p(9.0))
    assert monitor.is_weak(p(5.0))


def test_absolute_floor_applies_before_any_history():
    monitor = AbsenceMonitor(AbsencePolicy(weak_margin=0.0, lost_after=1))
    assert monitor.observe(0.3) == (True, True)


def test_gate_needs_consecutive_confirmations_at_one_place():
    gate = ReacquisitionGate(AbsencePolicy(confirm_frames=2))
    here = Candidate(BoxXYWH(100, 100, 20, 20), STRONG)
    there = Candidate(BoxXYWH(300, 100, 20, 20), STRONG)
    assert gate.offer(here, 6.0) is None
    assert gate.offer(there, 6.0) is None  # moved by 10 sizes: starts again
    assert gate.offer(there, 6.0) is there
    assert gate.offer(Candidate(BoxXYWH(0, 0, 5, 5), DISTRACTOR), 6.0) is None
    assert gate.pending is None


def test_two_places_that_score_alike_are_not_taken_until_one_leads():
    gate = ReacquisitionGate(AbsencePolicy(confirm_frames=2, lead=1.0))
    here = Candidate(BoxXYWH(100, 100, 20, 20), p(8.0))
    rival = Candidate(BoxXYWH(300, 100, 20, 20), p(7.5))
    assert [gate.offer(here, 6.0, rival) for _ in range(4)] == [None] * 4
    behind = Candidate(rival.box, p(6.9))
    assert [gate.offer(here, 6.0, behind) for _ in range(2)] == [None, here]


PATIENT = AbsencePolicy(confirm_frames=2, patient_frames=3, patient_drop=2.0, lead=1.0,
                        appearance_centre=0.85)


def steady_run(gate, candidates, needed=7.0, runner_up=None):
    """Offer ``candidates`` one per frame; return what each offer returned."""
    return [gate.offer(c, needed, runner_up) for c in candidates]


def test_patient_run_takes_a_steady_candidate_with_the_targets_colours():
    # 6 log-odds: under the quick level (7), over the patient one (5)
    gate = ReacquisitionGate(PATIENT)
    here = [Candidate(BoxXYWH(100 + i, 100, 20, 20), p(6.0), similarity=0.9) for i in range(3)]
    assert steady_run(gate, here) == [None, None, here[2]] and gate.taken_patiently
    assert gate.steady is None  # a take starts afresh
    assert steady_run(gate, here[:1]) == [None] and not gate.taken_patiently
    quick = Candidate(BoxXYWH(100, 100, 20, 20), p(7.5), similarity=0.9)
    assert steady_run(gate, [quick] * 2) == [None, quick] and not gate.taken_patiently


@pytest.mark.parametrize('change', ['colours differ', 'colours unchecked', 'under the level',
                                    'moves away', 'a rival close behind', 'turned off'])
def test_patient_run_needs_every_condition_on_every_frame(change):
    gate = ReacquisitionGate(PATIENT if change != 'turned off'
                             else AbsencePolicy(patient_frames=0))
    box = BoxXYWH(100, 100, 20, 20)
    runs = [Candidate(box, p(6.0), similarity=0.9) for _ in range(3)]
    runner_up = None
    if change == 'colours differ':
        runs[1] = Candidate(box, p(6.0), similarity=0.8)
    elif change == 'colours unchecked':
        runs[1] = Candidate(box, p(6.0))
    elif change == 'under the level':
        runs[1] = Candidate(box, p(4.9), similarity=0.9)
    elif change == 'moves away':
        runs[1] = Candidate(BoxXYWH(150, 100, 20, 20), p(6.0), similarity=0.9)
    elif change == 'a rival close behind':
        runner_up = Candidate(BoxXYWH(300, 300, 20, 20), p(5.5))
    assert steady_run(gate, runs, runner_up=runner_up) == [None, None, None]


def test_policy_rejects_nonsense():
    with pytest.raises(ValueError):
        AbsencePolicy(lost_after=0)
    with pytest.raises(ValueError):
        AbsencePolicy(drop=math.nan)
    with pytest.raises(ValueError):
        AbsencePolicy(reacquire_drop=-1.0)


def test_search_plan_grows_from_the_anchor_to_the_whole_frame_then_visits_every_tile():
    anchor = BoxXYWH(90, 90, 20, 20)
    plan = SearchPlan(anchor, 80.0, 640, 480, SearchBudget(max_scale=1.0, per_frame=2,
                                                           growth=2.0))
    first = plan.next_windows()
    assert len(first) == 1 and (first[0].cx, first[0].cy) == (100.0, 100.0)
    seen = set()
    for _ in range(120):  # 15 x 11 tiles, 2 per frame
        for window in plan.next_windows():
            assert window.width == window.height == 80.0
            seen.add((round(window.cx), round(window.cy)))
    # the tiles cover the frame: every point is within half a tile of some tile centre
    for x in range(0, 641, 40):
        for y in range(0, 481, 40):
            assert any(abs(x - cx) <= 40 and abs(y - cy) <= 40 for cx, cy in seen), (x, y)


def test_search_plan_uses_one_large_window_when_the_budget_allows():
    plan = SearchPlan(BoxXYWH(300, 220, 40, 40), 200.0, 640, 480,
                      SearchBudget(max_scale=4.0, per_frame=1, growth=1.6))
    sides = [plan.next_windows()[0].width for _ in range(8)]
    assert sides[0] == pytest.approx(200.0)
    assert sides == sorted(sides)
    assert sides[-1] == pytest.approx(640.0)  # the whole frame's width in one window


class ScriptedTracker:
    """Plays ``scores`` on successive updates (the last one for ever); finds ``found_at``."""

    default_absence_policy = AbsencePolicy(drop=3.5, lost_after=2, reacquire_drop=2.0,
                                           confirm_frames=2)
    search_budget = SearchBudget(max_scale=1.0, per_frame=3, growth=1.6)

    def __init__(self, scores):
        self.scores = list(scores)
        self.lost_threshold = 0.25
        self.state = TrackState.IDLE
        self.track_id = 0
        self.box = None
        self.found_at = None
        self.found_score = STRONG
        self.searched = []
        self.resumed = []
        self.updates = 0

    def init(self, frame, box):
        self.box, self.state, self.track_id = box, TrackState.TRACKING, self.track_id + 1

    def update(self, frame):
        self.updates += 1
        score = self.scores.pop(0) if len(self.scores) > 1 else self.scores[0]
        self.box = BoxXYWH(self.box.x + 1, self.box.y, self.box.w, self.box.h)
        state = TrackState.TRACKING if score >= self.lost_threshold else TrackState.LOST
        return TrackResult(self.box, score, state, self.track_id, {'inference': 0.001})

    def reset(self):
        self.state = TrackState.IDLE

    def search_side(self, box):
        return 8.0 * math.sqrt(box.w * box.h)

    def redetect(self, frame, anchor, windows):
        self.searched.append(list(windows))
        found = []
        for window in windows:
            if self.found_at is not None and (abs(window.cx - self.found_at.cx) <= window.width / 2
                                              and abs(window.cy - self.found_at.cy)
                                              <= window.height / 2):
                found.append(Candidate(self.found_at, self.found_score))
            else:
                found.append(Candidate(BoxXYWH.from_center(window.cx, window.cy, 10, 10), 0.6))
        return found

    def resume(self, box):
        self.resumed.append(box)
        self.box, self.state = box, TrackState.TRACKING


FRAME = np.zeros((480, 640, 3), np.uint8)


def test_tracked_frames_are_the_wrapped_trackers_own_results():
    inner = ScriptedTracker([STRONG] * 5)
    tracker = LongTermTracker(inner)
    tracker.init(FRAME, BoxXYWH(10, 10, 20, 20))
    for _ in range(5):
        result = tracker.update(FRAME)
        assert result.box == inner.box and result.state is TrackState.TRACKING
        assert result.timings_s == {'inference': 0.001}


def test_loss_search_and_reacquisition():
    # the wrapped tracker's own local result stays a look-alike all along
    inner = ScriptedTracker([STRONG] * 10 + [DISTRACTOR] * 100)
    tracker = LongTermTracker(inner)
    tracker.init(FRAME, BoxXYWH(100, 100, 20, 20))
    for _ in range(10):
        last_good = tracker.update(FRAME).box
    first_weak = tracker.update(FRAME)
    assert first_weak.state is TrackState.LOST  # not published, still followed
    declared = tracker.update(FRAME)
    assert declared.state is TrackState.SEARCHING and tracker.state is TrackState.SEARCHING
    assert tracker.log.lost_events == 1
    searching = tracker.update(FRAME)
    assert searching.state is TrackState.SEARCHING
    assert searching.box == inner.box  # the wrapped tracker's own estimate, not published
    assert set(searching.timings_s) == {SEARCH_STAGE}
    first = inner.searched[-1][0]
    # the search starts where the target was last seen with confidence
    assert (first.cx, first.cy) == (last_good.cx, last_good.cy)
    target = BoxXYWH(500, 300, 22, 22)
    inner.found_at = target
    states = []
    while TrackState.TRACKING not in states and len(states) < 40:
        states.append(tracker.update(FRAME).state)
    assert states[-1] is TrackState.TRACKING
    assert all(s is TrackState.SEARCHING for s in states[:-1])
    assert inner.resumed == [target]
    assert tracker.log.reacquisitions == 1 and len(tracker.log.reacquire_s) == 1
    assert tracker.track_id == 1  # the same track


def test_a_look_alike_under_the_tracks_level_is_never_taken():
    inner = ScriptedTracker([STRONG] * 10 + [DISTRACTOR] * 2)
    tracker = LongTermTracker(inner)
    tracker.init(FRAME, BoxXYWH(100, 100, 20, 20))
    for _ in range(12):
        tracker.update(FRAME)
    inner.found_at, inner.found_score = BoxXYWH(100, 100, 20, 20), DISTRACTOR
    assert all(tracker.update(FRAME).state is TrackState.SEARCHING for _ in range(30))
    assert inner.resumed == []


def searching_one_window_a_frame():
    """Return a scripted tracker and its long-term wrapper, searching one window per frame."""
    inner = ScriptedTracker([STRONG] * 10 + [DISTRACTOR] * 2)
    tracker = LongTermTracker(inner, budget=SearchBudget(max_scale=1.0, per_frame=1,
                                                         growth=1.0))
    tracker.init(FRAME, BoxXYWH(100, 100, 20, 20))
    for _ in range(12):
        tracker.update(FRAME)
    return inner, tracker


def test_detector_proposals_are_taken_only_when_the_model_confirms_them():
    inner, tracker = searching_one_window_a_frame()
    far = BoxXYWH(560, 400, 20, 20)  # never inside the anchor's window (growth 1)
    tracker.propose([far])
    assert tracker.update(FRAME).state is TrackState.SEARCHING
    assert any((w.cx, w.cy) == (far.cx, far.cy) for w in inner.searched[-1])
    assert inner.resumed == []  # the model scored the proposal 0.6: not the target
    inner.found_at = far
    states = []
    for _ in range(3):
        tracker.propose([far, BoxXYWH(300, 50, 20, 20)])
        states.append(tracker.update(FRAME).state)
    assert TrackState.TRACKING in states and inner.resumed == [far]


def test_frames_are_asked_whole_while_searching_and_at_the_crop_scale_while_tracking():
    # a reduced JPEG decode (compressed input) must not feed the wide search windows
    inner = ScriptedTracker([STRONG] * 3 + [DISTRACTOR] * 10)
    inner.search_resampling = lambda: 3.0
    tracker = LongTermTracker(inner)
    tracker.init(FRAME, BoxXYWH(100, 100, 20, 20))
    tracker.update(FRAME)
    assert tracker.search_resampling() == 3.0
    while tracker.state is not TrackState.SEARCHING:
        tracker.update(FRAME)
    assert tracker.search_resampling() is None


def test_a_flood_of_proposals_is_cut_to_the_first_few():
    inner, tracker = searching_one_window_a_frame()
    tracker.propose([BoxXYWH(10 + i, 10, 20, 20) for i in range(10_000)])
    before = sum(len(windows) for windows in inner.searched)
    tracker.update(FRAME)
    proposed = sum(len(windows) for windows in inner.searched) - before
    assert 0 < proposed <= MAX_PROPOSALS + 4  # the proposals plus the plan's own windows


@pytest.mark.parametrize('probation, dropped', [(3, False), (10, True)])
def test_probation_holds_only_its_first_frames_to_the_take_level(probation, dropped):
    # after the take the target scores 6 and 7.5 by turns: under the take level (min(9.2 - 2,
    # 7) = 7) now and then, never 3.5 under the pre-loss level (9.2)
    inner = ScriptedTracker([STRONG] * 10 + [DISTRACTOR] * 2)
    policy = AbsencePolicy(drop=3.5, lost_after=2, reacquire_drop=2.0, confirm_frames=2,
                           probation=probation)
    tracker = LongTermTracker(inner, policy=policy)
    tracker.init(FRAME, BoxXYWH(100, 100, 20, 20))
    for _ in range(12):
        tracker.update(FRAME)
    assert tracker.state is TrackState.SEARCHING
    inner.found_at = BoxXYWH(104, 100, 20, 20)
    for _ in range(10):
        if tracker.update(FRAME).state is TrackState.TRACKING:
            break
    assert inner.resumed == [inner.found_at]
    inner.scores = [p(7.5), p(6.0), p(7.5)] + [p(6.0), p(6.0), p(7.5)] * 3
    states = [tracker.update(FRAME).state for _ in range(12)]
    assert (TrackState.SEARCHING in states) is dropped
    # the second frame is under the take level in probation either way: reported, not published
    assert states[1] is TrackState.LOST


def test_init_and_reset_leave_searching():
    inner = ScriptedTracker([STRONG] * 10 + [DISTRACTOR] * 2 + [STRONG])
    tracker = LongTermTracker(inner)
    tracker.init(FRAME, BoxXYWH(100, 100, 20, 20))
    for _ in range(12):
        tracker.update(FRAME)
    assert tracker.state is TrackState.SEARCHING
    tracker.init(FRAME, BoxXYWH(50, 50, 20, 20))
    assert tracker.state is TrackState.TRACKING
    assert tracker.update(FRAME).state is TrackState.TRACKING
    tracker.reset()
    assert tracker.state is TrackState.IDLE


def test_lost_threshold_of_the_family_still_counts_as_weak():
    inner = ScriptedTracker([STRONG] * 3 + [0.2] * 2)
    tracker = LongTermTracker(inner)
    tracker.init(FRAME, BoxXYWH(100, 100, 20, 20))
    for _ in range(3):
        tracker.update(FRAME)
    tracker.lost_threshold = 0.3
    assert inner.lost_threshold == 0.3
    assert tracker.update(FRAME).state is TrackState.LOST
    assert tracker.update(FRAME).state is TrackState.SEARCHING


def test_factory_wraps_only_when_asked(nanotrack_dir, monkeypatch):
    # mode off: exactly the family's own tracker, as before this mode existed
    from lite_tracker_ros.core.nanotrack_tracker import NanoTracker
    from lite_tracker_ros.factory import create_tracker
    monkeypatch.setenv('LITE_TRACKER_MODEL_PATH', str(nanotrack_dir))
    plain = create_tracker('nanotrack_v2', backend='onnxruntime', num_threads=1)
    assert type(plain) is NanoTracker
    wrapped = create_tracker('nanotrack_v2', backend='onnxruntime', num_threads=1,
                             long_term=True, lost_threshold=0.3)
    assert isinstance(wrapped, LongTermTracker) and type(wrapped.inner) is NanoTracker
    assert wrapped.lost_threshold == 0.3 and wrapped.spec.name == 'nanotrack_v2'
    assert wrapped.policy == NanoTracker.default_absence_policy
    assert wrapped.policy.patient_frames > 0
    impatient = create_tracker('nanotrack_v2', backend='onnxruntime', num_threads=1,
                               long_term=True, long_term_patient=False)
    assert impatient.policy.patient_frames == 0
    assert impatient.policy == replace(NanoTracker.default_absence_policy, patient_frames=0)


class TwoPlaces(ScriptedTracker):
    """Every search finds the same two places: a look-alike scored a bit higher, and the target."""

    def __init__(self, scores, target, look_alike):
        super().__init__(scores)
        self.places = [(look_alike, p(7.6)), (target, p(7.2))]

    def redetect(self, frame, anchor, windows):
        self.searched.append(list(windows))
        return [Candidate(box, score) for box, score in self.places]


@pytest.mark.parametrize('weight, lead, taken', [(10.0, 1.0, 'target'), (0.0, 1.0, 'neither'),
                                                 (0.0, 0.0, 'look-alike')])
def test_colours_of_the_init_box_decide_between_two_places_the_model_scores_alike(weight, lead,
                                                                                  taken):
    # a red-over-blue figure at init; later the target (same colours) and a green figure of
    # the same shape, which the model scores 0.4 log-odds higher: without colours the two are
    # ambiguous (neither leads by 1), and with no lead asked the higher one is taken
    pixels = np.full((240, 320, 3), 90, np.uint8)
    pixels[40:60, 40:60], pixels[60:80, 40:60] = (0, 0, 200), (200, 0, 0)
    start = BoxXYWH(40, 40, 20, 40)
    later = pixels.copy()
    later[40:80, 40:60] = 90  # the target left its place
    later[140:160, 200:220], later[160:180, 200:220] = (0, 0, 200), (200, 0, 0)
    later[140:180, 100:120] = (0, 180, 0)
    target, look_alike = BoxXYWH(200, 140, 20, 40), BoxXYWH(100, 140, 20, 40)
    inner = TwoPlaces([STRONG] * 10 + [DISTRACTOR] * 2, target, look_alike)
    policy = AbsencePolicy(drop=3.5, lost_after=2, reacquire_drop=2.0, confirm_frames=2,
                           appearance_weight=weight, lead=lead)
    tracker = LongTermTracker(inner, policy=policy)
    tracker.init(pixels, start)
    for _ in range(12):
        tracker.update(later)
    assert tracker.state is TrackState.SEARCHING
    for _ in range(4):
        tracker.update(later)
    assert inner.resumed == {'target': [target], 'look-alike': [look_alike], 'neither': []}[taken]


def test_appearance_weight_must_be_finite_and_not_negative():
    with pytest.raises(ValueError):
        AbsencePolicy(appearance_weight=-1.0)
    with pytest.raises(ValueError):
        AbsencePolicy(appearance_centre=math.inf)


@pytest.mark.parametrize('patient_frames', [0, 5])
def test_colours_never_raise_a_score_over_the_level(patient_frames):
    # the place has the init box's very colours (all one grey) but scores under the level
    # (6.5 against min(9.2 - 2, 7) = 7): a background that matches a small target's box, which
    # is mostly background, must not be promoted over it; only the patient run takes it, after
    # being the one place found on patient_frames frames
    inner = TwoPlaces([STRONG] * 10 + [DISTRACTOR] * 2, BoxXYWH(200, 140, 20, 40),
                      BoxXYWH(100, 140, 20, 40))
    inner.places = [(BoxXYWH(100, 140, 20, 40), p(6.5))]
    policy = AbsencePolicy(appearance_weight=10.0, patient_frames=patient_frames)
    tracker = LongTermTracker(inner, policy=policy)
    tracker.init(FRAME, BoxXYWH(40, 40, 20, 40))
    for _ in range(12):
        tracker.update(FRAME)
    assert tracker.state is TrackState.SEARCHING
    states = []
    while TrackState.TRACKING not in states and len(states) < 10:
        states.append(tracker.update(FRAME).state)
    if patient_frames:
        assert len(states) == patient_frames and states[-1] is TrackState.TRACKING
        assert inner.resumed == [inner.places[0][0]]
        # held to the level it was taken at (5), not to the pre-loss one (9.2 - 3.5)
        inner.scores = [p(5.5)] * 3 + [p(4.5)] * 2
        assert [tracker.update(FRAME).state for _ in range(5)] == [TrackState.TRACKING] * 3 + [
            TrackState.LOST, TrackState.SEARCHING]
    else:
        assert set(states) == {TrackState.SEARCHING} and inner.resumed == []


def test_a_patient_run_keeps_its_place_in_view_while_the_plan_moves_on():
    # the whole frame is tiled (one window a frame, nearest the anchor first): a place found
    # once, through a detector box, far from the anchor, is searched again on the next frames
    inner = ScriptedTracker([STRONG] * 10 + [DISTRACTOR] * 2)
    tracker = LongTermTracker(inner, policy=AbsencePolicy(patient_frames=5),
                              budget=SearchBudget(max_scale=1.0, per_frame=1, growth=10.0))
    tracker.init(FRAME, BoxXYWH(100, 100, 20, 20))
    for _ in range(12):
        tracker.update(FRAME)
    assert tracker.state is TrackState.SEARCHING
    far = BoxXYWH(560, 400, 20, 20)
    inner.found_at, inner.found_score = far, p(6.0)  # under the quick level (7), over 5
    tracker.propose([far])
    states = [tracker.update(FRAME).state for _ in range(5)]
    assert states == [TrackState.SEARCHING] * 4 + [TrackState.TRACKING]
    assert inner.resumed == [far]


@pytest.mark.parametrize('weight, weak', [(10.0, True), (0.0, False)])
def test_after_a_weak_frame_the_box_is_judged_by_its_colours_too(weight, weak):
    # the tracker jumped to a green figure that scores just over the weak level (9.2 - 3.5);
    # only after a weak frame: a strong frame is never second-guessed by colours
    pixels = np.full((240, 320, 3), 90, np.uint8)
    pixels[40:60, 40:60], pixels[60:80, 40:60] = (0, 0, 200), (200, 0, 0)
    green = np.zeros_like(pixels)
    green[...] = (0, 180, 0)
    inner = ScriptedTracker([STRONG] * 10 + [STRONG, DISTRACTOR, p(6.0), p(6.0)])
    policy = AbsencePolicy(drop=3.5, lost_after=2, appearance_weight=weight)
    tracker = LongTermTracker(inner, policy=policy)
    tracker.init(pixels, BoxXYWH(40, 40, 20, 40))
    for _ in range(10):
        tracker.update(pixels)
    assert tracker.update(green).state is TrackState.TRACKING
    assert tracker.update(green).state is TrackState.LOST
    # the second weak frame in a row: the target is lost
    state = tracker.update(green).state
    assert state is (TrackState.SEARCHING if weak else TrackState.TRACKING)
