# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
NanoTrack v1/v2/v3 (HonglinChu/SiamTrackers, ``NanoTrack/``) as :class:`TrackerNetwork` s.

Backbone: MobileNetV3-small cut after its stride-16 blocks (8 blocks, 48 channels; v3 adds a
ninth, stride-1 block with 96 channels). Template path: ``template`` (1x3x127x127, raw BGR
0..255) -> ``zf`` (8x8 features). Search path: ``search`` (1x3x255x255) -> features -> head ->
``cls`` (1x2xSxS logits, background then foreground) and ``loc`` (1x4xSxS distances from each
cell to the left, top, right and bottom box sides, in search-crop pixels), S = 16 (v1, v2) or
15 (v3). The heads correlate the two feature maps:

- pixel-wise: every one of the 64 template cells against every search cell (a 64-channel map),
  then a squeeze-excite channel attention (v1 shares one for cls and loc, v2/v3 have one each
  after 1x1 projections, v3 adds a 2x2 depthwise conv that makes the map 15x15);
- v3 only, depth-wise: the central 4x4 template cells as per-channel 4x4 kernels (padding 1),
  concatenated with the pixel-wise map and projected back to 96 channels.

Then separable-conv towers and 1x1 predictors; ``loc`` is ``exp`` of the regression.

Parameter names follow the official checkpoints so they load strictly, including the
``neck.downsample`` layer that the checkpoints carry but upstream never applies (its input and
output widths are equal, and the upstream model skips it in that case).
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn
import torch.nn.functional as F

from lite_tracker_ros.core.model_spec import ModelSpec
from lite_tracker_ros.networks.base import TrackerNetwork
from lite_tracker_ros.networks.checkpoint import CheckpointError, load_into
from lite_tracker_ros.networks.safe_unpickle import read_torch_zip
from lite_tracker_ros.specs.nanotrack import SPECS

#: MobileNetV3-small blocks: kernel, expanded width, output width, squeeze-excite, hard-swish,
#: stride (the published table with its expansion ratios already turned into widths)
_BLOCKS = (
    (3, 16, 16, True, False, 2),
    (3, 72, 24, False, False, 2),
    (3, 88, 24, False, False, 1),
    (5, 96, 40, True, True, 2),
    (5, 240, 40, True, True, 1),
    (5, 240, 40, True, True, 1),
    (5, 120, 48, True, True, 1),
    (5, 144, 48, True, True, 1),
)
_V3_EXTRA_BLOCK = (5, 288, 96, True, True, 1)
#: template cells correlated pixel-wise (8x8 template features)
_TEMPLATE_CELLS = 64


