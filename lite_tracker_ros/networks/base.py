# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""The contract every tracker network implements, so backends and export treat them alike."""

from __future__ import annotations

import torch
from torch import nn

from lite_tracker_ros.core.model_spec import ModelSpec


class TrackerNetwork(nn.Module):
    """
    A tracker network split into a template path and a search path.

    ``forward_template`` runs once per init and returns the template cache as *named* tensors
    (e.g. LiteTrack's template tokens and per-layer keys/values). ``forward_search`` takes that
    cache and the search input(s) and returns the named raw outputs the tracker loop decodes.
    Names are the ones in ``spec`` (inputs) and become the ONNX graphs' input/output names, so a
    backend can pass the cache from one graph to the other without knowing the model.
    """

    spec: ModelSpec
    #: search inputs ``forward_search`` takes in one batch against a batch-1 template cache
    #: broadcast over it (the long-term mode's tiled search); 1 where that is not verified
    max_search_batch: int = 1
    #: whether ``lite-tracker export`` gives the search graph a batch axis (when
    #: ``max_search_batch > 1``); False where the traced graph cannot have one
    export_search_batch: bool = True

    def forward_template(self, **inputs: torch.Tensor) -> dict[str, torch.Tensor]:
        raise NotImplementedError

    def forward_search(self, cache: dict[str, torch.Tensor],
                       **inputs: torch.Tensor) -> dict[str, torch.Tensor]:
        raise NotImplementedError
