# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Long-term tracking around any family's tracker: report absence, search, take the target back.

While the target is followed, every ``update`` is the wrapped tracker's own, unchanged (its
boxes stay identical to the upstream tracker's). Each frame's score goes to an
:class:`~lite_tracker_ros.core.absence.AbsenceMonitor`: a weak frame reports LOST (nothing is
published for it; the frame after one is also judged by its colours, as a search candidate is:
the peak may have jumped to a look-alike that scores just over the weak level), and
``lost_after`` weak frames in a row make the target lost: the state
becomes SEARCHING, the wrapped tracker is no longer stepped, and each frame searches windows of
a region that grows from the last place the target was seen with confidence
(:mod:`~lite_tracker_ros.core.search_plan`), using the template cached at init (never
recomputed). Detector proposals given with :meth:`LongTermTracker.propose` are searched too. A
candidate's score is lowered when its colours differ from the init box's
(:mod:`~lite_tracker_ros.core.appearance`); one that then scores close to what the track
scored before the loss, with the lost target's shape, on ``confirm_frames`` consecutive frames
resumes the track there (same id); so does one that is the best, at one place, with the init
box's colours and well ahead of any other, on ``patient_frames`` consecutive frames at a lower
level (after a cut the target often scores well under its pre-loss level for a while).

A family takes part by giving its tracker three methods (:class:`Redetecting`):
``search_side(box)`` (its normal search window side), ``redetect(frame, anchor, windows)`` and
``resume(box)``, plus class attributes ``default_absence_policy`` and ``search_budget``. A
:class:`~lite_tracker_ros.core.tracker_loop.TrackerLoop` has ``resume`` and a default
``search_side`` already: its family writes ``redetect`` and the two attributes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import math
import time
from typing import Optional, Protocol, Sequence

from lite_tracker_ros.core import appearance
from lite_tracker_ros.core.absence import (
    AbsenceMonitor, AbsencePolicy, Candidate, margin, near, ReacquisitionGate, score_of)
from lite_tracker_ros.core.frame import as_frame
from lite_tracker_ros.core.search_plan import SearchBudget, SearchPlan, SearchWindow
from lite_tracker_ros.core.tracker import FrameLike, Tracker
from lite_tracker_ros.core.types import BoxXYWH, Frame, TrackResult, TrackState

#: the timing key of a searching frame: its cost is not a tracking frame's cost
SEARCH_STAGE = 'searching'
#: detector proposals verified per searching frame (a hostile publisher may send thousands)
MAX_PROPOSALS = 16


class Redetecting(Tracker, Protocol):
    """What a family's tracker offers the long-term mode."""

    default_absence_policy: AbsencePolicy
    search_budget: SearchBudget

    def search_side(self, box: BoxXYWH) -> float:
        """Side, in image pixels, of the normal search window around ``box``."""

    def redetect(self, frame: Frame, anchor: BoxXYWH,
                 windows: Sequence[SearchWindow]) -> list[Candidate]:
        """Score the target (last size ``anchor``) in each window; no state changes."""

    def resume(self, box: BoxXYWH) -> None:
        """Continue the current track from ``box`` (template kept, track id kept)."""


@dataclass
class ReacquisitionLog:
    """What the long-term mode did so far (for diagnostics)."""

    lost_events: int = 0
    reacquisitions: int = 0
    #: seconds each re-acquisition took, from the frame declared lost to the frame resumed
    reacquire_s: list[float] = field(default_factory=list)
    #: time.monotonic() of the frame declared lost, None while tracking
    lost_since: Optional[float] = None

    def seconds_lost(self, now: Optional[float] = None) -> float:
        if self.lost_since is None:
            return 0.0
        return (time.monotonic() if now is None else now) - self.lost_since


