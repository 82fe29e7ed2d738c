# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
The CAE ViT-B blocks of LiteTrack, with parameter names of the official checkpoints.

A pre-norm transformer block with layer scale (``gamma_1``, ``gamma_2``) and CAE attention: the
``qkv`` projection has no bias of its own; the queries get ``q_bias``, the values ``v_bias``,
and the keys none. LayerNorm eps is 1e-6, the MLP is 768 -> 3072 -> 768 with exact GELU.

LiteTrack's asynchronous interaction blocks update only the search tokens: queries come from
the search tokens, keys and values from the template and the search tokens, and the template
tokens pass through unchanged. Because the template tokens never change inside those blocks,
their keys and values can be computed once per init (``template_kv``) and reused every frame
(``forward_search``). ``forward_async`` computes the same block the way the reference does,
projecting the template tokens again in every call; it is kept for comparisons.
"""

from __future__ import annotations

import torch
from torch import nn
import torch.nn.functional as F

LN_EPS = 1e-6


class Mlp(nn.Module):
    """``fc1`` -> GELU -> ``fc2``."""

    def __init__(self, in_features: int, hidden_features: int, out_features: int):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden_features)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden_features, out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.act(self.fc1(x)))


class CAEAttention(nn.Module):
    """Multi-head attention with CAE's bias layout (q and v biased, k not)."""

    def __init__(self, dim: int, num_heads: int):
        super().__init__()
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5
        self.q_bias = nn.Parameter(torch.zeros(dim))
        self.v_bias = nn.Parameter(torch.zeros(dim))
        self.qkv = nn.Linear(dim, dim * 3, bias=False)
        self.proj = nn.Linear(dim, dim)

    def _qkv_bias(self) -> torch.Tensor:
        return torch.cat((self.q_bias, torch.zeros_like(self.v_bias), self.v_bias))

    def qkv_heads(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(B, N, C) normalised tokens -> q, k, v, each (B, heads, N, C/heads)."""
        b, n, c = x.shape
        qkv = F.linear(x, self.qkv.weight, self._qkv_bias())
        qkv = qkv.reshape(b, n, 3, self.num_heads, c // self.num_heads).permute(2, 0, 3, 1, 4)
        return qkv[0], qkv[1], qkv[2]

    def kv_heads(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Keys and values only, (B, heads, N, C/heads) each: what a cached template needs."""
        b, n, c = x.shape
        weight = self.qkv.weight[c:]
        bias = torch.cat((torch.zeros_like(self.v_bias), self.v_bias))
        kv = F.linear(x, weight, bias)
        kv = kv.reshape(b, n, 2, self.num_heads, c // self.num_heads).permute(2, 0, 3, 1, 4)
        return kv[0], kv[1]

    def attend(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """Softmax attention of q over (k, v), heads merged and projected: (B, Nq, C)."""
        attn = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        out = attn @ v
        b, h, n, d = out.shape
        return self.proj(out.transpose(1, 2).reshape(b, n, h * d))


class CAEBlock(nn.Module):
    """Pre-norm block with layer scale; see the module docstring for its three uses."""

    def __init__(self, dim: int = 768, num_heads: int = 12, mlp_ratio: float = 4.0):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=LN_EPS)
        self.norm2 = nn.LayerNorm(dim, eps=LN_EPS)
        self.mlp = Mlp(dim, int(dim * mlp_ratio), dim)
        self.attn = CAEAttention(dim, num_heads)
        self.gamma_1 = nn.Parameter(torch.full((dim,), 0.1))
        self.gamma_2 = nn.Parameter(torch.full((dim,), 0.1))

    def _residual(self, x: torch.Tensor, attended: torch.Tensor) -> torch.Tensor:
        x = x + self.gamma_1 * attended
        return x + self.gamma_2 * self.mlp(self.norm2(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Plain self-attention block over all tokens of ``x``."""
        q, k, v = self.attn.qkv_heads(self.norm1(x))
        return self._residual(x, self.attn.attend(q, k, v))

    def template_kv(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Keys and values of the (fixed) template tokens ``z`` in this block."""
        return self.attn.kv_heads(self.norm1(z))

    def forward_search(self, x: torch.Tensor, z_k: torch.Tensor,
                       z_v: torch.Tensor) -> torch.Tensor:
        """Update search tokens ``x``; they attend to cached template keys/values and to x."""
        q, k, v = self.attn.qkv_heads(self.norm1(x))
        k = torch.cat((z_k, k), dim=2)
        v = torch.cat((z_v, v), dim=2)
        return self._residual(x, self.attn.attend(q, k, v))

    def forward_async(self, tokens: torch.Tensor, len_t: int) -> torch.Tensor:
        """
        Run the block as the reference does on ``tokens`` = [template | search].

        As upstream, q/k/v and the output projection are computed for every token, and the
        template part of the result is then discarded.
        """
        z, x = tokens[:, :len_t], tokens[:, len_t:]
        q, k, v = self.attn.qkv_heads(self.norm1(tokens))
        attn = ((q[:, :, len_t:] @ k.transpose(-2, -1)) * self.attn.scale).softmax(dim=-1)
        out = attn @ v
        b, h, n, d = out.shape
        merged = torch.cat((z, out.transpose(1, 2).reshape(b, n, h * d)), dim=1)
        attended = self.attn.proj(merged)[:, len_t:]
        return torch.cat((z, self._residual(x, attended)), dim=1)
