# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""The state every tracker loop keeps besides its model: state, track id, lost threshold."""

from __future__ import annotations

import math

from lite_tracker_ros.core.types import BoxXYWH, TrackState


class TrackBookkeeping:
    """
    Track state shared by the tracker loops.

    A new track id per init, IDLE until the first init and after ``reset``, and TRACKING or LOST
    by comparing each frame's score with ``lost_threshold`` (changeable at any time; None sets the
    tracker's ``default_lost_threshold``, since scores mean different things per family).
    """

    #: score under which a result reports LOST unless the caller chooses another
    default_lost_threshold = 0.25

    def __init__(self, lost_threshold: float | None = None):
        self.lost_threshold = lost_threshold
        self._state = TrackState.IDLE
        self._track_id = 0

    @property
    def state(self) -> TrackState:
        return self._state

    @property
    def track_id(self) -> int:
        """Id of the current track: 0 before the first init, then one more per init."""
        return self._track_id

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

    def _begin_track(self) -> None:
        self._track_id += 1
        self._state = TrackState.TRACKING

    def _judge(self, score: float) -> TrackState:
        self._state = TrackState.TRACKING if score >= self._lost_threshold else TrackState.LOST
        return self._state
