# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Model spec and hyper-parameters of FARTrack (the official release's sparse configuration).

Source: MIV-XJTU/FARTrack, ``experiments/fartrack_sparse/fartrack_sparse_224_full.yaml`` (the
configuration the README evaluates; checkpoint ``FARTrackSparse_ep0015.pth.tar``): ViT-Tiny with
12 + 3 extension blocks, five dynamic 112 templates (factor 2), a 224 search crop (factor 4),
ImageNet normalisation, and coordinates classified into ``bins * range`` bins.

The backend sees FARTrack through the usual two calls. ``set_template`` takes the five template
slots chosen for this frame and their token masks (both change every frame, so it is called
before every ``search``); ``search`` takes the search crop and returns the coordinate logits,
the argmax tokens, their probabilities and the pruning mask of the newest slot's tokens.
"""

from __future__ import annotations

from dataclasses import dataclass

from lite_tracker_ros.core.model_spec import CropSpec, ModelSpec
from lite_tracker_ros.specs.family import ModelFamily


@dataclass(frozen=True)
class FARTrackParams:
    """What the FARTrack network and tracker loop need beyond the crop geometry."""

    #: template slots fed to every forward (``DATA.TEMPLATE.NUMBER``)
    num_templates: int = 5
    #: base of the exponential template sampling: slot i picks stored index
    #: ``int((n - 1) * (1 - ratio ** i))`` (``template_update_sampling(..., 'exponential')``)
    sampling_ratio: float = 0.7
    #: fraction of the newest template's tokens pruned after each frame (only the 25% mask of
    #: the four the reference computes is used)
    prune_ratio: float = 0.25
    #: coordinate bins per unit (``MODEL.BINS``) and the covered range in crop units
    #: (``MODEL.RANGE``): tokens ``0 .. bins * range - 1`` cover [-0.5, 1.5)
    bins: int = 300
    bin_range: int = 2
    #: transformer depth: ``blocks`` then ``extension`` (``MODEL.EXTENSION``)
    depth: int = 12
    extension: int = 3
    embed_dim: int = 192
    num_heads: int = 3
    patch_size: int = 16

    @property
    def num_bins(self) -> int:
        """Coordinate classes; the four command tokens and padding follow them."""
        return self.bins * self.bin_range

    @property
    def vocab_size(self) -> int:
        """Rows of the tied word-embedding table: bins, 4 commands (x0, y0, x1, y1), padding."""
        return self.num_bins + 5


PARAMS = FARTrackParams()

SPECS: dict[str, ModelSpec] = {
    'fartrack': ModelSpec(
        name='fartrack',
        family='fartrack',
        template=CropSpec(size=112, factor=2.0),
        search=CropSpec(size=224, factor=4.0),
        template_inputs=('templates', 'template_mask'),
        search_inputs=('search',),
        search_outputs=('logits', 'seqs', 'class_prob', 'mask'),
    ),
}


def make_tracker(spec: ModelSpec, backend, **options):
    """Return the tracker loop over ``backend``, with this module's parameters."""
    from lite_tracker_ros.core.fartrack_tracker import FARTrackTracker
    return FARTrackTracker(spec, backend, PARAMS, **options)


FAMILY = ModelFamily(
    'fartrack', tuple(SPECS), network='lite_tracker_ros.networks.fartrack:network_for_spec',
    tracker='lite_tracker_ros.specs.fartrack:make_tracker',
    variant_detector='lite_tracker_ros.networks.fartrack:detect_fartrack')
