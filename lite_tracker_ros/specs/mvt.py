# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Model specs of the mvt family (MobileViT-S tracker, goutamyg/MVT).

MVT feeds the network ``pixels / 255`` only (mean 0, std 1), unlike the ImageNet-normalised
trackers. The template path caches the MobileViT stem output (``template_stem``, 1x64x32x32),
which the search path takes together with the search crop.
"""

from lite_tracker_ros.core.model_spec import CropSpec, ModelSpec
from lite_tracker_ros.specs.family import ModelFamily

SPECS: dict[str, ModelSpec] = {
    'mvt': ModelSpec(
        name='mvt',
        family='mvt',
        template=CropSpec(size=128, factor=2.0),
        search=CropSpec(size=256, factor=4.0),
        mean=(0.0, 0.0, 0.0),
        std=(1.0, 1.0, 1.0),
        feat_size=16,
        template_inputs=('template',),
        search_inputs=('template_stem', 'search'),
        search_outputs=('score_map', 'size_map', 'offset_map'),
    ),
}

FAMILY = ModelFamily('mvt', tuple(SPECS), network='lite_tracker_ros.networks.mvt:MVTNetwork')
