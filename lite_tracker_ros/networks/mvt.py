# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
MVT: MobileViT-S tracker with a BatchNorm neck, pixel-wise correlation and the centre head.

Submodule names (``backbone``, ``neck.BN_{x,z}``, ``feature_fusor.pw_corr.CA_layer.fc{1,2}``,
``feature_fusor.adj_layer``, ``box_head``) are those of the official ``MobileViT_Track``, so the
``'net'`` state dict of an official checkpoint loads strictly with no key rename or filter.
"""

from __future__ import annotations

import torch
from torch import nn

from lite_tracker_ros.core.model_spec import ModelSpec
from lite_tracker_ros.networks.base import TrackerNetwork
from lite_tracker_ros.networks.center_head import CenterPredictor
from lite_tracker_ros.networks.mobilevit import MobileViTTrackBackbone

#: name of the template cache, shared by the template path's output and the search path's input
TEMPLATE_CACHE = 'template_stem'

_FEATURE_CHANNELS = 128
_HEAD_CHANNELS = 256


class BNNeck(nn.Module):
    """A separate BatchNorm for the search and the template features before correlation."""

    def __init__(self, channels: int):
        super().__init__()
        self.BN_x = nn.BatchNorm2d(channels)
        self.BN_z = nn.BatchNorm2d(channels)

    def forward(self, x: torch.Tensor,
                z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.BN_x(x), self.BN_z(z)


class ChannelAttention(nn.Module):
    """Squeeze-and-excitation gate: global average, 1x1 conv, ReLU, 1x1 conv, sigmoid."""

    def __init__(self, channels: int):
        super().__init__()
        self.fc1 = nn.Conv2d(channels, channels, kernel_size=1)
        self.fc2 = nn.Conv2d(channels, channels, kernel_size=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gate = self.fc2(torch.relu(self.fc1(nn.functional.adaptive_avg_pool2d(x, 1))))
        return x * torch.sigmoid(gate)


class PixelwiseCorrelation(nn.Module):
    """
    Correlate every template pixel with every search pixel, then gate the channels.

    Output channel ``k`` is the dot product (over feature channels) of template pixel ``k``
    (row-major) with each search pixel: ``[B, Hz*Wz, Hx, Wx]``.
    """

    def __init__(self, template_pixels: int):
        super().__init__()
        self.CA_layer = ChannelAttention(template_pixels)

    def forward(self, z: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        b, _, h, w = x.shape
        corr = z.flatten(2).transpose(1, 2) @ x.flatten(2)
        return self.CA_layer(corr.reshape(b, -1, h, w))


class CorrelationFusor(nn.Module):
    """Pixel-wise correlation with channel attention, then a 1x1 conv to the head width."""

    def __init__(self, template_pixels: int, out_channels: int):
        super().__init__()
        self.pw_corr = PixelwiseCorrelation(template_pixels)
        self.adj_layer = nn.Conv2d(template_pixels, out_channels, kernel_size=1)

    def forward(self, z: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return self.adj_layer(self.pw_corr(z, x))


class MVTNetwork(TrackerNetwork):
    """
    The MVT tracker network split into its template path and its search path.

    ``forward_template(template)`` runs the MobileViT stem on the ``/255`` template crop once
    per init and returns ``{'template_stem': [1, 64, 32, 32]}``. ``forward_search(cache,
    search)`` runs the search stem, the two fusion stages (template and search together), the
    neck, the correlation fusor and the centre head. Both paths have static shapes and no
    data-dependent control flow, so each exports as one ONNX graph.

    ``spec`` is ``lite_tracker_ros.specs.mvt.SPECS['mvt']``; it fixes the template size (the
    correlation has one channel per template feature pixel) and the tensor names.
    """

    #: batched search == single ones (test/backends/test_torch_backend.py)
    max_search_batch = 8

    def __init__(self, spec: ModelSpec):
        super().__init__()
        if spec.search_inputs != (TEMPLATE_CACHE, 'search'):
            raise ValueError(f'MVT search path takes ({TEMPLATE_CACHE!r}, "search"), '
                             f'spec {spec.name!r} says {spec.search_inputs}')
        for crop in (spec.template, spec.search):
            # Stride 16 then 2x2 patches in the last stage: sizes must be multiples of 32.
            if crop.size % 32:
                raise ValueError(f'MVT crop sizes must be multiples of 32, got {crop.size}')
        self.spec = spec
        template_feat = spec.template.size // 16
        self.backbone = MobileViTTrackBackbone()
        self.neck = BNNeck(_FEATURE_CHANNELS)
        self.feature_fusor = CorrelationFusor(template_feat * template_feat, _HEAD_CHANNELS)
        self.box_head = CenterPredictor(inplanes=_HEAD_CHANNELS)

    def forward_template(self, template: torch.Tensor) -> dict[str, torch.Tensor]:
        return {TEMPLATE_CACHE: self.backbone.stem(template)}

    def search_stages(self, template_stem: torch.Tensor,
                      search: torch.Tensor) -> dict[str, torch.Tensor]:
        """Run the search path and return every stage the conformance pack records."""
        backbone_x, backbone_z = self.backbone(search, template_stem)
        neck_x, neck_z = self.neck(backbone_x, backbone_z)
        fused = self.feature_fusor(neck_z, neck_x)
        score_map, size_map, offset_map = self.box_head(fused)
        return {'backbone_x': backbone_x, 'backbone_z': backbone_z, 'neck_x': neck_x,
                'neck_z': neck_z, 'fused': fused, 'score_map': score_map,
                'size_map': size_map, 'offset_map': offset_map}

    def forward_search(self, cache: dict[str, torch.Tensor],
                       search: torch.Tensor) -> dict[str, torch.Tensor]:
        stages = self.search_stages(cache[TEMPLATE_CACHE], search)
        return {name: stages[name] for name in self.spec.search_outputs}
