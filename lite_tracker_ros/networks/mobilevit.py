# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
MobileViT-S backbone as MVT uses it: ReLU everywhere, template/search fusion in the ViT blocks.

Module names mirror the cvnets layout of the official MVT checkpoints (``conv_1``,
``layer_{1..4}``, ``.block.conv`` / ``.block.norm``, ``local_rep.conv_3x3``,
``global_rep.<i>.pre_norm_mha.1.qkv_proj``, ``pre_norm_ffn.{1,4}``, ``conv_proj``, ``fusion``)
so an official state dict loads strictly.

The stem (``conv_1``, ``layer_1``, ``layer_2``) runs on each image alone, so the template's stem
output is computed once per init and cached. ``layer_3`` and ``layer_4`` process template and
search together: their MobileViT blocks concatenate both token sets before the transformer.

Token LayerNorms are plain ``nn.LayerNorm`` over channels. Upstream's cvnets LayerNorm switches
to a channel-first formula whenever the token count equals the channel count; at the 128/256
crops that never happens (320 and 80 tokens against 144 and 192 channels).
"""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn


class ConvUnit(nn.Module):
    """Bias-free conv with 'same' padding, then optional BatchNorm and ReLU, under ``block``."""

    def __init__(self, in_ch: int, out_ch: int, kernel_size: int, stride: int = 1,
                 groups: int = 1, norm: bool = True, act: bool = True):
        super().__init__()
        parts: OrderedDict[str, nn.Module] = OrderedDict()
        parts['conv'] = nn.Conv2d(in_ch, out_ch, kernel_size, stride=stride,
                                  padding=(kernel_size - 1) // 2, groups=groups, bias=False)
        if norm:
            parts['norm'] = nn.BatchNorm2d(out_ch)
        if act:
            parts['act'] = nn.ReLU()
        self.block = nn.Sequential(parts)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.block(x)


class InvertedResidual(nn.Module):
    """MobileNetV2 block: 1x1 expand, 3x3 depthwise (carries the stride), 1x1 linear reduce."""

    def __init__(self, in_ch: int, out_ch: int, stride: int, expand_ratio: int = 4):
        super().__init__()
        hidden = in_ch * expand_ratio
        self.block = nn.Sequential(OrderedDict(
            exp_1x1=ConvUnit(in_ch, hidden, 1),
            conv_3x3=ConvUnit(hidden, hidden, 3, stride=stride, groups=hidden),
            red_1x1=ConvUnit(hidden, out_ch, 1, act=False),
        ))
        self.use_residual = stride == 1 and in_ch == out_ch

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.block(x)
        return x + out if self.use_residual else out


class SelfAttention(nn.Module):
    """Multi-head self-attention with one fused ``qkv_proj`` (d -> 3d) and ``out_proj``."""

    def __init__(self, dim: int, num_heads: int):
        super().__init__()
        self.qkv_proj = nn.Linear(dim, 3 * dim)
        self.out_proj = nn.Linear(dim, dim)
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, d = x.shape
        # [b, n, 3d] -> [3, b, heads, n, head_dim]
        qkv = self.qkv_proj(x).reshape(b, n, 3, self.num_heads, -1).permute(2, 0, 3, 1, 4)
        # Scaling q before the product (not the logits after) follows upstream's rounding.
        q = qkv[0] * self.scale
        attn = torch.softmax(q @ qkv[1].transpose(-1, -2), dim=-1)
        out = (attn @ qkv[2]).transpose(1, 2).reshape(b, n, d)
        return self.out_proj(out)


class TransformerLayer(nn.Module):
    """Pre-norm encoder layer; Sequential indices match the checkpoint (FFN Linears at 1, 4)."""

    def __init__(self, dim: int, ffn_dim: int, num_heads: int):
        super().__init__()
        self.pre_norm_mha = nn.Sequential(nn.LayerNorm(dim), SelfAttention(dim, num_heads))
        # Index 3 held a (parameter-free) dropout upstream; a placeholder keeps the Linear at 4.
        self.pre_norm_ffn = nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, ffn_dim), nn.ReLU(),
                                          nn.Identity(), nn.Linear(ffn_dim, dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.pre_norm_mha(x)
        return x + self.pre_norm_ffn(x)


def unfold_patches(fm: torch.Tensor, patch: int) -> torch.Tensor:
    """
    Map ``[B, C, H, W]`` to ``[B*patch*patch, (H/patch)*(W/patch), C]`` tokens.

    Row ``b*P + p`` holds pixel ``p`` (row-major inside the ``patch x patch`` cell) of every cell,
    cells in row-major order, so attention runs across cells for one in-cell position.
    """
    b, c, h, w = fm.shape
    # Under tracing the sizes are tensors; the shapes are static there and were checked eagerly.
    if not torch.jit.is_tracing() and (h % patch or w % patch):
        raise ValueError(f'feature map {h}x{w} is not a multiple of the {patch}x{patch} patch')
    cells = fm.reshape(b, c, h // patch, patch, w // patch, patch)
    return cells.permute(0, 3, 5, 2, 4, 1).reshape(b * patch * patch, -1, c)


def fold_patches(tokens: torch.Tensor, batch: int, height: int, width: int,
                 patch: int) -> torch.Tensor:
    """Inverse of :func:`unfold_patches`."""
    c = tokens.shape[-1]
    cells = tokens.reshape(batch, patch, patch, height // patch, width // patch, c)
    return cells.permute(0, 5, 3, 1, 4, 2).reshape(batch, c, height, width)


class FusionBlock(nn.Module):
    """
    MobileViT block that attends over search and template tokens jointly.

    Each input gets the shared local conv representation and is unfolded to tokens; the search
    tokens, then the template tokens, go through the transformer together; each is folded back,
    projected, and fused with its own block input.
    """

    def __init__(self, in_ch: int, dim: int, ffn_dim: int, num_layers: int,
                 num_heads: int = 4, patch: int = 2):
        super().__init__()
        self.local_rep = nn.Sequential(OrderedDict(
            conv_3x3=ConvUnit(in_ch, in_ch, 3),
            conv_1x1=ConvUnit(in_ch, dim, 1, norm=False, act=False),
        ))
        layers: list[nn.Module] = [TransformerLayer(dim, ffn_dim, num_heads)
                                   for _ in range(num_layers)]
        self.global_rep = nn.Sequential(*layers, nn.LayerNorm(dim))
        self.conv_proj = ConvUnit(dim, in_ch, 1)
        self.fusion = ConvUnit(2 * in_ch, in_ch, 3)
        self.patch = patch

    def forward(self, x: torch.Tensor,
                z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        tokens_x = unfold_patches(self.local_rep(x), self.patch)
        tokens_z = unfold_patches(self.local_rep(z), self.patch)
        n_x = tokens_x.shape[1]
        tokens = self.global_rep(torch.cat((tokens_x, tokens_z), dim=1))
        fm_x = fold_patches(tokens[:, :n_x], x.shape[0], x.shape[2], x.shape[3], self.patch)
        fm_z = fold_patches(tokens[:, n_x:], z.shape[0], z.shape[2], z.shape[3], self.patch)
        out_x = self.fusion(torch.cat((x, self.conv_proj(fm_x)), dim=1))
        out_z = self.fusion(torch.cat((z, self.conv_proj(fm_z)), dim=1))
        return out_x, out_z


class MobileViTTrackBackbone(nn.Module):
    """
    MobileViT-S ("small"), stride 16, 4 heads, patch 2x2: 3 -> 16 -> 32 -> 64 -> 96 -> 128.

    ``stem`` maps an image to the ``layer_2`` output (stride 8, 64 channels); ``forward`` takes
    the search image and the cached template stem and returns the fused search and template
    features (128 channels, stride 16).
    """

    def __init__(self):
        super().__init__()
        self.conv_1 = ConvUnit(3, 16, 3, stride=2)
        self.layer_1 = nn.Sequential(InvertedResidual(16, 32, stride=1))
        self.layer_2 = nn.Sequential(InvertedResidual(32, 64, stride=2),
                                     InvertedResidual(64, 64, stride=1),
                                     InvertedResidual(64, 64, stride=1))
        self.layer_3 = nn.Sequential(InvertedResidual(64, 96, stride=2),
                                     FusionBlock(96, 144, 288, num_layers=2))
        self.layer_4 = nn.Sequential(InvertedResidual(96, 128, stride=2),
                                     FusionBlock(128, 192, 384, num_layers=4))

    def stem(self, image: torch.Tensor) -> torch.Tensor:
        return self.layer_2(self.layer_1(self.conv_1(image)))

    def forward(self, search: torch.Tensor,
                template_stem: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x, z = self.stem(search), template_stem
        for layer in (self.layer_3, self.layer_4):
            downsample, fuse = layer[0], layer[1]
            x, z = fuse(downsample(x), downsample(z))
        return x, z
