# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
MVT network against the conformance pack: layout, every recorded stage, and a 60-frame track.

Weights are rebuilt from ``mvt.manifest.tsv`` with the pack's own ``synth_weights.py`` and the
npz seed; every expected value comes from the pack (numbers the upstream code produced).
Tolerances are the recommended ones of the pack README section 6.
"""

import csv
import dataclasses
import hashlib

from conformance_tools import read_tsv, RecordingBackend  # the shared test helper module
import numpy as np
import pytest
import torch

from lite_tracker_ros.backends.torch_backend import TorchBackend
from lite_tracker_ros.core.center_tracker import CenterHeadTracker
from lite_tracker_ros.core.types import BoxXYWH, Frame, TrackState
from lite_tracker_ros.networks.mvt import MVTNetwork
from lite_tracker_ros.specs.mvt import SPECS

MODEL = 'mvt'
STEM_ATOL = 5e-5
STAGE_ATOL = {
    'backbone_x': 5e-5, 'backbone_z': 5e-5, 'neck_x': 5e-5, 'neck_z': 5e-5, 'fused': 5e-5,
    'score_map': 5e-6, 'size_map': 5e-6, 'offset_map': 2e-5,
}
BOX_ATOL = 2e-6
TRACK_PX_ATOL = 1e-2
FEAT = 16


@pytest.fixture(scope='module')
def pack(conformance_dir):
    npz = np.load(conformance_dir / f'{MODEL}.npz')
    return {key: npz[key] for key in npz.files}


@pytest.fixture(scope='module')
def manifest(conformance_dir, synth_weights):
    return synth_weights.read_manifest(conformance_dir / f'{MODEL}.manifest.tsv')


@pytest.fixture(scope='module')
def state_dict(conformance_state_dict):
    return conformance_state_dict(MODEL)


@pytest.fixture(scope='module')
def network(state_dict):
    net = MVTNetwork(SPECS[MODEL]).eval()
    net.load_state_dict({k: torch.from_numpy(v) for k, v in state_dict.items()}, strict=True)
    return net


def _hann_window():
    # Float32 evaluation as in the pack README 4.7 (float64 then cast differs in the last bit).
    k = np.arange(1, FEAT + 1, dtype=np.float32)
    h = np.float32(0.5) * (np.float32(1) - np.cos(np.float32(2 * np.pi / (FEAT + 1)) * k))
    return np.outer(h, h).astype(np.float32)


def _decode(score_map, size_map, offset_map):
    """Centre-head decode (pack README 4.8): flat argmax and normalised cx, cy, w, h."""
    idx = int(np.argmax(score_map.reshape(-1)))
    iy, ix = divmod(idx, FEAT)
    cx = (np.float32(ix) + offset_map[0, 0, iy, ix]) / np.float32(FEAT)
    cy = (np.float32(iy) + offset_map[0, 1, iy, ix]) / np.float32(FEAT)
    box = np.array([cx, cy, size_map[0, 0, iy, ix], size_map[0, 1, iy, ix]], np.float32)
    return idx, box


def test_synthetic_weights_match_pack_checksum(conformance_dir, manifest, state_dict):
    # Guards the generator import: a different build of the weights would make every other
    # comparison meaningless.
    with open(conformance_dir / 'weights_sha256.tsv') as f:
        rows = [r for r in csv.reader(f, delimiter='\t') if r and not r[0].startswith('#')]
    row = next(r for r in rows if r[1] == f'{MODEL}.manifest.tsv')
    digest = hashlib.sha256()
    for name, *_ in manifest:
        tensor = state_dict[name]
        digest.update(np.ascontiguousarray(tensor, tensor.dtype.newbyteorder('<')).tobytes())
    assert digest.hexdigest() == row[4]


def test_state_dict_layout_equals_manifest(manifest):
    net_state = MVTNetwork(SPECS[MODEL]).state_dict()
    assert list(net_state) == [row[0] for row in manifest]
    for name, shape, dtype, *_ in manifest:
        assert tuple(net_state[name].shape) == shape, name
        assert str(net_state[name].dtype) == f'torch.{dtype}', name


def test_strict_load_rejects_a_missing_key(state_dict):
    partial = {k: torch.from_numpy(v) for k, v in state_dict.items()
               if k != 'feature_fusor.adj_layer.bias'}
    with pytest.raises(RuntimeError, match='feature_fusor.adj_layer.bias'):
        MVTNetwork(SPECS[MODEL]).load_state_dict(partial, strict=True)


def test_rejects_crop_sizes_the_patches_cannot_tile():
    spec = SPECS[MODEL]
    bad = dataclasses.replace(spec, search=dataclasses.replace(spec.search, size=240))
    with pytest.raises(ValueError, match='multiples of 32'):
        MVTNetwork(bad)


def test_template_stem(network, pack):
    with torch.no_grad():
        cache = network.forward_template(template=torch.from_numpy(pack['template_in']))
    assert list(cache) == ['template_stem']
    assert list(SPECS[MODEL].search_inputs) == ['template_stem', 'search']
    np.testing.assert_allclose(cache['template_stem'].numpy(), pack['template_stem'],
                               rtol=0, atol=STEM_ATOL)


@pytest.fixture(scope='module')
def stages(network, pack):
    with torch.no_grad():
        out = network.search_stages(torch.from_numpy(pack['template_stem']),
                                    torch.from_numpy(pack['search_in']))
    return {name: value.numpy() for name, value in out.items()}


@pytest.mark.parametrize('stage', sorted(STAGE_ATOL))
def test_search_stage(stages, pack, stage):
    assert stages[stage].shape == pack[stage].shape
    np.testing.assert_allclose(stages[stage], pack[stage], rtol=0, atol=STAGE_ATOL[stage])


def test_search_path_from_own_template_cache(network, pack):
    with torch.no_grad():
        cache = network.forward_template(template=torch.from_numpy(pack['template_in']))
        out = network.forward_search(cache, search=torch.from_numpy(pack['search_in']))
    assert tuple(out) == SPECS[MODEL].search_outputs
    for name, value in out.items():
        np.testing.assert_allclose(value.numpy(), pack[name], rtol=0, atol=STAGE_ATOL[name])


def test_decoded_box_and_argmax(stages, pack):
    np.testing.assert_array_equal(_hann_window(), pack['hann'][0, 0])
    response = _hann_window() * stages['score_map'][0, 0]
    np.testing.assert_allclose(response, pack['response'][0, 0], rtol=0, atol=5e-6)

    idx, box = _decode(response, stages['size_map'], stages['offset_map'])
    ref_idx, _ = _decode(pack['response'][0, 0], pack['size_map'], pack['offset_map'])
    assert idx == ref_idx
    np.testing.assert_allclose(box, pack['box_cxcywh_norm'][0], rtol=0, atol=BOX_ATOL)

    _, box_nohann = _decode(stages['score_map'][0, 0], stages['size_map'], stages['offset_map'])
    np.testing.assert_allclose(box_nohann, pack['pred_boxes_nohann'][0, 0], rtol=0,
                               atol=BOX_ATOL)


@pytest.mark.slow
def test_track_60_frames_through_the_shared_loop(network, conformance_dir, conformance_frames):
    reference = read_tsv(conformance_dir / f'{MODEL}.track.tsv')
    frames = conformance_frames(len(reference))
    backend = RecordingBackend(TorchBackend(network))
    tracker = CenterHeadTracker(SPECS[MODEL], backend)
    init = reference[0]
    tracker.init(Frame(frames[0]), BoxXYWH(*(float(init[k]) for k in 'xywh')))

    hann = _hann_window()
    worst_px = 0.0
    for ref, frame in zip(reference[1:], frames[1:]):
        result = tracker.update(Frame(frame))
        assert result.state is not TrackState.IDLE
        argmax = int(np.argmax(hann * backend.last['score_map'][0, 0]))
        assert argmax == int(ref['argmax_idx']), f'frame {ref["frame"]}'
        assert result.score == pytest.approx(float(ref['resp_max']), abs=5e-6)
        err = np.abs(np.array(result.box.as_tuple()) - [float(ref[k]) for k in 'xywh']).max()
        assert err <= TRACK_PX_ATOL, f'frame {ref["frame"]}: {err:.2e} px'
        worst_px = max(worst_px, err)
    assert len(reference) == 60
    print(f'mvt 59-frame track: max box deviation {worst_px:.2e} px')