def _round8(value: float) -> int:
    # MobileNet's channel rounding: nearest multiple of 8, never more than 10 % below
    rounded = max(8, int(value + 4) // 8 * 8)
    return rounded + 8 if rounded < 0.9 * value else rounded


class _SqueezeExcite(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        hidden = _round8(channels // 4)
        self.fc = nn.Sequential(nn.Linear(channels, hidden), nn.ReLU(inplace=True),
                                nn.Linear(hidden, channels), nn.Hardsigmoid())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        weights = self.fc(x.mean(dim=(2, 3)))
        return x * weights[:, :, None, None]


class _InvertedResidual(nn.Module):
    def __init__(self, inp: int, kernel: int, hidden: int, out: int, se: bool, hswish: bool,
                 stride: int) -> None:
        super().__init__()
        self.residual = stride == 1 and inp == out

        def act() -> nn.Module:
            return nn.Hardswish() if hswish else nn.ReLU(inplace=True)

        depthwise = [nn.Conv2d(hidden, hidden, kernel, stride, kernel // 2, groups=hidden,
                               bias=False), nn.BatchNorm2d(hidden)]
        excite = _SqueezeExcite(hidden) if se else nn.Identity()
        project = [nn.Conv2d(hidden, out, 1, bias=False), nn.BatchNorm2d(out)]
        if inp == hidden:
            layers = [*depthwise, act(), excite, *project]
        else:
            expand = [nn.Conv2d(inp, hidden, 1, bias=False), nn.BatchNorm2d(hidden), act()]
            layers = [*expand, *depthwise, excite, act(), *project]
        self.conv = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv(x) if self.residual else self.conv(x)


class _Backbone(nn.Module):
    def __init__(self, blocks: tuple[tuple, ...]) -> None:
        super().__init__()
        layers: list[nn.Module] = [nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1, bias=False),
                                                 nn.BatchNorm2d(16), nn.Hardswish())]
        width = 16
        for kernel, hidden, out, se, hswish, stride in blocks:
            layers.append(_InvertedResidual(width, kernel, hidden, out, se, hswish, stride))
            width = out
        self.features = nn.Sequential(*layers)
        self.out_channels = width

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(x)


def _conv_bn(channels: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(channels, channels, 1), nn.BatchNorm2d(channels))


class _ChannelAttention(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.fc1 = nn.Conv2d(channels, channels, 1)
        self.fc2 = nn.Conv2d(channels, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pooled = x.mean(dim=(2, 3), keepdim=True)
        return x * torch.sigmoid(self.fc2(F.relu(self.fc1(pooled))))


def _pixelwise(template: torch.Tensor, search: torch.Tensor) -> torch.Tensor:
    # (B, C, Hz, Wz) x (B, C, H, W) -> (B, Hz*Wz, H, W): each template cell's dot product
    # with each search cell
    b, c, h, w = search.shape
    correlation = torch.matmul(template.flatten(2).transpose(1, 2), search.flatten(2))
    return correlation.view(b, -1, h, w)


class _PixelwiseCorr(nn.Module):
    """v1: attention only; v2: 1x1 projections first; v3: also a 2x2 depthwise conv after."""

    def __init__(self, channels: int, project: bool, reduce: bool) -> None:
        super().__init__()
        self.CA_layer = _ChannelAttention(_TEMPLATE_CELLS)
        if project:
            self.conv_kernel = _conv_bn(channels)
            self.conv_search = _conv_bn(channels)
        if reduce:
            cells = _TEMPLATE_CELLS
            self.conv = nn.Sequential(
                nn.Conv2d(cells, cells, 2, groups=cells, bias=False), nn.BatchNorm2d(cells),
                nn.ReLU6(inplace=True), nn.Conv2d(cells, cells, 1), nn.BatchNorm2d(cells))
        self._project, self._reduce = project, reduce

    def forward(self, template: torch.Tensor, search: torch.Tensor) -> torch.Tensor:
        if self._project:
            template, search = self.conv_kernel(template), self.conv_search(search)
        out = self.CA_layer(_pixelwise(template, search))
        return self.conv(out) if self._reduce else out


class _DepthwiseCorr(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv_kernel = _conv_bn(channels)
        self.conv_search = _conv_bn(channels)

    def forward(self, template: torch.Tensor, search: torch.Tensor) -> torch.Tensor:
        kernel, search = self.conv_kernel(template), self.conv_search(search)
        b, c, h, w = search.shape
        out = F.conv2d(search.reshape(1, b * c, h, w), kernel.reshape(b * c, 1, *kernel.shape[2:]),
                       padding=1, groups=b * c)
        return out.view(b, c, *out.shape[2:])


def _separable_tower(layers: tuple[tuple[int, int, int], ...]) -> nn.Sequential:
    """v1/v2 towers: per layer (in, out, kernel) a depthwise conv, 1x1 conv, BN, ReLU6."""
    modules: list[nn.Module] = []
    for inp, out, kernel in layers:
        modules += [nn.Conv2d(inp, inp, kernel, padding=kernel // 2, groups=inp, bias=False),
                    nn.Conv2d(inp, out, 1, bias=False), nn.BatchNorm2d(out),
                    nn.ReLU6(inplace=True)]
    return nn.Sequential(*modules)


def _linear_bottleneck_tower(channels: int, depth: int) -> nn.Sequential:
    """v3 towers: per layer a depthwise 3x3 conv, BN, ReLU6, then a linear 1x1 conv and BN."""
    modules: list[nn.Module] = []
    for _ in range(depth):
        modules += [nn.Conv2d(channels, channels, 3, padding=1, groups=channels, bias=False),
                    nn.BatchNorm2d(channels), nn.ReLU6(inplace=True),
                    nn.Conv2d(channels, channels, 1, bias=False), nn.BatchNorm2d(channels)]
    return nn.Sequential(*modules)


def _predictor(channels: int, outputs: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(channels, outputs, 1))


class _HeadV1(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.corr_pw = _PixelwiseCorr(48, project=False, reduce=False)
        self.cls_tower = _separable_tower(((64, 128, 5), (128, 128, 5), (128, 128, 3)))
        self.bbox_tower = _separable_tower(((64, 96, 3), (96, 96, 3), (96, 96, 5), (96, 96, 5)))
        self.cls_logits = _predictor(128, 2)
        self.bbox_pred = _predictor(96, 4)

    def forward(self, zf: torch.Tensor, xf: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        corr = self.corr_pw(zf, xf)
        return self.cls_logits(self.cls_tower(corr)), self.bbox_pred(self.bbox_tower(corr))


class _HeadV2(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.corr_pw_reg = _PixelwiseCorr(48, project=True, reduce=False)
        self.corr_pw_cls = _PixelwiseCorr(48, project=True, reduce=False)
        layers = ((64, 96, 3),) + ((96, 96, 3),) * 5
        self.cls_pw_tower = _separable_tower(layers)
        self.bbox_pw_tower = _separable_tower(layers)
        self.cls_pred = _predictor(96, 2)
        self.bbox_pred = _predictor(96, 4)

    def forward(self, zf: torch.Tensor, xf: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        cls = self.cls_pred(self.cls_pw_tower(self.corr_pw_cls(zf, xf)))
        return cls, self.bbox_pred(self.bbox_pw_tower(self.corr_pw_reg(zf, xf)))


class _HeadV3(nn.Module):
    def __init__(self, channels: int = 96) -> None:
        super().__init__()
        self.corr_dw_reg = _DepthwiseCorr(channels)
        self.corr_pw_reg = _PixelwiseCorr(channels, project=True, reduce=True)
        self.corr_dw_cls = _DepthwiseCorr(channels)
        self.corr_pw_cls = _PixelwiseCorr(channels, project=True, reduce=True)
        self.cls_tower = _linear_bottleneck_tower(channels, 6)
        self.bbox_tower = _linear_bottleneck_tower(channels, 6)
        self.cls_logits = _predictor(channels, 2)
        self.bbox_pred = _predictor(channels, 4)
        self.down_reg = _predictor(channels + _TEMPLATE_CELLS, channels)
        self.down_cls = _predictor(channels + _TEMPLATE_CELLS, channels)

    def forward(self, zf: torch.Tensor, xf: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        centre = zf[:, :, 2:6, 2:6]
        reg = self.down_reg(torch.cat((self.corr_pw_reg(zf, xf), self.corr_dw_reg(centre, xf)), 1))
        cls = self.down_cls(torch.cat((self.corr_pw_cls(zf, xf), self.corr_dw_cls(centre, xf)), 1))
        return self.cls_logits(self.cls_tower(cls)), self.bbox_pred(self.bbox_tower(reg))


_HEADS = {'nanotrack_v1': _HeadV1, 'nanotrack_v2': _HeadV2, 'nanotrack_v3': _HeadV3}


class NanoTrackNetwork(TrackerNetwork):
    """One NanoTrack variant: ``forward_template`` -> ``zf``; ``forward_search`` -> cls, loc."""

    #: batched search == single ones (test/backends/test_torch_backend.py)
    max_search_batch = 8
    #: the depthwise correlation uses the template features as convolution kernels, reshaped
    #: with the batch: the ONNX exporter needs that kernel's shape static, so the exported
    #: search graph keeps batch 1 (the published pair is batched in memory by nanotrack_onnx)
    export_search_batch = False

    def __init__(self, name: str) -> None:
        super().__init__()
        if name not in _HEADS:
            raise KeyError(f'unknown NanoTrack model {name!r}; choose one of {", ".join(_HEADS)}')
        self.spec: ModelSpec = SPECS[name]
        blocks = _BLOCKS + ((_V3_EXTRA_BLOCK,) if name == 'nanotrack_v3' else ())
        self.backbone = _Backbone(blocks)
        width = 96 if name == 'nanotrack_v3' else 64
        self.neck = nn.Module()
        self.neck.downsample = nn.Sequential(nn.Conv2d(width, width, 1, bias=False),
                                             nn.BatchNorm2d(width))
        self.ban_head = _HEADS[name]()

    def forward_template(self, template: torch.Tensor) -> dict[str, torch.Tensor]:
        return {'zf': self.backbone(template)}

    def forward_search(self, cache: dict[str, torch.Tensor],
                       search: torch.Tensor) -> dict[str, torch.Tensor]:
        cls, loc = self.ban_head(cache['zf'], self.backbone(search))
        return {'cls': cls, 'loc': torch.exp(loc)}


def read_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """
    Read the model weights of an official ``nanotrackv*.pth`` file without running its code.

    The files are training checkpoints, ``{'epoch', 'state_dict', 'optimizer'}``; the reader
    (:mod:`~lite_tracker_ros.networks.safe_unpickle`) turns anything but tensors and plain
    containers, such as the optimizer's numpy scalars, into inert placeholders.
    """
    checkpoint = read_torch_zip(str(path))
    state = checkpoint.get('state_dict', checkpoint) if isinstance(checkpoint, dict) else None
    if not isinstance(state, dict) or not all(torch.is_tensor(v) for v in state.values()):
        raise CheckpointError(f'{path} holds no state dict; pass an official nanotrackv*.pth '
                              'file')
    return state


def load_nanotrack(name: str, path: str | Path) -> NanoTrackNetwork:
    """Build model ``name`` (``nanotrack_v1``/``v2``/``v3``), strictly load ``path``, eval mode."""
    network = NanoTrackNetwork(name)
    load_into(network, read_state_dict(path))
    return network.eval()


def network_for_spec(spec: ModelSpec) -> NanoTrackNetwork:
    """Build the untrained network of ``spec`` (the family descriptor's network builder)."""
    return NanoTrackNetwork(spec.name)
