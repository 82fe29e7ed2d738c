# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""The --weights option: one file for one model, MODEL=FILE pairs for several."""

from pathlib import Path

import pytest

from lite_tracker_ros.evaluation.weights_option import weights_per_model


def test_one_model_takes_a_bare_file_and_unnamed_models_use_the_cache():
    assert weights_per_model(None, ['a']) == {'a': None}
    assert weights_per_model(['w.pth'], ['a']) == {'a': Path('w.pth')}
    assert weights_per_model(['b=x.safetensors'], ['a', 'b']) == {'a': None,
                                                                  'b': Path('x.safetensors')}
    assert weights_per_model(['a=1', 'b=2'], ['a', 'b']) == {'a': Path('1'), 'b': Path('2')}


def test_ambiguous_or_unknown_pairs_say_what_to_write(tmp_path):
    with pytest.raises(ValueError, match='write MODEL=FILE, e.g. --weights a=w.pth'):
        weights_per_model(['w.pth'], ['a', 'b'])
    with pytest.raises(ValueError, match="'c' is not one of the models named"):
        weights_per_model(['c=w.pth'], ['a', 'b'])
    odd = tmp_path / 'odd=name.pth'
    odd.write_bytes(b'')
    assert weights_per_model([str(odd)], ['a']) == {'a': odd}


def test_untrained_weights_of_a_network_with_tied_parameters_round_trip(tmp_path):
    # FARTrack's three position-embedding names are one parameter: saved as three copies,
    # loaded back into the one
    import torch

    from lite_tracker_ros.evaluation.weights_option import write_untrained_weights
    from lite_tracker_ros.factory import build_network, load_network

    path = write_untrained_weights('fartrack', tmp_path, seed=3)
    loaded = load_network('fartrack', path).state_dict()
    torch.manual_seed(3)
    expected = build_network('fartrack').state_dict()
    assert set(loaded) == set(expected) and 'backbone.pos_embed_z1' in loaded
    for key, value in expected.items():
        assert torch.equal(loaded[key], value), key
