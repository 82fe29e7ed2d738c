# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Run a backend's search path on several inputs, in one batched call where the backend allows it.

A backend that can take a batch says so with a ``max_batch`` attribute (> 1); its template cache
is then broadcast over the batch, never recomputed. Other backends are called once per input.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from lite_tracker_ros.core.backend import Backend


def max_batch(backend: Backend) -> int:
    """Largest batch ``backend.search`` accepts (1 when the backend does not say)."""
    return max(int(getattr(backend, 'max_batch', 1)), 1)


def batch_axis(shape: Sequence) -> bool:
    """
    Tell whether a graph input of ``shape`` (dims as ONNX Runtime or TensorRT give them) batches.

    A batched search graph's frame inputs have a symbolic first dim (a name such as ``batch``,
    None, or -1 in TensorRT); graphs exported before batching, or of networks that do not batch,
    have a fixed 1 there and are run one search input per call.
    """
    if not shape:
        return False
    first = shape[0]
    return not (isinstance(first, int) and first >= 0)


def search_many(backend: Backend,
                inputs: Sequence[Mapping[str, np.ndarray]]) -> list[dict[str, np.ndarray]]:
    """Return ``backend.search(x)`` for each ``x`` (batch 1 each), batched when possible."""
    limit = max_batch(backend)
    results: list[dict[str, np.ndarray]] = []
    for start in range(0, len(inputs), limit):
        chunk = inputs[start:start + limit]
        if len(chunk) == 1:
            results.append(backend.search(chunk[0]))
            continue
        stacked = {name: np.concatenate([x[name] for x in chunk]) for name in chunk[0]}
        outputs = backend.search(stacked)
        results.extend({name: value[i:i + 1] for name, value in outputs.items()}
                       for i in range(len(chunk)))
    return results
