# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Deciding from a tracker's own scores that its target is gone, and that a candidate is it.

Two small state machines, free of any model: :class:`AbsenceMonitor` watches the scores of a
track and says when a frame is weak (score low in absolute terms, or far under the track's own
recent scores) and when enough consecutive weak frames make the target lost;
:class:`ReacquisitionGate` accepts a candidate only after it scored close to what the track
scored before it was lost, on ``confirm_frames`` consecutive frames at consistent places, so a
look-alike (which a Siamese model also scores high, but lower than the target) does not steal
the track. Scores are compared as log-odds (:func:`margin`). The numbers live in
:class:`AbsencePolicy`, one per model family.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
import math
from typing import Optional

import numpy as np

from lite_tracker_ros.core.types import BoxXYWH


def margin(score: float) -> float:
    """
    Return a score in [0, 1] as a log-odds margin, clipped to +-30.

    Trained trackers score a visible target near 1 (NanoTrack v2: median 0.999 on real footage)
    and a distractor often above 0.9, so the probabilities bunch up where a drop cannot be
    seen; their log-odds (about 7 vs 3) keep it visible.
    """
    if not math.isfinite(score):
        return -30.0
    score = min(max(score, 1e-13), 1.0 - 1e-13)
    return max(min(math.log(score / (1.0 - score)), 30.0), -30.0)


def score_of(log_odds: float) -> float:
    """Return the score in [0, 1] of a log-odds margin (the inverse of :func:`margin`)."""
    return 1.0 / (1.0 + math.exp(-max(min(log_odds, 30.0), -30.0)))


@dataclass(frozen=True)
class AbsencePolicy:
    """When a track counts as lost and when a candidate counts as the target again (log-odds)."""

    #: a frame whose score margin is under this is weak whatever the track's history
    #: (0: a probability under one half)
    weak_margin: float = 0.0
    #: a frame whose margin is this far under the median of the track's recent strong frames
    #: is weak
    drop: float = 3.5
    #: frames in that median (only frames that were not weak)
    history: int = 30
    #: strong frames needed before the relative test applies (one early outlier is no level)
    min_history: int = 5
    #: consecutive weak frames that make the target lost
    lost_after: int = 2
    #: a search candidate must score within this of the median the track had when it was lost
    reacquire_drop: float = 2.0
    #: and never under this margin (about 0.95)
    reacquire_margin: float = 3.0
    #: nor over this one (about 0.999): a track that scored very high before the loss must not
    #: make the target unrecoverable after it changed (blur, pose, scale)
    reacquire_cap: float = 7.0
    #: consecutive frames a candidate must be confirmed on, near the previous confirmation
    confirm_frames: int = 2
    #: frames after a re-acquisition during which a frame under the re-acquisition level
    #: counts as weak: a look-alike taken by mistake seldom keeps the target's level. Short,
    #: because the real target seldom keeps it either: after an occlusion or a cut NanoTrack
    #: v2 scores it 1-2 log-odds under its pre-loss level for many frames (blur, pose, new
    #: background), and 10 frames dropped it again and again (docs/benchmarks.md, issue 12)
    probation: int = 3
    #: a candidate whose box aspect ratio differs from the lost target's by more than this
    #: factor is another object, whatever its score (look-alikes of another shape score high)
    max_aspect_change: float = 1.6
    #: the same for the box area's side (square root of the area)
    max_size_change: float = 1.8
    #: log-odds taken off a search candidate's margin per unit of colour similarity to the init
    #: box under ``appearance_centre`` (never added above it); 0 turns the check off
    #: (:mod:`~lite_tracker_ros.core.appearance`). 10: a candidate as unlike the target as a
    #: typical one off it (median 0.81 against 0.90 on the target, calibration half) loses
    #: about half a log-odds, one that shares few of its colours several
    appearance_weight: float = 10.0
    #: the colour similarity (Bhattacharyya coefficient) from which a margin is left unchanged
    #: (between the medians above: docs/benchmarks.md, issue 12)
    appearance_centre: float = 0.85
    #: a candidate that is each frame's best at one place for this many consecutive frames,
    #: with the init box's colours (similarity at least ``appearance_centre``), is taken at a
    #: lower level (``patient_drop`` under the usual one): after a cut the target often scores
    #: well under its pre-loss level for many frames, while a look-alike seldom stays the best
    #: one, in one place, with the target's colours. 0 (or no colour check) turns this off
    patient_frames: int = 5
    #: how far under the usual re-acquisition level a patient take may be (never under
    #: ``reacquire_margin``)
    patient_drop: float = 2.0
    #: a candidate is taken (quickly, or on every frame of a patient run) only when it leads
    #: the best one elsewhere in the frame by this margin: two places that score alike are
    #: ambiguous, and waiting a few frames usually tells them apart
    lead: float = 1.0

    def shape_matches(self, box: BoxXYWH, reference: BoxXYWH) -> bool:
        aspect = (box.w / box.h) / (reference.w / reference.h)
        size = math.sqrt((box.w * box.h) / (reference.w * reference.h))
        return (max(aspect, 1.0 / aspect) <= self.max_aspect_change
                and max(size, 1.0 / size) <= self.max_size_change)

    def __post_init__(self) -> None:
        for name in ('weak_margin', 'drop', 'reacquire_drop', 'reacquire_margin',
                     'reacquire_cap', 'appearance_weight', 'appearance_centre', 'patient_drop',
                     'lead'):
            if not math.isfinite(getattr(self, name)):
                raise ValueError(f'{name} must be a finite number, got {getattr(self, name)}')
        for name in ('drop', 'reacquire_drop', 'appearance_weight', 'patient_drop',
                     'lead'):
            if getattr(self, name) < 0:
                raise ValueError(f'{name} must not be negative, got {getattr(self, name)}')
        for name in ('max_aspect_change', 'max_size_change'):
            if not getattr(self, name) >= 1.0:
                raise ValueError(f'{name} must be at least 1, got {getattr(self, name)}')
        for name in ('probation', 'patient_frames'):
            if getattr(self, name) < 0:
                raise ValueError(f'{name} must not be negative, got {getattr(self, name)}')
        for name in ('history', 'min_history', 'lost_after', 'confirm_frames'):
            if int(getattr(self, name)) < 1:
                raise ValueError(f'{name} must be at least 1, got {getattr(self, name)}')


