# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""Turn an RGB uint8 crop into the network's float32 NCHW input."""

from __future__ import annotations

from typing import Sequence

import numpy as np

_U8_MAX = np.float32(255.0)


def normalize(crop: np.ndarray, mean: Sequence[float], std: Sequence[float]) -> np.ndarray:
    """
    Return ``(crop / 255 - mean) / std`` as a ``1x3xHxW`` float32 array.

    Evaluated in float32 and in this order (divide, subtract, divide), which reproduces the
    reference preprocessors bit for bit; ``x * (1/255)`` would not.
    """
    if crop.dtype != np.uint8 or crop.ndim != 3 or crop.shape[2] != 3:
        raise ValueError(f'expected an HxWx3 uint8 RGB crop, got {crop.dtype} {crop.shape}')
    mean32 = np.asarray(mean, dtype=np.float32)
    std32 = np.asarray(std, dtype=np.float32)
    scaled = crop.astype(np.float32) / _U8_MAX
    chw = ((scaled - mean32) / std32).transpose(2, 0, 1)
    return np.ascontiguousarray(chw[None])
