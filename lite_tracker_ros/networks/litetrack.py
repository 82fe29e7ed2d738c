# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
LiteTrack (B4-2, B6-3, B8-3, B9-3): a pruned CAE ViT-B/16 with asynchronous interaction.

Module and parameter names are those of the official ``LiteTrack`` model (``backbone``,
``box_head``, ``target_token_embed``), so the ``'net'`` state dict of an official checkpoint loads
strictly. There is no final backbone norm: a ``backbone.norm.*`` key means another model.

* Template path, once per init: patch-embed the 128 crop, add ``pos_embed_z``, prepend the target
  token (an MLP of the normalised template box, no position embedding), run all blocks as plain
  self-attention, drop the target token. From the resulting template tokens, each interaction
  block's keys and values are computed here too, since they never change per frame.
* Search path, per frame: patch-embed the 256 crop, add ``pos_embed_x``, run the first
  ``depth - interaction`` blocks on the search tokens alone, then the interaction blocks against
  the cached template keys/values, and the centre head on the 16x16 search tokens.

``reference_forward`` recomputes everything the way the official code does for one frame
(template path, then the interaction blocks re-projecting the template tokens).
"""

from __future__ import annotations

from typing import Mapping, Optional

import torch
from torch import nn

from lite_tracker_ros.core.model_spec import ModelSpec
from lite_tracker_ros.networks.base import TrackerNetwork
from lite_tracker_ros.networks.cae_vit import CAEBlock, Mlp
from lite_tracker_ros.networks.center_head import CenterPredictor
from lite_tracker_ros.networks.errors import CheckpointError
from lite_tracker_ros.specs.litetrack import (key_name, LAYERS, LiteTrackLayers,
                                              TEMPLATE_TOKENS, value_name)

EMBED_DIM = 768
NUM_HEADS = 12
PATCH = 16
HEAD_CHANNELS = 256
#: the CAE pre-training grid (14x14 + cls); kept only so that checkpoints load strictly
_PRETRAIN_TOKENS = 197


class PatchEmbed(nn.Module):
    """16x16 patches -> tokens (B, N, 768), row-major."""

    def __init__(self, dim: int = EMBED_DIM, patch: int = PATCH):
        super().__init__()
        self.proj = nn.Conv2d(3, dim, kernel_size=patch, stride=patch)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(x).flatten(2).transpose(1, 2)


class LiteTrackBackbone(nn.Module):
    """The pruned CAE ViT: position embeddings, patch embedding and ``depth`` blocks."""

    def __init__(self, layers: LiteTrackLayers, template_size: int, search_size: int):
        super().__init__()
        self.layers = layers
        # cls_token and pos_embed are never read at inference (pos_embed_z/x were interpolated
        # from pos_embed at training time and are stored themselves)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, EMBED_DIM))
        self.pos_embed = nn.Parameter(torch.zeros(1, _PRETRAIN_TOKENS, EMBED_DIM))
        self.pos_embed_z = nn.Parameter(torch.zeros(1, (template_size // PATCH) ** 2, EMBED_DIM))
        self.pos_embed_x = nn.Parameter(torch.zeros(1, (search_size // PATCH) ** 2, EMBED_DIM))
        self.patch_embed = PatchEmbed()
        self.blocks = nn.ModuleList(CAEBlock(EMBED_DIM, NUM_HEADS) for _ in range(layers.depth))

    @property
    def num_search_only(self) -> int:
        return self.layers.depth - self.layers.interaction

    def template_tokens(self, template: torch.Tensor, target_token: torch.Tensor) -> torch.Tensor:
        """(B,3,128,128) crop and (B,1,768) target token -> (B,64,768) template tokens."""
        z = self.patch_embed(template) + self.pos_embed_z
        z = torch.cat((target_token, z), dim=1)
        for block in self.blocks:
            z = block(z)
        return z[:, 1:]

    def search_only_blocks(self, search: torch.Tensor) -> torch.Tensor:
        """(B,3,256,256) crop -> (B,256,768) search tokens before the interaction blocks."""
        x = self.patch_embed(search) + self.pos_embed_x
        for block in self.blocks[:self.num_search_only]:
            x = block(x)
        return x


class LiteTrackNetwork(TrackerNetwork):
    """LiteTrack split into a template path and a search path (see the module docstring)."""

    #: batched search == single ones (test/backends/test_torch_backend.py)
    max_search_batch = 8

    def __init__(self, spec: ModelSpec, layers: LiteTrackLayers | None = None):
        super().__init__()
        self.spec = spec
        layers = layers or LAYERS.get(spec.name)
        if layers is None:
            raise ValueError(f'no LiteTrack layer counts for {spec.name!r}; pass layers= or use '
                             f'one of {", ".join(LAYERS)}')
        self.layers = layers
        self.feat_size = spec.search.size // PATCH
        self.backbone = LiteTrackBackbone(layers, spec.template.size, spec.search.size)
        self.box_head = CenterPredictor(EMBED_DIM, HEAD_CHANNELS)
        self.target_token_embed = Mlp(4, 4, EMBED_DIM)

    @property
    def interaction_blocks(self) -> list[CAEBlock]:
        return list(self.backbone.blocks[self.backbone.num_search_only:])

    def template_tokens(self, template: torch.Tensor, template_bb: torch.Tensor) -> torch.Tensor:
        """Compute the (B,64,768) template tokens, as the official ``forward_z``."""
        target_token = self.target_token_embed(template_bb).unsqueeze(-2)
        return self.backbone.template_tokens(template, target_token)

    def forward_template(self, template: torch.Tensor,
                         template_bb: torch.Tensor) -> dict[str, torch.Tensor]:
        """Template tokens and, per interaction block i, their keys ``z_k_i``/values ``z_v_i``."""
        z = self.template_tokens(template, template_bb)
        cache = {TEMPLATE_TOKENS: z}
        for i, block in enumerate(self.interaction_blocks):
            cache[key_name(i)], cache[value_name(i)] = block.template_kv(z)
        return cache

    def search_features(self, cache: dict[str, torch.Tensor],
                        search: torch.Tensor) -> torch.Tensor:
        """(B,256,768) search tokens after the last block, from the cached keys/values."""
        x = self.backbone.search_only_blocks(search)
        for i, block in enumerate(self.interaction_blocks):
            x = block.forward_search(x, cache[key_name(i)], cache[value_name(i)])
        return x

    def forward_search(self, cache: dict[str, torch.Tensor],
                       search: torch.Tensor) -> dict[str, torch.Tensor]:
        return self.head(self.search_features(cache, search))

    def head(self, search_tokens: torch.Tensor) -> dict[str, torch.Tensor]:
        """Centre head on (B,256,768) tokens laid out row-major on the 16x16 grid."""
        b, n, c = search_tokens.shape
        feat = search_tokens.transpose(1, 2).reshape(b, c, self.feat_size, self.feat_size)
        score_map, size_map, offset_map = self.box_head(feat)
        return {'score_map': score_map, 'size_map': size_map, 'offset_map': offset_map}

    def reference_search_features(self, template_tokens: torch.Tensor,
                                  search: torch.Tensor) -> torch.Tensor:
        """Run the interaction blocks over [template | search] tokens, as ``forward_zx`` does."""
        x = self.backbone.search_only_blocks(search)
        len_t = template_tokens.shape[1]
        tokens = torch.cat((template_tokens, x), dim=1)
        for block in self.interaction_blocks:
            tokens = block.forward_async(tokens, len_t)
        return tokens[:, len_t:]

    def reference_forward(self, template: torch.Tensor, template_bb: torch.Tensor,
                          search: torch.Tensor) -> dict[str, torch.Tensor]:
        """One frame computed as the official code does, with no cache at all."""
        z = self.template_tokens(template, template_bb)
        return self.head(self.reference_search_features(z, search))


def detect_litetrack(keys: set[str]) -> Optional[str]:
    """Name the LiteTrack variant (``litetrack_b<depth>``) of a checkpoint's keys, or None."""
    from lite_tracker_ros.networks.checkpoint import block_counts
    if 'target_token_embed.fc1.weight' not in keys or 'backbone.pos_embed_x' not in keys:
        return None
    if any(k.startswith('backbone.norm.') for k in keys):
        raise CheckpointError('the file looks like LiteTrack but has backbone.norm.*, which no '
                              'LiteTrack model has; check where the file comes from')
    depth = block_counts(keys).get('backbone.blocks', 0)
    name = f'litetrack_b{depth}'
    if name not in LAYERS:
        raise CheckpointError(f'LiteTrack checkpoint with {depth} blocks: the published variants '
                              f'have {", ".join(str(v.depth) for v in LAYERS.values())}')
    return name


def checkpoint_hints(expected: Mapping[str, object], found: Mapping[str, object],
                     missing: list[str], unexpected: list[str]) -> list[str]:
    """Say why a file does not fit, where LiteTrack's layout tells (its backbone has no norm)."""
    if any(k.startswith('backbone.norm.') for k in unexpected):
        return ['the file has backbone.norm.* but this model has no final norm: it is '
                'probably another tracker (OSTrack/CompressTracker), not LiteTrack']
    return []
