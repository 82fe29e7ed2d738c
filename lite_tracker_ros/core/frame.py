# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""Accepting what callers pass as a frame."""

from __future__ import annotations

import numpy as np

from lite_tracker_ros.core.tracker import FrameLike
from lite_tracker_ros.core.types import ChannelOrder, Frame


def as_frame(frame: FrameLike) -> Frame:
    """Check a frame (a bare array is RGB, or mono if it is ``HxW``) and wrap it in Frame."""
    if not isinstance(frame, Frame):
        if not isinstance(frame, np.ndarray):
            raise TypeError(f'expected a Frame or a numpy array, got {type(frame).__name__}')
        frame = Frame(frame, ChannelOrder.MONO if frame.ndim == 2 else ChannelOrder.RGB)
    pixels = frame.pixels
    channels = 1 if pixels.ndim == 2 else (pixels.shape[2] if pixels.ndim == 3 else 0)
    if pixels.dtype != np.uint8 or channels not in (1, 3) or min(pixels.shape[:2]) < 1:
        raise ValueError(f'frame must be an HxWx3 or HxW uint8 image, got {pixels.dtype} array '
                         f'of shape {pixels.shape}; convert it (e.g. to rgb8/bgr8) first')
    if (channels == 1) != (frame.order is ChannelOrder.MONO):
        raise ValueError(f'frame order {frame.order.name} does not fit {channels} channel(s); '
                         'use ChannelOrder.MONO for one channel, RGB or BGR for three')
    return frame
