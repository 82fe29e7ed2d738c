# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Model specs of the litetrack family (TsingWei/LiteTrack: B4-2, B6-3, B8-3, B9-3).

A CAE ViT-B/16 pruned to ``depth`` blocks. The template path (once per init) runs all blocks on
the 64 template tokens plus a target token made from the box (``template_bb``, normalised xyxy
in the 128 crop). The search path runs ``depth - interaction`` blocks on the search tokens
alone, then ``interaction`` blocks in which the search tokens also attend to the template. The
template tokens never change inside those blocks, so the template path hands over, per
interaction block ``i``, the template keys ``z_k_i`` and values ``z_v_i`` (1x12x64x64 each); the
search path takes them plus the search crop. The template path also outputs the template tokens
(``template_tokens``, 1x64x768) for inspection; the search path does not read them.
"""

from __future__ import annotations

from dataclasses import dataclass

from lite_tracker_ros.core.model_spec import CropSpec, ModelSpec
from lite_tracker_ros.specs.family import ModelFamily


@dataclass(frozen=True)
class LiteTrackLayers:
    """Depth of the pruned ViT and how many of its last blocks are interaction blocks."""

    depth: int
    interaction: int


#: published variants, from the upstream YAMLs (DEPTH, AI_LAYERS)
LAYERS: dict[str, LiteTrackLayers] = {
    'litetrack_b4': LiteTrackLayers(depth=4, interaction=2),
    'litetrack_b6': LiteTrackLayers(depth=6, interaction=3),
    'litetrack_b8': LiteTrackLayers(depth=8, interaction=3),
    'litetrack_b9': LiteTrackLayers(depth=9, interaction=3),
}

TEMPLATE_TOKENS = 'template_tokens'


def key_name(layer: int) -> str:
    """Name of the cached template keys of interaction block ``layer`` (0-based)."""
    return f'z_k_{layer}'


def value_name(layer: int) -> str:
    """Name of the cached template values of interaction block ``layer`` (0-based)."""
    return f'z_v_{layer}'


def kv_cache_names(interaction: int) -> tuple[str, ...]:
    """``z_k_0, z_v_0, z_k_1, ...``: the search path's cache inputs, in graph order."""
    return tuple(name for i in range(interaction) for name in (key_name(i), value_name(i)))


def _spec(name: str, layers: LiteTrackLayers) -> ModelSpec:
    return ModelSpec(
        name=name,
        family='litetrack',
        template=CropSpec(size=128, factor=2.0),
        search=CropSpec(size=256, factor=4.0),
        feat_size=16,
        template_inputs=('template', 'template_bb'),
        search_inputs=kv_cache_names(layers.interaction) + ('search',),
        search_outputs=('score_map', 'size_map', 'offset_map'),
    )


SPECS: dict[str, ModelSpec] = {name: _spec(name, layers) for name, layers in LAYERS.items()}

FAMILY = ModelFamily(
    'litetrack', tuple(SPECS), network='lite_tracker_ros.networks.litetrack:LiteTrackNetwork',
    variant_detector='lite_tracker_ros.networks.litetrack:detect_litetrack',
    checkpoint_hints='lite_tracker_ros.networks.litetrack:checkpoint_hints')
