# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Plain timm-style ViT pieces shared by CompressTracker and FARTrack.

Parameter names follow timm (``patch_embed.proj``, ``attn.qkv`` with a fused bias, ``attn.proj``,
``mlp.fc1``, ``mlp.fc2``, ``norm1``, ``norm2``), so OSTrack-derived checkpoints load strictly.
Attention is written out (``softmax(q k^T * scale) v``) in the reference's order of operations:
FARTrack needs the attention probabilities, and the explicit form exports to plain ONNX ops.
"""

from __future__ import annotations

from typing import Optional

import torch
from torch import nn

#: LayerNorm epsilon of timm ViTs (``partial(nn.LayerNorm, eps=1e-6)``)
VIT_LN_EPS = 1e-6


class PatchEmbed(nn.Module):
    """Non-overlapping ``patch_size`` convolution: (B, C, H, W) -> (B, H*W/patch^2, dim)."""

    def __init__(self, dim: int, patch_size: int = 16, in_chans: int = 3):
        super().__init__()
        self.proj = nn.Conv2d(in_chans, dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(x).flatten(2).transpose(1, 2)


class Attention(nn.Module):
    """Multi-head self-attention with a fused, biased qkv projection and an optional key mask."""

    def __init__(self, dim: int, num_heads: int):
        super().__init__()
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=True)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor, key_mask: Optional[torch.Tensor] = None
                ) -> tuple[torch.Tensor, torch.Tensor]:
        """
        Return the projected output and the attention probabilities (B, heads, N, N).

        ``key_mask`` (B, N) bool: False marks tokens no query may attend to.
        """
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.num_heads, c // self.num_heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)
        logits = (q @ k.transpose(-2, -1)) * self.scale
        if key_mask is not None:
            logits = logits.masked_fill(~key_mask[:, None, None, :], float('-inf'))
        probs = logits.softmax(dim=-1)
        out = (probs @ v).transpose(1, 2).reshape(b, n, c)
        return self.proj(out), probs


class Mlp(nn.Module):
    """fc1 -> exact GELU -> fc2."""

    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    """Pre-norm transformer block: ``x + attn(norm1(x))``, then ``x + mlp(norm2(x))``."""

    def __init__(self, dim: int, num_heads: int, mlp_ratio: float = 4.0,
                 eps: float = VIT_LN_EPS):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = Attention(dim, num_heads)
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x))[0]
        return x + self.mlp(self.norm2(x))
