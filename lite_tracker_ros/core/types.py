# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""Small value types shared by every layer."""

from __future__ import annotations

from dataclasses import dataclass, field
import enum
import math
from typing import Callable, Optional

import numpy as np


@dataclass(frozen=True)
class BoxXYWH:
    """Axis-aligned box in image pixels: top-left corner ``(x, y)``, width ``w``, height ``h``."""

    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + 0.5 * self.w

    @property
    def cy(self) -> float:
        return self.y + 0.5 * self.h

    def is_finite(self) -> bool:
        return all(math.isfinite(v) for v in (self.x, self.y, self.w, self.h))

    def as_tuple(self) -> tuple[float, float, float, float]:
        return (self.x, self.y, self.w, self.h)

    @classmethod
    def from_center(cls, cx: float, cy: float, w: float, h: float) -> BoxXYWH:
        return cls(cx - 0.5 * w, cy - 0.5 * h, w, h)


class TrackState(enum.Enum):
    """
    Where the tracker is: no target, following it, not confident it still sees it, or searching.

    SEARCHING is reported only in the long-term mode, once the target was declared lost and the
    tracker looks for it over a larger part of the frame.
    """

    IDLE = 'idle'
    TRACKING = 'tracking'
    LOST = 'lost'
    SEARCHING = 'searching'


class ChannelOrder(enum.Enum):
    """Channel layout of a frame's pixels. Conversion happens on the crop, never the frame."""

    RGB = 'rgb'
    BGR = 'bgr'
    MONO = 'mono'


@dataclass(frozen=True)
class Frame:
    """
    A camera frame as the tracker sees it: an ``HxWx3`` (or ``HxW`` mono) uint8 array.

    ``pixels`` may be a strided view into a message buffer; the core never copies or converts
    the whole frame, it only reads the crop window.

    A frame decoded at reduced scale (JPEG DCT scaling) has ``scale`` > 1: pixel ``(i, j)`` of
    ``pixels`` covers full-image pixels ``[i*scale, (i+1)*scale)`` x ``[j*scale, (j+1)*scale)``,
    and ``full_size`` is the full image's ``(width, height)``. ``width``/``height`` and every
    box stay in full-image pixels; only the crops read ``pixels`` through the scale.

    A frame decoded only in a region (libjpeg-turbo lossless crop) has ``origin`` ``(x, y)``:
    the full-image pixel where ``pixels[0, 0]`` (at its scale) starts; the array then covers
    only part of the image. ``whole`` decodes the whole image (once) for a read that leaves the
    region: crops ask :meth:`covering` for a frame that holds their window, so a region that
    turns out too small costs a whole decode, never wrong pixels.
    """

    pixels: np.ndarray
    order: ChannelOrder = ChannelOrder.RGB
    scale: int = 1
    full_size: tuple[int, int] | None = None
    origin: tuple[int, int] = (0, 0)
    whole: Optional[Callable[[], Frame]] = field(default=None, compare=False, repr=False)

    def region(self) -> tuple[int, int, int, int]:
        """``(x0, y0, x1, y1)``: the full-image pixels that ``pixels`` covers (clipped)."""
        x0, y0 = self.origin
        rows, cols = self.pixels.shape[:2]
        return (x0, y0, min(x0 + cols * self.scale, self.width),
                min(y0 + rows * self.scale, self.height))

    def covering(self, x0: float, y0: float, x1: float, y1: float, margin: int = 0) -> Frame:
        """
        Return a frame that holds full-image window ``[x0, x1) x [y0, y1)``.

        This frame if its pixels hold the window (clipped to the image, grown by ``margin``
        pixels), else the whole-image frame where one is known (a region decode's ``whole``).
        """
        if self.whole is None:
            return self
        width, height = self.width, self.height
        need_x0, need_y0 = max(math.floor(x0) - margin, 0), max(math.floor(y0) - margin, 0)
        need_x1 = min(math.ceil(x1) + margin, width)
        need_y1 = min(math.ceil(y1) + margin, height)
        if need_x1 <= need_x0 or need_y1 <= need_y0:
            return self  # nothing of the window is in the image: any frame pads it alike
        have = self.region()
        if (have[0] <= need_x0 and have[1] <= need_y0 and need_x1 <= have[2]
                and need_y1 <= have[3]):
            return self
        return self.whole()

    @property
    def height(self) -> int:
        """Height of the full image in pixels (not of a reduced ``pixels`` array)."""
        if self.full_size is not None:
            return int(self.full_size[1])
        return int(self.pixels.shape[0])

    @property
    def width(self) -> int:
        """Width of the full image in pixels (not of a reduced ``pixels`` array)."""
        if self.full_size is not None:
            return int(self.full_size[0])
        return int(self.pixels.shape[1])


@dataclass(frozen=True)
class TrackResult:
    """
    What one ``update`` produced.

    ``box`` is in original-image pixels; ``score`` is the tracker's confidence in [0, 1] (for the
    centre-head trackers, the peak of the Hann-windowed score map). ``timings_s`` holds the
    per-stage wall times of this update (``preprocess``, ``inference``, ``postprocess``).
    """

    box: BoxXYWH
    score: float
    state: TrackState
    track_id: int
    timings_s: dict[str, float] = field(default_factory=dict)
