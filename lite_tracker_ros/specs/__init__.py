# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Static model descriptions (crop geometry, normalisation, tensor names), one module per family.

Torch-free, so a deployment with only ONNX Runtime or TensorRT knows how to feed a model. Each
family module defines ``SPECS: dict[str, ModelSpec]`` keyed by model name (e.g. ``litetrack_b4``)
and ``FAMILY``, its :class:`~lite_tracker_ros.specs.family.ModelFamily` descriptor. The families
are the modules of this package that define ``FAMILY``: adding one edits no list here.
"""

from __future__ import annotations

from functools import lru_cache
import importlib
import pkgutil

from lite_tracker_ros.core.model_spec import ModelSpec
from lite_tracker_ros.specs.family import ModelFamily


@lru_cache(maxsize=None)
def _family_modules() -> tuple:
    modules = (importlib.import_module(f'{__name__}.{info.name}')
               for info in pkgutil.iter_modules(__path__) if not info.name.startswith('_'))
    return tuple(module for module in modules
                 if isinstance(getattr(module, 'FAMILY', None), ModelFamily))


def all_families() -> dict[str, ModelFamily]:
    """Every model family's descriptor, keyed by family name."""
    return {module.FAMILY.name: module.FAMILY for module in _family_modules()}


def family_of(model: str) -> ModelFamily:
    """Return the descriptor of model ``model``'s family; KeyError names the known models."""
    for family in all_families().values():
        if model in family.variants:
            return family
    raise KeyError(f'unknown model {model!r}; known models: {", ".join(sorted(all_specs()))}')


def all_specs() -> dict[str, ModelSpec]:
    specs: dict[str, ModelSpec] = {}
    for module in _family_modules():
        specs.update(module.SPECS)
    return specs


def get_spec(name: str) -> ModelSpec:
    specs = all_specs()
    if name not in specs:
        raise KeyError(f'unknown model {name!r}; known models: {", ".join(sorted(specs))}')
    return specs[name]
