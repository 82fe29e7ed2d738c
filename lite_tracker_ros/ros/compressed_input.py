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

With ``region`` (the full-image pixels the next update reads, from the tracker's
``search_region``) and the system's libturbojpeg, only that part of the JPEG is decoded
(:mod:`lite_tracker_ros.core.region_decode`), at the same reduction; the frame carries its
origin and decodes whole if a crop leaves the region. Without the library, or where a region
decode does not apply (it would cover most of the image, say), the frame is decoded as above.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from lite_tracker_ros.core.jpeg_decode import decode_reduced, jpeg_size
from lite_tracker_ros.core.reduced_crop import resampling_to_reduction
from lite_tracker_ros.core.region_decode import RegionDecoder
from lite_tracker_ros.core.types import Frame
from lite_tracker_ros.ros.image_conversion import compressed_to_frame, DEFAULT_MAX_PIXELS


class CompressedInput:
    """Decodes CompressedImage messages; remembers the last whole-decoded size."""

    def __init__(self, margin: float, region_decode: bool = False,
                 decoder: RegionDecoder | None = None):
        self.margin = float(margin)  # 0 turns reduced decoding off
        # the region decoder: given, or the system's libturbojpeg where asked for and present
        self.region_decoder = decoder if decoder is not None else (
            RegionDecoder.load() if region_decode else None)
        self._checked_size: tuple[int, int] | None = None
        self.frames_by_scale: Counter[int] = Counter()
        self.region_frames = 0

    def to_frame(self, msg, resampling: float | None, max_pixels: int = DEFAULT_MAX_PIXELS,
                 region: tuple[float, float, float, float] | None = None) -> Frame:
        """
        Decode ``msg`` for a crop of ``resampling`` image px per input px (None: whole).

        ``region`` ``(x0, y0, x1, y1)``: full-image pixels the next update reads (None: all).
        ``max_pixels`` bounds the size a header may declare (see :func:`compressed_to_frame`);
        a reduced or region decode only follows a whole one of the same size, which passed that
        check.
        """
        frame = None
        reduction = resampling_to_reduction(resampling, margin=self.margin) if self.margin else 1
        if resampling is None:
            region = None  # no crop coming: whole, as the init frame must be
        checked = self._checked_size
        wanted = reduction > 1 or (region is not None and self.region_decoder is not None)
        if wanted and checked is not None and checked[0] * checked[1] <= max_pixels:
            data = np.frombuffer(msg.data, dtype=np.uint8)
            if jpeg_size(data) == checked:
                if region is not None and self.region_decoder is not None:
                    frame = self.region_decoder.decode(data, region, reduction)
                    self.region_frames += frame is not None
                if frame is None and reduction > 1:
                    frame = decode_reduced(data, reduction)
        if frame is None:
            frame = compressed_to_frame(msg, max_pixels)
            self._checked_size = (frame.width, frame.height)
        self.frames_by_scale[frame.scale] += 1
        return frame