class AbsenceMonitor:
    """Per-frame verdict on a tracked target: strong, weak, or lost (too many weak in a row)."""

    def __init__(self, policy: AbsencePolicy) -> None:
        self.policy = policy
        self._recent: deque[float] = deque(maxlen=policy.history)
        self._weak_run = 0
        self._ceiling = math.inf

    def reset(self) -> None:
        self._recent.clear()
        self._weak_run = 0
        self._ceiling = math.inf

    def restart_run(self) -> None:
        """Forget the current run of weak frames (the target was found again), keep the rest."""
        self._weak_run = 0

    def lower_ceiling(self, level: float) -> None:
        """Never call a frame at ``level`` or above weak (until :meth:`reset`/:meth:`lift`)."""
        self._ceiling = level
        self._weak_run = 0

    def lift(self) -> None:
        """Forget the ceiling of :meth:`lower_ceiling`."""
        self._ceiling = math.inf

    @property
    def doubtful(self) -> bool:
        """Return whether the last frame was weak (the box may be on something else now)."""
        return self._weak_run > 0

    @property
    def reference(self) -> Optional[float]:
        """Median margin of the recent strong frames (None before ``min_history`` of them)."""
        if len(self._recent) < self.policy.min_history:
            return None
        return float(np.median(self._recent))

    def is_weak(self, score: float) -> bool:
        value = margin(score)
        reference = self.reference
        # a score that would take a lost target back is never weak: a very confident track
        # (Crossing scores 11-12 before a cut) must not drop a target it just took back at
        # ``reacquire_cap``
        relative = reference is not None and value < min(reference - self.policy.drop,
                                                         self.reacquire_margin(), self._ceiling)
        return value < self.policy.weak_margin or relative

    def observe(self, score: float) -> tuple[bool, bool]:
        """Record one tracked frame's score; return ``(weak, lost)``."""
        weak = self.is_weak(score)
        if weak:
            self._weak_run += 1
        else:
            self._weak_run = 0
            self._recent.append(margin(score))
        return weak, self._weak_run >= self.policy.lost_after

    def reacquire_margin(self) -> float:
        """Margin a search candidate needs: near what the track scored before it was lost."""
        reference = self.reference
        floor = self.policy.reacquire_margin
        if reference is None:
            return floor
        return max(floor, min(reference - self.policy.reacquire_drop, self.policy.reacquire_cap))


