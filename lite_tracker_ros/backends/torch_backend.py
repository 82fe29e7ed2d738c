# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""Run any ``TrackerNetwork`` in PyTorch behind the ``Backend`` interface (numpy in and out)."""

from __future__ import annotations

from typing import Mapping

import numpy as np
import torch

from lite_tracker_ros.networks.base import TrackerNetwork


class TorchBackend:
    """
    PyTorch backend: the template path's outputs stay on the device between frames.

    Inputs are float32 numpy arrays keyed by the network's input names; outputs come back as
    float32 numpy arrays keyed by its output names. Runs in inference mode, in eval mode.
    """

    name = 'torch'

    def __init__(self, network: TrackerNetwork, device: str = 'cpu'):
        self.device = str(device)
        self._torch_device = torch.device(device)
        self.network = network.eval().to(self._torch_device)
        self._cache: dict[str, torch.Tensor] | None = None

    def _tensors(self, inputs: Mapping[str, np.ndarray]) -> dict[str, torch.Tensor]:
        return {name: torch.from_numpy(np.ascontiguousarray(value, dtype=np.float32))
                .to(self._torch_device) for name, value in inputs.items()}

    def set_template(self, inputs: Mapping[str, np.ndarray]) -> None:
        with torch.inference_mode():
            self._cache = self.network.forward_template(**self._tensors(inputs))

    @property
    def max_batch(self) -> int:
        """Search inputs one ``search`` call takes (the network says; 1: one at a time)."""
        return int(getattr(self.network, 'max_search_batch', 1))

    def search(self, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        if self._cache is None:
            raise RuntimeError('search() before set_template(): initialise the tracker first')
        tensors = self._tensors(inputs)
        batch = max(t.shape[0] for t in tensors.values())
        cache = self._cache
        if batch > 1:
            # a view: the template path's outputs (LiteTrack's keys/values) are shared by
            # every search input, never recomputed
            cache = {k: v.expand(batch, *v.shape[1:]) if v.shape[0] == 1 else v
                     for k, v in cache.items()}
        with torch.inference_mode():
            outputs = self.network.forward_search(cache, **tensors)
        return {name: value.detach().to('cpu', torch.float32).numpy()
                for name, value in outputs.items()}

    @property
    def template_cache(self) -> dict[str, np.ndarray] | None:
        """Return the cached template-path outputs as numpy arrays (for inspection), or None."""
        if self._cache is None:
            return None
        return {name: value.detach().cpu().numpy() for name, value in self._cache.items()}
