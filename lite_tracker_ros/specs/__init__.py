# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Static model descriptions (crop geometry, normalisation, tensor names), one module per family.

Torch-free, so a deployment with only ONNX Runtime or TensorRT knows how to feed a model. Each
family module defines ``SPECS: dict[str, ModelSpec]`` keyed by model name (e.g. ``litetrack_b4``).
"""

from __future__ import annotations

import importlib

from lite_tracker_ros.core.model_spec import ModelSpec

FAMILIES = ('litetrack', 'mvt', 'compresstracker', 'fartrack', 'nanotrack')


def all_specs() -> dict[str, ModelSpec]:
    specs: dict[str, ModelSpec] = {}
    for family in FAMILIES:
        specs.update(importlib.import_module(f'{__name__}.{family}').SPECS)
    return specs


def get_spec(name: str) -> ModelSpec:
    specs = all_specs()
    if name not in specs:
        raise KeyError(f'unknown model {name!r}; known models: {", ".join(sorted(specs))}')
    return specs[name]
