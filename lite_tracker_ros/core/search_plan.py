# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Where a lost tracker looks next: a region that grows around the last place the target was seen.

On the ``k``-th searching frame the region is a square of ``normal_side * growth ** k`` around
the anchor (clipped to the frame), until it covers the whole frame. The region is cut into
windows of at most ``max_side`` pixels that overlap by half a normal search window, so a
target that fits a normal search window fits wholly inside at least one of them. Each frame
searches ``per_frame`` windows, nearest to the anchor first; once the region stops growing the
windows are visited in turn, so the whole frame is covered every few frames.
"""

from __future__ import annotations

from dataclasses import dataclass
import math

from lite_tracker_ros.core.types import BoxXYWH


@dataclass(frozen=True)
class SearchWindow:
    """A rectangle of the frame, in image pixels, searched at the track's scale."""

    cx: float
    cy: float
    width: float
    height: float

    @classmethod
    def square(cls, cx: float, cy: float, side: float) -> SearchWindow:
        return cls(cx, cy, side, side)


@dataclass(frozen=True)
class SearchBudget:
    """How much a family searches per frame: window size cap and windows per frame."""

    #: largest window side as a multiple of the normal search window (1: fixed-input models)
    max_scale: float = 1.0
    #: windows searched per frame (batched through the backend where it allows)
    per_frame: int = 4
    #: region side multiplier per searching frame
    growth: float = 1.6
    #: places of wider windows verified per frame with normal windows (batched)
    verify: int = 3
    #: target sizes (times the last one) each place is verified at
    verify_scales: tuple[float, ...] = (1.0,)


class SearchPlan:
    """The windows to search on each frame after the target was lost at ``anchor``."""

    def __init__(self, anchor: BoxXYWH, normal_side: float, frame_width: int,
                 frame_height: int, budget: SearchBudget) -> None:
        self.anchor = anchor
        self.normal_side = max(float(normal_side), 1.0)
        self._frame = (float(frame_width), float(frame_height))
        self._budget = budget
        self._step = 0
        self._next = 0

    @property
    def step(self) -> int:
        """Return how many searching frames were planned so far."""
        return self._step

    def region_side(self, step: int) -> float:
        return self.normal_side * self._budget.growth ** step

    def covers_frame(self, step: int) -> bool:
        width, height = self._frame
        return self.region_side(step) >= 2.0 * max(width, height)

    def next_windows(self) -> list[SearchWindow]:
        """Return this frame's windows and advance the plan by one frame."""
        windows = self._tiles(self._step)
        count = min(self._budget.per_frame, len(windows))
        if not self.covers_frame(self._step):
            self._step += 1  # still growing: the windows nearest the anchor first
            return windows[:count]
        chosen = [windows[(self._next + i) % len(windows)] for i in range(count)]
        self._next = (self._next + count) % len(windows)
        return chosen

    def _tiles(self, step: int) -> list[SearchWindow]:
        width, height = self._frame
        side = self.region_side(step)
        x0, x1 = _span(self.anchor.cx, side, width)
        y0, y1 = _span(self.anchor.cy, side, height)
        tile = max(self.normal_side * self._budget.max_scale, self.normal_side)
        overlap = 0.5 * self.normal_side
        xs = _centres(x0, x1, tile, overlap)
        ys = _centres(y0, y1, tile, overlap)
        tiles = [SearchWindow(cx, cy, min(tile, x1 - x0) if len(xs) == 1 else tile,
                              min(tile, y1 - y0) if len(ys) == 1 else tile)
                 for cy in ys for cx in xs]
        tiles = [SearchWindow(t.cx, t.cy, max(t.width, self.normal_side),
                              max(t.height, self.normal_side)) for t in tiles]
        tiles.sort(key=lambda t: math.hypot(t.cx - self.anchor.cx, t.cy - self.anchor.cy))
        return tiles


def _span(centre: float, side: float, limit: float) -> tuple[float, float]:
    """Return the part of ``[centre - side/2, centre + side/2]`` in ``[0, limit]`` (not empty)."""
    low, high = max(centre - 0.5 * side, 0.0), min(centre + 0.5 * side, limit)
    if high - low < 1.0:
        middle = min(max(centre, 0.0), limit)
        return middle - 0.5, middle + 0.5
    return low, high


def _centres(low: float, high: float, tile: float, overlap: float) -> list[float]:
    """Centres of the fewest tiles of ``tile`` that cover ``[low, high]``, overlapping."""
    length = high - low
    if length <= tile:
        return [0.5 * (low + high)]
    stride = max(tile - overlap, 1.0)
    count = int(math.ceil((length - tile) / stride)) + 1
    step = (length - tile) / (count - 1)
    return [low + 0.5 * tile + i * step for i in range(count)]