class LongTermTracker:
    """A family's tracker with the long-term mode on (see the module docstring)."""

    def __init__(self, inner: Redetecting, policy: Optional[AbsencePolicy] = None,
                 budget: Optional[SearchBudget] = None) -> None:
        self.inner = inner
        self.policy = policy if policy is not None else inner.default_absence_policy
        self.budget = budget if budget is not None else inner.search_budget
        self._monitor = AbsenceMonitor(self.policy)
        self._gate = ReacquisitionGate(self.policy)
        self._plan: Optional[SearchPlan] = None
        self._anchor: Optional[BoxXYWH] = None
        self._searching = False
        self._needed_margin = self.policy.reacquire_margin
        self._probation = 0
        self._proposals: list[BoxXYWH] = []
        self._colours = None
        self.log = ReacquisitionLog()

    def __getattr__(self, name: str):
        # spec, params, box, ... of the wrapped tracker (only reached for names not set here)
        return getattr(self.inner, name)

    @property
    def lost_threshold(self) -> float:
        return self.inner.lost_threshold

    @lost_threshold.setter
    def lost_threshold(self, value: Optional[float]) -> None:
        self.inner.lost_threshold = value

    @property
    def state(self) -> TrackState:
        if self._searching:
            return TrackState.SEARCHING
        return self.inner.state

    @property
    def track_id(self) -> int:
        return self.inner.track_id

    def init(self, frame: FrameLike, box: BoxXYWH) -> None:
        self.inner.init(frame, box)
        self._colours = None
        if self.policy.appearance_weight > 0:
            self._colours = appearance.describe(as_frame(frame), box)
        self._monitor.reset()
        self._gate.reset()
        self._searching, self._plan = False, None
        self._probation = 0
        self._anchor = BoxXYWH(*(float(v) for v in box.as_tuple()))
        self._proposals = []
        self.log.lost_since = None

    def reset(self) -> None:
        self.inner.reset()
        self._searching, self._plan = False, None
        self.log.lost_since = None

    def propose(self, boxes: Sequence[BoxXYWH]) -> None:
        """Detector boxes for the next searching frame (ignored while tracking)."""
        usable = [b for b in boxes if b.is_finite() and b.w > 0 and b.h > 0]
        # each costs a crop and a network pass: a detector's first few are its best anyway
        self._proposals = usable[:MAX_PROPOSALS]

    def search_resampling(self) -> Optional[float]:
        """
        Image pixels per network input pixel of the next crop, for a reduced JPEG decode.

        None (decode whole) while searching: the wide windows and tiles read the frame at
        full resolution.
        """
        return self._inner_hint('search_resampling')

    def search_region(self) -> Optional[tuple[float, float, float, float]]:
        """
        Full-image pixels ``(x0, y0, x1, y1)`` the next crop reads, for a region JPEG decode.

        None (decode whole) while searching, as :meth:`search_resampling`.
        """
        return self._inner_hint('search_region')

    def _inner_hint(self, name: str):
        """Return the wrapped tracker's decode hint ``name``; None while searching (whole)."""
        if self._searching:
            return None
        inner = getattr(self.inner, name, None)
        return inner() if inner is not None else None

    def update(self, frame: FrameLike) -> TrackResult:
        if self._searching:
            return self._search(as_frame(frame))
        result = self.inner.update(frame)
        tracked = result.state is TrackState.TRACKING  # the family's own lost_threshold
        if self._probation > 0:  # just re-acquired: hold it to the level it was taken at
            self._probation -= 1
            tracked = tracked and margin(result.score) >= self._needed_margin
        score = result.score
        if tracked and self._monitor.doubtful:
            # the last frame was weak: the peak may have jumped to a look-alike that scores
            # just over the weak level (the other jogger); judge the box as a search candidate
            judged = Candidate(result.box, score)
            score = self._weigh_appearance(as_frame(frame), [judged])[0].score
        weak, lost = self._monitor.observe(score if tracked else -math.inf)
        if not weak:
            self._anchor = result.box
            return result
        if lost:
            self._start_search(as_frame(frame))
        state = TrackState.SEARCHING if self._searching else TrackState.LOST
        return TrackResult(result.box, result.score, state, result.track_id, result.timings_s)

    def _start_search(self, frame: Frame) -> None:
        anchor = self._anchor if self._anchor is not None else self.inner.box
        self._searching = True
        self._gate.reset()
        self._monitor.lift()
        self._needed_margin = self._monitor.reacquire_margin()
        self._plan = SearchPlan(anchor, self.inner.search_side(anchor), frame.width,
                                frame.height, self.budget)
        self.log.lost_events += 1
        self.log.lost_since = time.monotonic()

    def _search(self, frame: Frame) -> TrackResult:
        start = time.perf_counter()
        # the wrapped tracker keeps following as upstream would: after a false loss (blur, a
        # brief occlusion) it is still on the target, and its own result is one more candidate
        local = self.inner.update(frame)
        plan = self._plan
        assert plan is not None and self._anchor is not None
        pending = self._gate.pending
        if pending is not None:  # confirm where the last frame found it, at normal size
            windows = [SearchWindow.square(pending.box.cx, pending.box.cy,
                                           self.inner.search_side(pending.box))]
            anchor = pending.box
        else:
            windows = plan.next_windows()
            anchor = self._anchor
        candidates = self.inner.redetect(frame, anchor, windows)
        steady = self._gate.steady
        if pending is None and steady is not None:
            # keep the patient run's place in view (a wide plan visits its windows in turn);
            # a call of its own: windows of one call share a size
            candidates += self.inner.redetect(frame, steady.box, [SearchWindow.square(
                steady.box.cx, steady.box.cy, self.inner.search_side(steady.box))])
        if local.state is TrackState.TRACKING:
            candidates.append(Candidate(local.box, local.score, 'local'))
        if pending is None and self.budget.max_scale > 1.0:
            candidates = self._verify(frame, anchor, candidates)
        if self._proposals and pending is None:
            candidates += self._verify_proposals(frame)
        self._proposals = []
        floor = self.inner.lost_threshold  # the user's threshold holds for candidates too
        candidates = [c for c in candidates if c.score >= floor
                      and self.policy.shape_matches(c.box, self._anchor)]
        candidates = self._weigh_appearance(frame, candidates)
        best = max(candidates, key=lambda c: c.score, default=None)
        elsewhere = [c for c in candidates if best is not None and not near(c.box, best.box)]
        runner_up = max(elsewhere, key=lambda c: c.score, default=None)
        taken = self._gate.offer(best, self._needed_margin, runner_up)
        if taken is not None:
            return self._resume(taken, start)
        score = best.score if best is not None else 0.0
        # the box is the wrapped tracker's estimate, as upstream would report it; the state
        # says it is not the target's (the node publishes nothing)
        return TrackResult(local.box, score, TrackState.SEARCHING, self.inner.track_id,
                           {SEARCH_STAGE: time.perf_counter() - start})

    def _weigh_appearance(self, frame: Frame,
                          candidates: list[Candidate]) -> list[Candidate]:
        """
        Lower each candidate's score by how much its colours differ from the init box's.

        The network scores a look-alike nearly as high as the target; the colours inside the
        box tell many of them apart (another walker's clothes, a piece of background). The
        weighed score ranks the candidates and meets the re-acquisition level.
        """
        weight = self.policy.appearance_weight
        if weight <= 0 or self._colours is None:
            return candidates
        weighed = []
        for c in candidates:
            similar = appearance.similarity(appearance.describe(frame, c.box), self._colours)
            # colours only ever lower a score: a small target's init box is mostly background,
            # and background that matches it must not be raised over the target (on the plain
            # sequences a raised patch of snow took Skiing's track: docs/benchmarks.md)
            shift = min(similar - self.policy.appearance_centre, 0.0)
            value = margin(c.score) + weight * shift
            weighed.append(Candidate(c.box, score_of(value), c.source, similar))
        return weighed

    def _verify(self, frame: Frame, anchor: BoxXYWH,
                candidates: list[Candidate]) -> list[Candidate]:
        """
        Score the best places of wide windows again with normal windows (comparable scores).

        Each place is scored at a few target sizes around the last one: after a cut or a long
        absence the target is seldom the size it had, and a Siamese score falls quickly with
        a scale mismatch while a look-alike's does not rise.
        """
        best = sorted(candidates, key=lambda c: c.score, reverse=True)[:self.budget.verify]
        found: list[Candidate] = []
        for factor in self.budget.verify_scales if best else ():
            sized = BoxXYWH.from_center(anchor.cx, anchor.cy, anchor.w * factor,
                                        anchor.h * factor)
            side = self.inner.search_side(sized)
            found += self.inner.redetect(
                frame, sized, [SearchWindow.square(c.box.cx, c.box.cy, side) for c in best])
        return found

    def _verify_proposals(self, frame: Frame) -> list[Candidate]:
        """Score each detector box with the template; keep the ones found where proposed."""
        found = []
        for box in self._proposals:
            window = SearchWindow.square(box.cx, box.cy, self.inner.search_side(box))
            for candidate in self.inner.redetect(frame, box, [window]):
                if _overlap(candidate.box, box) >= 0.3:
                    found.append(Candidate(candidate.box, candidate.score, 'detector'))
        return found

    def _resume(self, taken: Candidate, start: float) -> TrackResult:
        self.inner.resume(taken.box)
        # the monitor keeps the scores from before the loss: a look-alike taken by mistake
        # scores under them and is dropped again within lost_after frames
        self._searching, self._plan = False, None
        self._probation = self.policy.probation
        if self._gate.taken_patiently:
            # a patient take: the target scores lower now (new pose, light, background after
            # a cut); hold the track to the level it was taken at, not the pre-loss one
            self._needed_margin = self._gate.patient_margin(self._needed_margin)
            self._monitor.lower_ceiling(self._needed_margin)
        else:
            self._monitor.restart_run()
        self._anchor = taken.box
        self.log.reacquisitions += 1
        self.log.reacquire_s.append(self.log.seconds_lost())
        self.log.lost_since = None
        return TrackResult(taken.box, taken.score, TrackState.TRACKING, self.inner.track_id,
                           {SEARCH_STAGE: time.perf_counter() - start})


def _overlap(a: BoxXYWH, b: BoxXYWH) -> float:
    """Intersection over union of two boxes."""
    w = min(a.x + a.w, b.x + b.w) - max(a.x, b.x)
    h = min(a.y + a.h, b.y + b.h) - max(a.y, b.y)
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    union = a.w * a.h + b.w * b.h - inter
    return inter / union if union > 0 and math.isfinite(union) else 0.0
