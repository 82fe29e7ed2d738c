# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
The OSTrack centre head shared by LiteTrack, MVT and CompressTracker.

Three conv towers (score, offset, size) over the 16x16 search feature map. Parameter names
mirror the official checkpoints: ``conv{1..4}_{ctr,offset,size}.{0: Conv2d, 1: BatchNorm2d}``
and ``conv5_{ctr,offset,size}``.
"""

from __future__ import annotations

import torch
from torch import nn

_EPS = 1e-4


def _conv_bn_relu(in_ch: int, out_ch: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(in_ch, out_ch, kernel_size=3, padding=1, bias=True),
                         nn.BatchNorm2d(out_ch), nn.ReLU(inplace=True))


def _clamped_sigmoid(x: torch.Tensor) -> torch.Tensor:
    return torch.clamp(torch.sigmoid(x), min=_EPS, max=1 - _EPS)


class CenterPredictor(nn.Module):
    """
    Maps (B, inplanes, F, F) features to score (B,1,F,F), size (B,2,F,F), offset (B,2,F,F).

    score and size are clamped sigmoids (size is w, h as a fraction of the search crop); the
    offset is raw, in feature cells.
    """

    def __init__(self, inplanes: int, channel: int = 256):
        super().__init__()
        widths = [inplanes, channel, channel // 2, channel // 4, channel // 8]
        for branch, out_ch in (('ctr', 1), ('offset', 2), ('size', 2)):
            for i in range(4):
                setattr(self, f'conv{i + 1}_{branch}', _conv_bn_relu(widths[i], widths[i + 1]))
            setattr(self, f'conv5_{branch}', nn.Conv2d(widths[4], out_ch, kernel_size=1))

    def _tower(self, branch: str, x: torch.Tensor) -> torch.Tensor:
        for i in range(1, 6):
            x = getattr(self, f'conv{i}_{branch}')(x)
        return x

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        score_map = _clamped_sigmoid(self._tower('ctr', x))
        size_map = _clamped_sigmoid(self._tower('size', x))
        offset_map = self._tower('offset', x)
        return score_map, size_map, offset_map
