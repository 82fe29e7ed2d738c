# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
NanoTrack torch networks against the official files.

Strict loads of the ``.pth`` checkpoints, and the same outputs as the official ONNX pairs (run
by ONNX Runtime) on the same real crops.
"""

import cv2
import numpy as np
import pytest
import torch

from lite_tracker_ros.backends.nanotrack_onnx import NanoTrackOnnxBackend
from lite_tracker_ros.export.onnx_export import compare_with_torch, export_onnx
from lite_tracker_ros.networks.base import TrackerNetwork
from lite_tracker_ros.networks.checkpoint import CheckpointError
from lite_tracker_ros.networks.nanotrack import load_nanotrack, NanoTrackNetwork, read_state_dict
from lite_tracker_ros.specs.nanotrack import SPECS

NAMES = ('nanotrack_v1', 'nanotrack_v2', 'nanotrack_v3')


def _version(name):
    return name.rsplit('_', 1)[-1]


@pytest.fixture(scope='module')
def real_crops(sot_dir):
    # A template around the first Deer box and a search window around it, shifted, as BGR
    # 0..255 floats: what the tracker feeds the network.
    frame = cv2.imread(str(sorted((sot_dir / 'Deer' / 'img').glob('*.jpg'))[0]))
    template = cv2.resize(frame[0:160, 270:430], (127, 127))
    search = cv2.resize(frame[0:320, 200:520], (255, 255))
    return tuple(c.transpose(2, 0, 1)[None].astype(np.float32) for c in (template, search))


@pytest.mark.parametrize('name', NAMES)
def test_strict_load_and_contract(nanotrack_dir, name):
    network = load_nanotrack(name, nanotrack_dir / f'nanotrack{_version(name)}.pth')
    assert isinstance(network, TrackerNetwork)
    assert network.spec is SPECS[name] and not network.training
    size = SPECS[name].feat_size
    with torch.no_grad():
        cache = network.forward_template(template=torch.zeros(1, 3, 127, 127))
        outputs = network.forward_search(cache, search=torch.zeros(1, 3, 255, 255))
    assert list(cache) == ['zf'] and cache['zf'].shape[2:] == (8, 8)
    assert tuple(outputs) == SPECS[name].search_outputs
    assert outputs['cls'].shape == (1, 2, size, size)
    assert outputs['loc'].shape == (1, 4, size, size)


def test_unknown_name():
    with pytest.raises(KeyError, match='nanotrack_v2'):
        NanoTrackNetwork('nanotrack_v4')


@pytest.mark.parametrize('name', NAMES)
def test_matches_official_onnx_pair(nanotrack_dir, real_crops, name):
    template, search = real_crops
    network = load_nanotrack(name, nanotrack_dir / f'nanotrack{_version(name)}.pth')
    with torch.no_grad():
        cache = network.forward_template(template=torch.from_numpy(template))
        ours = network.forward_search(cache, search=torch.from_numpy(search))
    backend = NanoTrackOnnxBackend(
        SPECS[name], nanotrack_dir / f'nanotrack{_version(name)}_backbone.onnx',
        nanotrack_dir / f'nanotrack{_version(name)}_head.onnx')
    backend.set_template({'template': template})
    official = backend.search({'search': search})
    # Both are float32; the ONNX graphs have batch norm folded into the convolutions and sum in
    # another order, which moves results by ~1e-5 relative after ~40 layers (measured: 1.4e-5
    # absolute on the logits, 1.2e-5 relative on loc). 1e-3 keeps a 50x margin and is still far
    # below the gaps between neighbouring cells that the tracker ranks.
    np.testing.assert_allclose(ours['cls'].numpy(), official['cls'], rtol=0, atol=1e-3)
    np.testing.assert_allclose(ours['loc'].numpy(), official['loc'], rtol=1e-3, atol=1e-3)
    logits = official['cls'][0]
    assert np.argmax(ours['cls'][0, 1].numpy() - ours['cls'][0, 0].numpy()) == \
        np.argmax(logits[1] - logits[0])


class _Payload:
    """Unpickling this would create ``marker``; a safe reader never does."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, 'w'))


def test_reading_never_runs_checkpoint_code(tmp_path):
    marker = tmp_path / 'ran'
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {'w': torch.ones(2)}, 'extra': _Payload(marker)}, path)
    state = read_state_dict(path)
    assert not marker.exists()
    assert list(state) == ['w'] and torch.equal(state['w'], torch.ones(2))


def test_file_without_state_dict(tmp_path):
    path = tmp_path / 'list.pth'
    torch.save([torch.zeros(1)], path)
    with pytest.raises(CheckpointError, match='state dict'):
        read_state_dict(path)


def test_mismatched_weights_are_refused(nanotrack_dir):
    with pytest.raises(CheckpointError, match='missing'):
        load_nanotrack('nanotrack_v3', nanotrack_dir / 'nanotrackv2.pth')


@pytest.mark.parametrize('name', NAMES)
def test_exports_through_the_project_exporter(nanotrack_dir, tmp_path, name):
    # the named template cache and outputs are all lite-tracker export needs
    network = load_nanotrack(name, nanotrack_dir / f'nanotrack{_version(name)}.pth')
    graphs = export_onnx(network, tmp_path)
    assert (graphs.cache, graphs.search_outputs) == (('zf',), ('cls', 'loc'))
    for output, diff in compare_with_torch(network, graphs, threads=2).items():
        assert diff.relative < 1e-4, output
