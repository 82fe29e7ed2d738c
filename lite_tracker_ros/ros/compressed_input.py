# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
CompressedImage to a tracker frame at the scale the next crop needs (reduced JPEG decoding).

While a target is tracked, each JPEG is decoded at the largest DCT reduction (1/2, 1/4, 1/8)
that keeps ``margin`` decoded pixels per network input pixel of the tracker's next search crop
(:func:`~lite_tracker_ros.core.reduced_crop.resampling_to_reduction`). Everything else goes
through :func:`compressed_to_frame` whole: frames while idle (so init frames are whole),
non-JPEG formats, and any JPEG whose header size differs from the last frame decoded whole, so
every new size passes that function's checks once before a reduced decode trusts it.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from lite_tracker_ros.core.jpeg_decode import decode_reduced, jpeg_size
from lite_tracker_ros.core.reduced_crop import resampling_to_reduction
from lite_tracker_ros.core.types import Frame
from lite_tracker_ros.ros.image_conversion import compressed_to_frame, DEFAULT_MAX_PIXELS


class CompressedInput:
    """Decodes CompressedImage messages; remembers the last whole-decoded size."""

    def __init__(self, margin: float):
        self.margin = float(margin)  # 0 turns reduced decoding off
        self._checked_size: tuple[int, int] | None = None
        self.frames_by_scale: Counter[int] = Counter()

    def to_frame(self, msg, resampling: float | None,
                 max_pixels: int = DEFAULT_MAX_PIXELS) -> Frame:
        """
        Decode ``msg`` for a crop of ``resampling`` image px per input px (None: whole).

        ``max_pixels`` bounds the size a header may declare (see :func:`compressed_to_frame`);
        a reduced decode only follows a whole one of the same size, which passed that check.
        """
        frame = None
        reduction = resampling_to_reduction(resampling, margin=self.margin) if self.margin else 1
        checked = self._checked_size
        if reduction > 1 and checked is not None and checked[0] * checked[1] <= max_pixels:
            data = np.frombuffer(msg.data, dtype=np.uint8)
            if jpeg_size(data) == checked:
                frame = decode_reduced(data, reduction)
        if frame is None:
            frame = compressed_to_frame(msg, max_pixels)
            self._checked_size = (frame.width, frame.height)
        self.frames_by_scale[frame.scale] += 1
        return frame
