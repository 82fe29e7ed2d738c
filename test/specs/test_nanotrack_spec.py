# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""NanoTrack specs and hyper-parameters against the upstream configv*.yaml files."""

import math

import pytest
import yaml

from lite_tracker_ros.core.types import ChannelOrder
from lite_tracker_ros.specs import get_spec
from lite_tracker_ros.specs.nanotrack import OPENCV_TRACKER_NANO, PARAMS, SPECS


@pytest.mark.parametrize('version', ['v1', 'v2', 'v3'])
def test_params_are_the_upstream_config(nanotrack_dir, version):
    config = yaml.safe_load((nanotrack_dir / f'config{version}.yaml').read_text())
    track = config['TRACK']
    params = PARAMS[f'nanotrack_{version}']
    assert params.window_influence == track['WINDOW_INFLUENCE']
    assert params.penalty_k == track['PENALTY_K']
    assert params.lr == track['LR']
    assert params.exemplar_size == track['EXEMPLAR_SIZE']
    assert params.instance_size == track['INSTANCE_SIZE']
    assert params.context_amount == track['CONTEXT_AMOUNT']
    assert params.stride == config['POINT']['STRIDE']
    # v3 sets TRACK.OUTPUT_SIZE; v1/v2 inherit the upstream default of 16
    assert params.score_size == track.get('OUTPUT_SIZE', 16)
    assert params.input_order is ChannelOrder.BGR and params.opencv is None


@pytest.mark.parametrize('name', sorted(PARAMS))
def test_registered_spec(name):
    spec = get_spec(name)
    assert spec is SPECS[name] and spec.family == 'nanotrack'
    assert (spec.template.size, spec.search.size) == (127, 255)
    assert spec.feat_size == PARAMS[name].score_size
    assert spec.search_outputs == ('cls', 'loc')
    # raw 0..255 pixels: (p / 255 - mean) / std == p
    for mean, std in zip(spec.mean, spec.std):
        assert (200 / 255 - mean) / std == pytest.approx(200)


def test_crop_rule_and_square_factor():
    params, spec = PARAMS['nanotrack_v2'], SPECS['nanotrack_v2']
    assert params.template_side(30, 80) == pytest.approx(math.sqrt((30 + 55) * (80 + 55)))
    assert params.search_side(30, 80) == pytest.approx(
        math.sqrt((30 + 55) * (80 + 55)) * 255 / 127)
    # CropSpec factors are exact for square targets
    assert params.template_side(40, 40) == pytest.approx(spec.template.factor * 40)
    assert params.search_side(40, 40) == pytest.approx(spec.search.factor * 40)


def test_opencv_profile_is_tracker_nano():
    # constants of modules/video/src/tracking/tracker_nano.cpp (OpenCV 5.0.0)
    assert (OPENCV_TRACKER_NANO.window_influence, OPENCV_TRACKER_NANO.lr,
            OPENCV_TRACKER_NANO.penalty_k) == (0.455, 0.37, 0.055)
    assert OPENCV_TRACKER_NANO.score_size == (255 - 127) // 16 + 8
    assert OPENCV_TRACKER_NANO.input_order is ChannelOrder.RGB  # swapRB on BGR frames
