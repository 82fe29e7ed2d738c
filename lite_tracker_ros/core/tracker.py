# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""The tracker API every model family implements, whatever backend computes its network."""

from __future__ import annotations

from typing import Protocol, runtime_checkable, Union

import numpy as np

from lite_tracker_ros.core.types import BoxXYWH, Frame, TrackResult, TrackState

#: a frame, or a bare ``HxWx3`` RGB uint8 array
FrameLike = Union[Frame, np.ndarray]


@runtime_checkable
class Tracker(Protocol):
    """
    Single-object tracker: ``init`` on a frame with a box, then ``update`` on each new frame.

    ``init`` may be called again at any time (re-init); each init starts a new track id.
    Given the same inputs, the results are the same (no hidden randomness).

    The package's loops implement it by subclassing
    :class:`~lite_tracker_ros.core.tracker_loop.TrackerLoop`, which writes this API (and
    ``track_id``, ``box``, ``lost_threshold``, ``search_resampling``, ``resume``) once; a
    family's loop implements only its hooks (``_start``, ``_step``, and where it has state of
    its own ``_forget``, ``_move_to``, ``_next_resampling``).
    """

    @property
    def state(self) -> TrackState: ...

    def init(self, frame: FrameLike, box: BoxXYWH) -> None: ...

    def update(self, frame: FrameLike) -> TrackResult: ...

    def reset(self) -> None:
        """Forget the target; the state becomes IDLE."""
