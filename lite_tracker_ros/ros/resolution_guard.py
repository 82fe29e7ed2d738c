# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Frames of another size than the tracked stream's: refused one by one, or the track ends.

A tracker's state (box, search window, template) is in the pixels of the frames it was started
on. One odd frame (a 1x1 glitch, a frame from another camera on the same topic) fed to it moves
the box into nonsense for many frames after; a stream that really changed size makes every later
box meaningless. So a frame of another size is refused, and when the new size persists for
``stop_after`` frames in a row the track is stopped for a new init.
"""

from __future__ import annotations

import enum


class SizeVerdict(enum.Enum):
    """What to do with one frame."""

    ACCEPT = 'accept'
    REJECT = 'reject'        # another size: skip this frame, keep the track
    STOP_TRACK = 'stop'      # the other size persisted: end the track


class ResolutionGuard:
    """Compares each frame's (width, height) with the size the track was started on."""

    def __init__(self, stop_after: int = 5):
        self.stop_after = stop_after
        self.tracked: tuple[int, int] | None = None
        self._other: tuple[int, int] | None = None
        self._other_count = 0

    def start(self, size: tuple[int, int]) -> None:
        """Remember ``size``: a track starts on a frame of it."""
        self.tracked, self._other, self._other_count = size, None, 0

    def clear(self) -> None:
        self.start(None)

    def check(self, size: tuple[int, int]) -> SizeVerdict:
        if self.tracked is None or size == self.tracked:
            self._other, self._other_count = None, 0
            return SizeVerdict.ACCEPT
        if size == self._other:
            self._other_count += 1
        else:
            self._other, self._other_count = size, 1
        if self._other_count >= self.stop_after:
            self.clear()
            return SizeVerdict.STOP_TRACK
        return SizeVerdict.REJECT
