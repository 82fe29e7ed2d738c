# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Model specs of the CompressTracker family: OSTrack's one-stream ViT-B cut to N blocks.

Source: LingyiHongfd/CompressTracker,
``experiments/compresstracker/compresstracker_vitb_256_{N}.yaml`` (only
``MODEL.BACKBONE.DISTILL_LAYER`` differs). Template 128 at factor 2, search 256 at factor 4,
ImageNet normalisation, 16x16 centre-head maps.
"""

from lite_tracker_ros.core.model_spec import CropSpec, ModelSpec
from lite_tracker_ros.specs.family import ModelFamily

#: number of student ViT blocks (``DISTILL_LAYER``) of each released variant
DISTILL_LAYERS: dict[str, int] = {f'compresstracker_{n}': n for n in (2, 3, 4, 6)}

SPECS: dict[str, ModelSpec] = {
    name: ModelSpec(
        name=name,
        family='compresstracker',
        template=CropSpec(size=128, factor=2.0),
        search=CropSpec(size=256, factor=4.0),
        feat_size=16,
        template_inputs=('template',),
        search_inputs=('search',),
        search_outputs=('score_map', 'size_map', 'offset_map'),
    )
    for name in DISTILL_LAYERS
}

FAMILY = ModelFamily(
    'compresstracker', tuple(SPECS),
    network='lite_tracker_ros.networks.compresstracker:network_for_spec',
    key_filter='lite_tracker_ros.networks.compresstracker:student_state_dict',
    variant_detector='lite_tracker_ros.networks.compresstracker:detect_compresstracker')
