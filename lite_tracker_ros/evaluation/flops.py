# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
FLOPs of a model's template and search paths, counted by torch on the inputs a tracker produced.

``torch.utils.flop_counter.FlopCounterMode`` counts 2 FLOPs per multiply-add of matrix
multiplications and convolutions (elementwise work is not counted). The network is the torch
backend's own when there is one, else an untrained network of the same architecture built by
``factory.build_network`` (same FLOPs, weights do not matter). Without torch, FLOPs are unknown.
torch is imported only when counting.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional

import numpy as np


@dataclass(frozen=True)
class FlopCount:
    """FLOPs per call of each path, or None with the reason they are unknown."""

    template: Optional[float]
    search: Optional[float]
    note: str


def _tensors(inputs: Mapping[str, np.ndarray], device) -> dict:
    import torch
    return {name: torch.from_numpy(np.ascontiguousarray(value, dtype=np.float32)).to(device)
            for name, value in inputs.items()}


def count_flops(network: Any, template_inputs: Mapping[str, np.ndarray],
                search_inputs: Mapping[str, np.ndarray]) -> tuple[float, float]:
    """Return the FLOPs of ``forward_template`` and of one ``forward_search`` on these inputs."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    device = next(network.parameters()).device
    with torch.inference_mode():
        counter = FlopCounterMode(display=False)
        with counter:
            cache = network.forward_template(**_tensors(template_inputs, device))
        template = float(counter.get_total_flops())
        counter = FlopCounterMode(display=False)
        with counter:
            network.forward_search(cache, **_tensors(search_inputs, device))
        search = float(counter.get_total_flops())
    return template, search


def path_flops(model: str, backend: Any, template_inputs: Optional[Mapping[str, np.ndarray]],
               search_inputs: Optional[Mapping[str, np.ndarray]]) -> FlopCount:
    """Count both paths' FLOPs for ``model``, or say why they are unknown."""
    if template_inputs is None or search_inputs is None:
        return FlopCount(None, None, 'unknown: the backend could not be instrumented')
    try:
        import torch  # noqa: F401 - only to know whether counting is possible
    except ImportError:
        return FlopCount(None, None, 'unknown: torch is not installed')
    network, note = getattr(backend, 'network', None), 'counted on the backend network'
    if network is None or not hasattr(network, 'forward_search'):
        from lite_tracker_ros.factory import build_network
        try:
            network, note = build_network(model), 'counted on an untrained copy of the network'
        except Exception as error:  # noqa: B902 - any failure only means FLOPs are unknown
            return FlopCount(None, None, f'unknown: no torch network for {model} ({error})')
    try:
        template, search = count_flops(network, template_inputs, search_inputs)
    except Exception as error:  # noqa: B902 - a network that cannot be counted: say so
        return FlopCount(None, None, f'unknown: counting failed ({type(error).__name__}: '
                                     f'{error})')
    return FlopCount(template, search, note)
