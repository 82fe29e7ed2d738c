# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""The mvt spec against the conformance pack: crop geometry, ``/255`` only, tensor names."""

import numpy as np
import pytest

from lite_tracker_ros.specs import get_spec
from lite_tracker_ros.specs.mvt import SPECS


def test_registered_and_geometry():
    spec = get_spec('mvt')
    assert spec is SPECS['mvt']
    assert (spec.family, spec.feat_size) == ('mvt', 16)
    assert (spec.template.size, spec.template.factor) == (128, 2.0)
    assert (spec.search.size, spec.search.factor) == (256, 4.0)
    assert spec.template_inputs == ('template',)
    assert spec.search_inputs == ('template_stem', 'search')
    assert spec.search_outputs == ('score_map', 'size_map', 'offset_map')


@pytest.mark.parametrize('crop', ['template', 'search'])
def test_normalisation_reproduces_pack_inputs(conformance_dir, crop):
    # Pack README 4.4: (u8/255 - mean)/std in float32 gives *_in bit-exactly.
    spec = SPECS['mvt']
    pack = np.load(conformance_dir / 'mvt.npz')
    rgb = pack[f'{crop}_rgb_u8']
    assert rgb.shape[0] == getattr(spec, crop).size
    mean = np.asarray(spec.mean, np.float32)
    std = np.asarray(spec.std, np.float32)
    normalised = (rgb.astype(np.float32) / np.float32(255.0) - mean) / std
    np.testing.assert_array_equal(normalised.transpose(2, 0, 1)[None], pack[f'{crop}_in'])
