# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Turning an init message into (frame, box): the frame it was drawn on, and a sane box.

ROS-free: frames are kept as opaque items keyed by their header stamp in nanoseconds.
"""

from __future__ import annotations

from collections import deque
import math
import time
from typing import Callable, Generic, TypeVar

from lite_tracker_ros.core.types import BoxXYWH
from lite_tracker_ros.errors import LiteTrackerError

T = TypeVar('T')


class InitError(LiteTrackerError, ValueError):
    """An init request that cannot be honoured; ``kind`` names the counter it goes to."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


class StampedBuffer(Generic[T]):
    """
    The last ``size`` frames, so an init box can be applied to the frame it was drawn on.

    Bounded by count and by ``max_bytes`` together: the oldest frames go first. The newest one
    is always kept, even alone over the budget, so an init with a zero stamp still finds it
    (its size is bounded by max_image_pixels).
    """

    def __init__(self, size: int, max_bytes: int | None = None):
        self._size = max(1, size)
        self._max_bytes = max_bytes
        self._items: deque[tuple[int, T]] = deque()
        self._sizes: deque[int] = deque()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)

    @property
    def nbytes(self) -> int:
        """Bytes held, as given to ``push``."""
        return self._bytes

    def push(self, stamp_ns: int, item: T, nbytes: int = 0) -> None:
        self._items.append((stamp_ns, item))
        self._sizes.append(nbytes)
        self._bytes += nbytes
        while len(self._items) > 1 and (
                len(self._items) > self._size
                or (self._max_bytes is not None and self._bytes > self._max_bytes)):
            self._items.popleft()
            self._bytes -= self._sizes.popleft()

    def newest(self) -> tuple[int, T] | None:
        return self._items[-1] if self._items else None

    def find(self, stamp_ns: int) -> tuple[int, T] | None:
        """
        Return the frame with this stamp, or the nearest one inside the buffered span.

        Returns None when the stamp is newer than every buffered frame (it may still arrive);
        raises InitError when it is older than all of them.
        """
        if not self._items:
            return None
        oldest, newest = self._items[0][0], self._items[-1][0]
        if stamp_ns < oldest:
            raise InitError('init_stamp_too_old',
                            f'init stamp is {(oldest - stamp_ns) / 1e9:.3f} s older than the '
                            f'oldest of the {len(self._items)} buffered frames; raise '
                            f'init_buffer_size or send the box sooner')
        if stamp_ns > newest:
            return None
        return min(self._items, key=lambda item: abs(item[0] - stamp_ns))


def checked_init_box(box: BoxXYWH, width: int, height: int) -> BoxXYWH:
    """Clip the box to the image; raise InitError if it is not a usable target box."""
    if not box.is_finite():
        raise InitError('init_box_not_finite', f'init box has NaN or infinite values: {box}')
    if box.w < 0 or box.h < 0:
        raise InitError('init_box_negative', f'init box has a negative size: {box}')
    x1, y1 = max(0.0, box.x), max(0.0, box.y)
    x2, y2 = min(float(width), box.x + box.w), min(float(height), box.y + box.h)
    if x2 - x1 < 1.0 or y2 - y1 < 1.0:
        raise InitError('init_box_outside_image',
                        f'init box {box} does not overlap the {width}x{height} image by a pixel')
    return BoxXYWH(x1, y1, x2 - x1, y2 - y1)


def is_stop_request(box: BoxXYWH) -> bool:
    """Zero-size box: the documented way to stop tracking."""
    return box.w == 0 and box.h == 0 and all(math.isfinite(v) for v in box.as_tuple())


class InitMailbox(Generic[T]):
    """
    The one pending init request: the newest wins, and it may wait for its frame.

    An init is often drawn on a frame that reaches this node a little after the box (the two
    travel on separate topics). A request whose stamp is newer than every buffered frame waits up
    to ``wait_s`` for that frame instead of failing at once. Requests replaced before they were
    applied are counted in ``coalesced``.
    """

    def __init__(self, wait_s: float, clock: Callable[[], float] = time.monotonic):
        self.wait_s = wait_s
        self._clock = clock
        self._request: T | None = None
        self._stamp_ns = 0
        self._deadline = 0.0
        self.coalesced = 0

    def __bool__(self) -> bool:
        return self._request is not None

    def put(self, request: T, stamp_ns: int) -> None:
        """Hold ``request`` for the frame stamped ``stamp_ns`` (0: whichever is newest)."""
        if self._request is not None:
            self.coalesced += 1
        self._request, self._stamp_ns = request, stamp_ns
        self._deadline = self._clock() + self.wait_s

    def clear(self) -> None:
        self._request = None

    def seconds_left(self) -> float | None:
        """How long the pending request may still wait, or None when there is none."""
        if self._request is None:
            return None
        return max(0.0, self._deadline - self._clock())

    def take(self, frames: StampedBuffer) -> tuple[T, tuple | None] | None:
        """
        Resolve the pending request against the buffered frames.

        Returns (request, (stamp, frame)) when its frame is buffered, (request, None) when it
        waited ``wait_s`` in vain, and None while it may still wait (or when there is none).
        InitError from ``frames.find`` (too old) propagates; the request is dropped then.
        """
        request = self._request
        if request is None:
            return None
        try:
            found = frames.newest() if self._stamp_ns == 0 else frames.find(self._stamp_ns)
        except InitError:
            self._request = None
            raise
        if found is None and self._clock() < self._deadline:
            return None
        self._request = None
        return request, found
