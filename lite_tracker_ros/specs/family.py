# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
One descriptor per model family: what the package needs to build and run it, in one place.

A family's spec module (``specs/<family>.py``) defines ``SPECS`` and one ``FAMILY``. The descriptor
names its network, tracker loop, checkpoint key filter, variant detector and checkpoint hints by
import path (``'package.module:attribute'``), so reading it imports neither torch nor the
networks; :func:`resolve` imports one when it is used. The registry
(:func:`lite_tracker_ros.specs.all_families`) is built from the spec modules it finds, so a new
family is its spec module, its network (and loop, if new) and its registry.yaml entries.
"""

from __future__ import annotations

from dataclasses import dataclass
import importlib
from typing import Any, Optional

#: the loop most families run: a center-head tracker over the template/search pair
CENTER_HEAD_TRACKER = 'lite_tracker_ros.core.center_tracker:CenterHeadTracker'


@dataclass(frozen=True)
class ModelFamily:
    """How to build, load and run one model family, by import path."""

    name: str
    #: the model names of the family (the keys of its ``SPECS``)
    variants: tuple[str, ...]
    #: (spec) -> untrained TrackerNetwork
    network: str
    #: (spec, backend, **tracker_options) -> Tracker
    tracker: str = CENTER_HEAD_TRACKER
    #: (state dict) -> state dict with the network's keys (e.g. drops training-only entries)
    key_filter: Optional[str] = None
    #: (set of checkpoint keys) -> model name, or None when the keys are another family's
    variant_detector: Optional[str] = None
    #: (expected {key: shape}, found state dict, missing, unexpected) -> list of hint lines
    checkpoint_hints: Optional[str] = None
    #: (spec, backend name, device, num_threads) -> a Backend over graphs the upstream project
    #: published, used when no weights are given; None when not offered
    published_graphs: Optional[str] = None


def resolve(path: str) -> Any:
    """Import ``'package.module:attribute'`` and return the attribute."""
    module, _, attribute = path.partition(':')
    return getattr(importlib.import_module(module), attribute)
