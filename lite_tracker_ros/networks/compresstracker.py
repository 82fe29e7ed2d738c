# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
CompressTracker: OSTrack's one-stream ViT-B with N student blocks and the centre head.

Inference path of ``CompressTrackerTest`` (LingyiHongfd/CompressTracker,
``lib/models/compresstracker/compresstracker_test.py``): patch-embed template (128) and search
(256), add ``pos_embed_z`` / ``pos_embed_x``, run the N ``distill_blocks`` over the joint
[64 template | 256 search] tokens, apply the final ``norm``, and feed the last 256 tokens to the
centre head. Template and search attend to each other in every block, so the only template work
that can be cached across frames is its patch embedding plus position embedding.

The released checkpoints are training checkpoints that also hold the teacher; pass their
``'net'`` dict through :func:`student_state_dict` before a strict load.
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping, Optional

import torch
from torch import nn

from lite_tracker_ros.core.model_spec import ModelSpec
from lite_tracker_ros.networks.base import TrackerNetwork
from lite_tracker_ros.networks.center_head import CenterPredictor
from lite_tracker_ros.networks.vit import Block, PatchEmbed, VIT_LN_EPS

EMBED_DIM = 768
NUM_HEADS = 12
PATCH = 16
#: prefixes of the training-only entries of a CompressTracker training checkpoint: the frozen
#: teacher (``ori_backbone``, ``ori_box_head``) and the teacher-copy blocks used for replacement
#: training (``backbone.blocks``); the student's blocks are ``backbone.distill_blocks``
TRAINING_ONLY_PREFIXES = ('ori_', 'backbone.blocks.')


def student_state_dict(state_dict: Mapping[str, object]) -> dict[str, object]:
    """
    Keep only the student (inference) entries of a CompressTracker checkpoint's ``'net'``.

    A test-layout dict passes through unchanged, so this is safe to apply to any checkpoint.
    """
    return {k: v for k, v in state_dict.items() if not k.startswith(TRAINING_ONLY_PREFIXES)}


_STUDENT_BLOCK = re.compile(r'^backbone\.distill_blocks\.(\d+)\.')


def detect_compresstracker(keys: Iterable[str]) -> Optional[str]:
    """
    Name the CompressTracker variant (``compresstracker_<N>``) of a checkpoint from its keys.

    Returns None for other families. Works on training and test layouts alike: the student's
    blocks are always ``backbone.distill_blocks.*``.
    """
    depths = [int(m[1]) + 1 for m in map(_STUDENT_BLOCK.match, keys) if m]
    return f'compresstracker_{max(depths)}' if depths else None


class CompressTrackerBackbone(nn.Module):
    """The student ViT-B: ``patch_embed``, ``pos_embed_{z,x}``, ``distill_blocks``, ``norm``."""

    def __init__(self, depth: int, template_size: int = 128, search_size: int = 256):
        super().__init__()
        n_z = (template_size // PATCH) ** 2
        n_x = (search_size // PATCH) ** 2
        self.patch_embed = PatchEmbed(EMBED_DIM, PATCH)
        # cls_token and the 14x14 pos_embed are never read at inference; they stay registered so
        # that official checkpoints load strictly
        self.cls_token = nn.Parameter(torch.zeros(1, 1, EMBED_DIM))
        self.pos_embed = nn.Parameter(torch.zeros(1, 197, EMBED_DIM))
        self.pos_embed_z = nn.Parameter(torch.zeros(1, n_z, EMBED_DIM))
        self.pos_embed_x = nn.Parameter(torch.zeros(1, n_x, EMBED_DIM))
        self.norm = nn.LayerNorm(EMBED_DIM, eps=VIT_LN_EPS)
        self.distill_blocks = nn.Sequential(
            *[Block(EMBED_DIM, NUM_HEADS, eps=VIT_LN_EPS) for _ in range(depth)])

    def embed_template(self, template: torch.Tensor) -> torch.Tensor:
        """(B, 3, 128, 128) normalised crop -> (B, 64, 768) template tokens."""
        return self.patch_embed(template) + self.pos_embed_z

    def forward(self, template_tokens: torch.Tensor, search: torch.Tensor) -> torch.Tensor:
        """Return the joint tokens [template | search] after the final norm, (B, 64+256, 768)."""
        x = self.patch_embed(search) + self.pos_embed_x
        tokens = torch.cat((template_tokens, x), dim=1)
        for block in self.distill_blocks:
            tokens = block(tokens)
        return self.norm(tokens)


class CompressTrackerNetwork(TrackerNetwork):
    """Template path: template tokens; search path: the centre head's three maps."""

    #: batched search == single ones (test/backends/test_torch_backend.py)
    max_search_batch = 8

    def __init__(self, spec: ModelSpec, depth: int):
        super().__init__()
        self.spec = spec
        self.backbone = CompressTrackerBackbone(depth, spec.template.size, spec.search.size)
        self.box_head = CenterPredictor(EMBED_DIM)

    def forward_template(self, template: torch.Tensor) -> dict[str, torch.Tensor]:
        return {'template_tokens': self.backbone.embed_template(template)}

    def forward_search(self, cache: dict[str, torch.Tensor],
                       search: torch.Tensor) -> dict[str, torch.Tensor]:
        tokens = self.backbone(cache['template_tokens'], search)
        f = self.spec.feat_size
        feat = tokens[:, -f * f:].transpose(1, 2).reshape(-1, EMBED_DIM, f, f)
        score_map, size_map, offset_map = self.box_head(feat)
        return {'score_map': score_map, 'size_map': size_map, 'offset_map': offset_map}


def network_for_spec(spec: ModelSpec) -> CompressTrackerNetwork:
    """Build the untrained network of ``spec`` (the family descriptor's network builder)."""
    from lite_tracker_ros.specs.compresstracker import DISTILL_LAYERS
    return CompressTrackerNetwork(spec, DISTILL_LAYERS[spec.name])
