# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
The skeleton every tracker loop shares; a family's loop fills in only what differs.

:class:`TrackerLoop` implements the :class:`~lite_tracker_ros.core.tracker.Tracker` API once
(a template method): ``init`` checks the box, starts a new track id and keeps the box; ``update``
refuses to run while IDLE, times the stages, judges TRACKING or LOST against ``lost_threshold``
and builds the :class:`~lite_tracker_ros.core.types.TrackResult`; ``reset``, ``box``,
``search_resampling`` and the long-term mode's ``resume`` are here too. The base alone writes
the track state, the track id and the box (a test enforces it); a loop implements the hooks:

* ``_start(frame, box)``: prepare the template from the init box; return the box to keep;
* ``_step(frame, box, timer)``: one frame, searched around the previous ``box``; return the new
  box and its score, calling ``timer.mark('preprocess')`` and ``timer.mark('inference')``
  where those stages end (the base marks ``postprocess``);
* ``_forget()``: drop the family's own track state on ``reset`` (optional);
* ``_move_to(box)``: follow a box the long-term mode chose; return the box to keep (optional);
* ``_next_resampling(box)``: image pixels per network input pixel of the next crop, or None
  (optional; the default says nothing);
* ``_next_region(box)``: the image region ``(x0, y0, x1, y1)`` the next update reads, or None
  (optional; the default says nothing, and a compressed frame is then decoded whole).

``search_side`` (the long-term mode's normal window) defaults to the search crop's side around
the box, read from the loop's ``spec`` (every loop names its ModelSpec so); NanoTrack overrides it.
"""

from __future__ import annotations

import math
import time

from lite_tracker_ros.core.frame import as_frame
from lite_tracker_ros.core.tracker import FrameLike
from lite_tracker_ros.core.types import BoxXYWH, Frame, TrackResult, TrackState


class StageTimer:
    """Seconds per stage of one ``update``, each stage ending where it is marked."""

    def __init__(self) -> None:
        self._last = time.perf_counter()
        self.timings_s: dict[str, float] = {}

    def mark(self, stage: str) -> None:
        """End ``stage`` now; the next stage starts here."""
        now = time.perf_counter()
        self.timings_s[stage] = now - self._last
        self._last = now


class TrackerLoop:
    """
    Track state shared by the tracker loops, and the loop around a family's hooks.

    A new track id per init, IDLE until the first init and after ``reset``, and TRACKING or LOST
    by comparing each frame's score with ``lost_threshold`` (changeable at any time; None sets the
    loop's ``default_lost_threshold``, since scores mean different things per family). A loop
    offers the long-term mode ``search_side``, ``redetect`` and the class attributes that
    :class:`~lite_tracker_ros.core.long_term.Redetecting` lists; ``resume`` is here.
    """

    #: score under which a result reports LOST unless the caller chooses another
    default_lost_threshold = 0.25

    def __init__(self, lost_threshold: float | None = None):
        self.lost_threshold = lost_threshold
        self._state = TrackState.IDLE
        self._track_id = 0
        self._box: BoxXYWH | None = None

    @property
    def state(self) -> TrackState:
        return self._state

    @property
    def track_id(self) -> int:
        """Id of the current track: 0 before the first init, then one more per init."""
        return self._track_id

    @property
    def box(self) -> BoxXYWH | None:
        """Latest box in image pixels (the init box right after init); None when IDLE."""
        return self._box

    @property
    def lost_threshold(self) -> float:
        return self._lost_threshold

    @lost_threshold.setter
    def lost_threshold(self, value: float | None) -> None:
        value = float(self.default_lost_threshold if value is None else value)
        if not (math.isfinite(value) and 0.0 <= value <= 1.0):
            raise ValueError(f'lost_threshold must be a number in [0, 1], got {value}')
        self._lost_threshold = value

    @staticmethod
    def check_init_box(box: BoxXYWH) -> None:
        if not (box.is_finite() and box.w > 0 and box.h > 0):
            raise ValueError(f'init box {box.as_tuple()} must be finite with positive width '
                             'and height (x, y, w, h in image pixels)')

    def init(self, frame: FrameLike, box: BoxXYWH) -> None:
        """Start a new track on ``box`` (image pixels) in ``frame``; allowed at any time."""
        self.check_init_box(box)
        kept = self._start(as_frame(frame), box)
        self._box = kept
        self._track_id += 1
        self._state = TrackState.TRACKING

    def update(self, frame: FrameLike) -> TrackResult:
        """
        Locate the target in the next frame.

        Raises RuntimeError when IDLE (no init since construction or ``reset``): there is no
        target to look for, and a silent IDLE result would hide a wiring mistake.
        """
        if self._state is TrackState.IDLE or self._box is None:
            raise RuntimeError('update() called with no target (before init() or after '
                               'reset()): call init(frame, box) first')
        timer = StageTimer()
        box, score = self._step(as_frame(frame), self._box, timer)
        self._box = box
        self._state = TrackState.TRACKING if score >= self._lost_threshold else TrackState.LOST
        timer.mark('postprocess')
        return TrackResult(box, score, self._state, self._track_id, timer.timings_s)

    def reset(self) -> None:
        """Forget the target; the state becomes IDLE until the next ``init``."""
        self._forget()
        self._box = None
        self._state = TrackState.IDLE

    def resume(self, box: BoxXYWH) -> None:
        """Continue the current track from ``box`` (template and track id kept)."""
        self._box = self._move_to(box)
        self._state = TrackState.TRACKING

    def search_resampling(self) -> float | None:
        """Full-image pixels per network input pixel of the next update's crop; None when IDLE."""
        if self._state is TrackState.IDLE or self._box is None:
            return None
        return self._next_resampling(self._box)

    def search_region(self) -> tuple[float, float, float, float] | None:
        """
        Full-image pixels ``(x0, y0, x1, y1)`` the next update reads; None when IDLE or unknown.

        A compressed input may decode only this region (``core.region_decode``).
        """
        if self._state is TrackState.IDLE or self._box is None:
            return None
        return self._next_region(self._box)

    def search_side(self, box: BoxXYWH) -> float:
        """Side, in image pixels, of the normal search window around ``box``."""
        search = self.spec.search  # every loop names its ModelSpec ``spec``
        return search.factor * math.sqrt(box.w * box.h)

    # the hooks a family's loop implements

    def _start(self, frame: Frame, box: BoxXYWH) -> BoxXYWH:
        raise NotImplementedError

    def _step(self, frame: Frame, box: BoxXYWH, timer: StageTimer) -> tuple[BoxXYWH, float]:
        raise NotImplementedError

    def _forget(self) -> None:
        """Drop the family's own track state (the base forgets the box and the state)."""

    def _move_to(self, box: BoxXYWH) -> BoxXYWH:
        return box

    def _next_resampling(self, box: BoxXYWH) -> float | None:
        return None

    def _next_region(self, box: BoxXYWH) -> tuple[float, float, float, float] | None:
        return None
