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
from typing import Generic, TypeVar

from lite_tracker_ros.core.types import BoxXYWH

T = TypeVar('T')


class InitError(ValueError):
    """An init request that cannot be honoured; ``kind`` names the counter it goes to."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


class StampedBuffer(Generic[T]):
    """The last ``size`` frames, so an init box can be applied to the frame it was drawn on."""

    def __init__(self, size: int):
        self._items: deque[tuple[int, T]] = deque(maxlen=max(1, size))

    def __len__(self) -> int:
        return len(self._items)

    def push(self, stamp_ns: int, item: T) -> None:
        self._items.append((stamp_ns, item))

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
