# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Model specs and tracking hyper-parameters of the NanoTrack family (v1, v2, v3).

Source: HonglinChu/SiamTrackers, ``NanoTrack/models/config/configv{1,2,3}.yaml`` (``TRACK`` and
``POINT`` sections). NanoTrack is a Siamese tracker: a MobileNetV3-small backbone turns a 127 px
template crop and a 255 px search crop into stride-16 features, and a correlation head scores
every cell of an ``S x S`` map (S = 16 for v1/v2, 15 for v3) with a foreground probability
(``cls``: 2 logits) and the distances from the cell to the box sides (``loc``: left, top, right,
bottom in search-crop pixels).

The network takes raw ``0..255`` pixel values in BGR order (it was trained on ``cv2.imread``
images without normalisation). In :class:`ModelSpec` terms that is mean 0 and std 1/255, since a
spec's normalisation applies to ``pixels / 255``.

The crop is not the OSTrack ``sqrt(w*h) * factor`` square: the template side is
``sqrt((w + p) * (h + p))`` with context ``p = context_amount * (w + h)``, and the search side is
that times ``instance_size / exemplar_size`` (see :meth:`NanoTrackParams.template_side`). For a
square target this equals ``2 * sqrt(w*h)``, so the :class:`CropSpec` factors below (2 and
2 * 255 / 127) are exact for square boxes only; the tracker uses the rule in the params.
"""

from __future__ import annotations

from dataclasses import dataclass
import math

from lite_tracker_ros.core.model_spec import CropSpec, ModelSpec
from lite_tracker_ros.core.types import ChannelOrder
from lite_tracker_ros.specs.family import ModelFamily

EXEMPLAR_SIZE = 127
INSTANCE_SIZE = 255


@dataclass(frozen=True)
class OpenCVQuirks:
    """
    Arithmetic of OpenCV's ``cv2.TrackerNano`` that differs from the upstream Python tracker.

    Only for reproducing OpenCV's boxes (benchmarks, conformance tests); a product tracker
    leaves :attr:`NanoTrackParams.opencv` unset. Each flag is one difference, so its effect can
    be measured on its own (``modules/video/src/tracking/tracker_nano.cpp``).
    """

    #: Hann window of ``sqrt(hann_i * hann_j)`` (``cv::createHanningWindow``), not the outer
    #: product ``hann_i * hann_j``
    sqrt_window: bool = True
    #: the scale penalty compares the predicted size with ``size_term(centre_x, centre_y)``,
    #: the target *position*, instead of the target size in search-crop pixels
    scale_vs_position: bool = True
    #: integer crop geometry: the template side and the ``w + h`` sum are truncated, the search
    #: side is ``int(2 * s_z)`` (integer ``255 / 127``), the window corner is
    #: ``int(centre) - (side + 1) // 2``, and offsets are rescaled by ``127 / s_z`` rather than
    #: by the real crop scale
    integer_crop: bool = True
    #: pad with the mean colour of the whole current frame (reads every pixel of every frame)
    frame_mean_pad: bool = True


@dataclass(frozen=True)
class NanoTrackParams:
    """NanoTrack's tracking hyper-parameters (``TRACK`` section of the upstream config)."""

    window_influence: float
    penalty_k: float
    lr: float
    #: side of the square ``cls``/``loc`` maps
    score_size: int
    exemplar_size: int = EXEMPLAR_SIZE
    instance_size: int = INSTANCE_SIZE
    #: pixels of the search crop between neighbouring map cells
    stride: int = 16
    context_amount: float = 0.5
    #: the box is never narrower or lower than this (pixels), nor larger than the frame
    min_size: float = 10.0
    #: channel order the network was trained on
    input_order: ChannelOrder = ChannelOrder.BGR
    #: reproduce cv2.TrackerNano's arithmetic (None: upstream arithmetic)
    opencv: OpenCVQuirks | None = None

    def template_side(self, w: float, h: float) -> float:
        """Side of the template window, in frame pixels, for a ``w x h`` target."""
        context = self.context_amount * (w + h)
        return math.sqrt((w + context) * (h + context))

    def search_side(self, w: float, h: float) -> float:
        """Side of the search window, in frame pixels, for a ``w x h`` target."""
        return self.template_side(w, h) * self.instance_size / self.exemplar_size


def _spec(name: str, score_size: int) -> ModelSpec:
    return ModelSpec(
        name=name,
        family='nanotrack',
        template=CropSpec(size=EXEMPLAR_SIZE, factor=2.0),
        search=CropSpec(size=INSTANCE_SIZE, factor=2.0 * INSTANCE_SIZE / EXEMPLAR_SIZE),
        mean=(0.0, 0.0, 0.0),
        std=(1.0 / 255.0,) * 3,
        feat_size=score_size,
        template_inputs=('template',),
        search_inputs=('search',),
        search_outputs=('cls', 'loc'),
    )


#: upstream values of configv1.yaml, configv2.yaml, configv3.yaml (v3 sets OUTPUT_SIZE 15; v1
#: and v2 use the config default 16)
PARAMS: dict[str, NanoTrackParams] = {
    'nanotrack_v1': NanoTrackParams(window_influence=0.462, penalty_k=0.148, lr=0.390,
                                    score_size=16),
    'nanotrack_v2': NanoTrackParams(window_influence=0.490, penalty_k=0.150, lr=0.385,
                                    score_size=16),
    'nanotrack_v3': NanoTrackParams(window_influence=0.455, penalty_k=0.138, lr=0.348,
                                    score_size=15),
}

#: cv2.TrackerNano (as in OpenCV 5.0.0): its own constants, RGB input (``swapRB=true`` on BGR
#: frames) and every quirk on; its score map is always 16 x 16, so it fits v1 and v2 only
OPENCV_TRACKER_NANO = NanoTrackParams(window_influence=0.455, penalty_k=0.055, lr=0.37,
                                      score_size=16, input_order=ChannelOrder.RGB,
                                      opencv=OpenCVQuirks())

SPECS: dict[str, ModelSpec] = {
    name: _spec(name, params.score_size) for name, params in PARAMS.items()
}


def make_tracker(spec: ModelSpec, backend, **options):
    """Return the tracker loop over ``backend``, with this module's parameters."""
    from lite_tracker_ros.core.nanotrack_tracker import NanoTracker
    return NanoTracker(spec, backend, PARAMS[spec.name], **options)


FAMILY = ModelFamily(
    'nanotrack', tuple(SPECS), network='lite_tracker_ros.networks.nanotrack:network_for_spec',
    tracker='lite_tracker_ros.specs.nanotrack:make_tracker',
    published_graphs='lite_tracker_ros.backends.nanotrack_onnx:published_pair')