@dataclass(frozen=True)
class Candidate:
    """A place the target may be: a box in image pixels and the model's score there."""

    box: BoxXYWH
    score: float
    #: where it came from: 'search' (the tracker's own search), 'local' or 'detector'
    source: str = 'search'
    #: colour similarity to the init box (:mod:`~lite_tracker_ros.core.appearance`), None
    #: when it was not checked
    similarity: Optional[float] = None


class ReacquisitionGate:
    """
    Accept a candidate once it was strong on ``confirm_frames`` consecutive frames.

    Or, patiently, once it was each frame's best at one place, with the target's colours, on
    ``patient_frames`` consecutive frames at a lower level (:attr:`AbsencePolicy.patient_drop`).
    """

    def __init__(self, policy: AbsencePolicy) -> None:
        self.policy = policy
        self._pending: Optional[Candidate] = None
        self._count = 0
        self._steady: Optional[Candidate] = None
        self._steady_count = 0
        #: whether the candidate the last offer returned was taken patiently
        self.taken_patiently = False

    def reset(self) -> None:
        self._pending, self._count = None, 0
        self._steady, self._steady_count = None, 0

    @property
    def pending(self) -> Optional[Candidate]:
        """Return the candidate being confirmed (the next search looks there first)."""
        return self._pending

    @property
    def steady(self) -> Optional[Candidate]:
        """Return the last candidate of the patient run in progress (None if there is none)."""
        return self._steady

    def patient_margin(self, needed_margin: float) -> float:
        """Return the level of a patient take when a quick one needs ``needed_margin``."""
        return max(self.policy.reacquire_margin, needed_margin - self.policy.patient_drop)

    def offer(self, best: Optional[Candidate], needed_margin: float,
              runner_up: Optional[Candidate] = None) -> Optional[Candidate]:
        """
        Give this frame's best candidate (or None); return it once it is confirmed.

        ``runner_up`` is the best candidate away from ``best`` (None: there was none).
        """
        self.taken_patiently = False
        second = margin(runner_up.score) if runner_up is not None else -math.inf
        clear = best is not None and margin(best.score) - second >= self.policy.lead
        self._follow_steady(best if clear else None, needed_margin)
        if not clear or not margin(best.score) >= needed_margin:
            self._pending, self._count = None, 0
        else:
            again = self._pending is not None and near(self._pending.box, best.box)
            self._count = self._count + 1 if again else 1
            self._pending = best
            if self._count >= self.policy.confirm_frames:
                self.reset()
                return best
        steady = self._steady
        if steady is not None and self._steady_count >= self.policy.patient_frames:
            self.reset()
            self.taken_patiently = True
            return steady
        return None

    def _follow_steady(self, best: Optional[Candidate], needed_margin: float) -> None:
        """Extend (or restart, or end) the patient run with this frame's best candidate."""
        usable = (self.policy.patient_frames > 0 and best is not None
                  and best.similarity is not None
                  and best.similarity >= self.policy.appearance_centre
                  and margin(best.score) >= self.patient_margin(needed_margin))
        if not usable:
            self._steady, self._steady_count = None, 0
            return
        again = self._steady is not None and near(self._steady.box, best.box)
        self._steady_count = self._steady_count + 1 if again else 1
        self._steady = best


def near(a: BoxXYWH, b: BoxXYWH) -> bool:
    """Return whether ``b`` can be the object of ``a`` a frame later (centres one size apart)."""
    size = max(math.sqrt(a.w * a.h), 1.0)
    return math.hypot(a.cx - b.cx, a.cy - b.cy) <= size
