# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
What the tracker loop must know about a model without importing it.

Crop geometry, normalisation and the names of the tensors it exchanges with a backend.
"""

from __future__ import annotations

from dataclasses import dataclass

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass(frozen=True)
class CropSpec:
    """A square crop of side ``ceil(sqrt(w*h) * factor)`` around the box, resized to ``size``."""

    size: int
    factor: float


@dataclass(frozen=True)
class ModelSpec:
    """Static description of one model variant (e.g. ``litetrack_b4``)."""

    name: str
    family: str
    template: CropSpec
    search: CropSpec
    #: per-channel mean/std applied to ``pixels / 255`` (MVT uses 0/1: no normalisation)
    mean: tuple[float, float, float] = IMAGENET_MEAN
    std: tuple[float, float, float] = IMAGENET_STD
    #: side of the square score map of centre-head models
    feat_size: int = 16
    #: input names of the template path and of the search path, in graph order
    template_inputs: tuple[str, ...] = ('template',)
    search_inputs: tuple[str, ...] = ('search',)
    #: output names of the search path
    search_outputs: tuple[str, ...] = ('score_map', 'size_map', 'offset_map')
