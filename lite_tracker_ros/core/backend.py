# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
The one interface between a tracker loop and whatever computes its network.

A backend runs one model's two graphs: the template path (once per ``init``; the backend keeps
whatever that path caches, e.g. LiteTrack's template tokens and per-layer keys/values) and the
search path (once per frame). Inputs and outputs are float32 numpy arrays keyed by name, so the
tracker loop never knows whether torch, ONNX Runtime or TensorRT computed them.
"""

from __future__ import annotations

from typing import Mapping, Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Backend(Protocol):
    """Runs a model's template and search paths."""

    #: backend name as chosen by the user: 'torch', 'onnxruntime' or 'tensorrt'
    name: str
    #: device description, e.g. 'cpu', 'cuda:0', 'CPUExecutionProvider'
    device: str

    def set_template(self, inputs: Mapping[str, np.ndarray]) -> None:
        """Run the template path and keep its cache for the following ``search`` calls."""

    def search(self, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Run the search path against the cached template; return named outputs."""
