# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
CompressTracker-2/4 against the conformance pack: strict load, stages, 60-frame tracks.

Weights are the pack's synthetic checkpoints rebuilt with its ``synth_weights.py`` from the
manifest and the npz seed; expected values are the upstream outputs stored in the pack.
Tolerances are the README's §6 recommendations.
"""

import json

from conformance_tools import read_tsv, RecordingBackend  # the shared test helper module
import numpy as np
import pytest
import torch

from lite_tracker_ros.backends.torch_backend import TorchBackend
from lite_tracker_ros.core.center_decode import decode_center
from lite_tracker_ros.core.center_tracker import CenterHeadTracker
from lite_tracker_ros.core.types import BoxXYWH
from lite_tracker_ros.export.onnx_export import export_onnx
from lite_tracker_ros.networks.compresstracker import (
    CompressTrackerNetwork, detect_compresstracker, student_state_dict)
from lite_tracker_ros.specs.compresstracker import DISTILL_LAYERS, SPECS

MODELS = ('compresstracker_2', 'compresstracker_4')
FRAMES = 60


def _seed(pack) -> int:
    return int(json.loads(str(pack['meta']))['seed'])


def _tensors(state: dict) -> dict:
    return {k: torch.from_numpy(v) for k, v in state.items()}


@pytest.fixture(scope='module', params=MODELS)
def model(request, conformance_dir, conformance_state_dict):
    """(name, pack, state dict as numpy, loaded network, load result), built once per model."""
    name = request.param
    pack = np.load(conformance_dir / f'{name}.npz')
    state = conformance_state_dict(name)
    net = CompressTrackerNetwork(SPECS[name], DISTILL_LAYERS[name]).eval()
    result = net.load_state_dict(_tensors(state), strict=True)
    return name, pack, state, net, result


def test_strict_load_matches_manifest(model):
    _, _, state, net, result = model
    assert not result.missing_keys and not result.unexpected_keys
    assert list(net.state_dict()) == list(state)
    for key, value in net.state_dict().items():
        assert tuple(value.shape) == state[key].shape, key


def test_stages_match_pack(model):
    _, pack, _, net, _ = model
    with torch.no_grad():
        cache = net.forward_template(template=torch.from_numpy(pack['template_in']))
        search = torch.from_numpy(pack['search_in'])
        tokens = net.backbone(cache['template_tokens'], search).numpy()
        out = {k: v.numpy() for k, v in net.forward_search(cache, search=search).items()}
    np.testing.assert_allclose(tokens, pack['backbone_out'], rtol=0, atol=1e-4)
    np.testing.assert_allclose(out['score_map'], pack['score_map'], rtol=0, atol=5e-6)
    np.testing.assert_allclose(out['size_map'], pack['size_map'], rtol=0, atol=5e-6)
    np.testing.assert_allclose(out['offset_map'], pack['offset_map'], rtol=0, atol=2e-5)
    response = pack['hann'] * out['score_map']
    assert int(np.argmax(response)) == int(np.argmax(pack['response']))
    peak = decode_center(out['score_map'], out['size_map'], out['offset_map'], pack['hann'])
    np.testing.assert_allclose(peak.box_cxcywh, pack['box_cxcywh_norm'][0], rtol=0, atol=2e-6)
    no_hann = decode_center(out['score_map'], out['size_map'], out['offset_map'],
                            np.ones_like(pack['hann']))
    np.testing.assert_allclose(no_hann.box_cxcywh, pack['pred_boxes_nohann'][0, 0], rtol=0,
                               atol=2e-6)


@pytest.mark.parametrize('name, keys, floats', [
    ('compresstracker_2', 122, 21_642_693), ('compresstracker_3', 134, 28.73e6),
    ('compresstracker_4', 146, 35_818_437), ('compresstracker_6', 170, 49.99e6)])
def test_every_variant_has_the_reference_layout_size(name, keys, floats):
    """Key and value counts of the reference test models (pack README §3, notes §4.5)."""
    state = CompressTrackerNetwork(SPECS[name], DISTILL_LAYERS[name]).state_dict()
    assert len(state) == keys
    total = sum(v.numel() for v in state.values() if v.dtype == torch.float32)
    assert total == pytest.approx(floats, abs=5e3)


def test_train_checkpoint_filtered_loads_strictly(conformance_dir, synth_weights,
                                                  conformance_state_dict):
    """The teacher-carrying training layout, filtered, is exactly the test checkpoint."""
    name = 'compresstracker_4'
    seed = _seed(np.load(conformance_dir / f'{name}.npz'))
    train = synth_weights.make_state_dict(
        synth_weights.read_manifest(conformance_dir / f'{name}.train_manifest.tsv'), seed)
    test = conformance_state_dict(name)
    assert len(train) == 532
    student = student_state_dict(train)
    assert list(student) == list(test)
    for key in test:
        np.testing.assert_array_equal(student[key], test[key], err_msg=key)

    net = CompressTrackerNetwork(SPECS[name], DISTILL_LAYERS[name]).eval()
    with pytest.raises(RuntimeError, match='Unexpected key'):
        net.load_state_dict(_tensors(train), strict=True)
    net.load_state_dict(_tensors(student), strict=True)
    for key, value in net.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), test[key], err_msg=key)
    # a checkpoint already in the test layout passes through the filter untouched
    assert list(student_state_dict(test)) == list(test)


@pytest.mark.slow
def test_track_60_frames_matches_reference(model, conformance_dir, conformance_frames):
    name, pack, _, net, _ = model
    frames = conformance_frames(FRAMES)
    expected = read_tsv(conformance_dir / f'{name}.track.tsv')
    init = BoxXYWH(*(float(expected[0][k]) for k in 'xywh'))
    backend = RecordingBackend(TorchBackend(net))
    tracker = CenterHeadTracker(SPECS[name], backend)
    tracker.init(frames[0], init)
    for frame in range(1, FRAMES):
        result = tracker.update(frames[frame])
        row = expected[frame]
        response = pack['hann'] * backend.outputs[-1]['score_map']
        assert int(np.argmax(response)) == int(row['argmax_idx']), f'frame {frame}'
        np.testing.assert_allclose(result.box.as_tuple(),
                                   [float(row[k]) for k in 'xywh'], rtol=0, atol=1e-2,
                                   err_msg=f'frame {frame}')
        assert result.track_id == 1


def test_detects_variant_from_keys(conformance_dir, synth_weights):
    for name in MODELS:
        rows = synth_weights.read_manifest(conformance_dir / f'{name}.manifest.tsv')
        keys = [row[0] for row in rows]
        assert detect_compresstracker(keys) == name
    train = synth_weights.read_manifest(conformance_dir / 'compresstracker_4.train_manifest.tsv')
    assert detect_compresstracker(row[0] for row in train) == 'compresstracker_4'
    for other in ('fartrack', 'mvt', 'litetrack_b4'):
        rows = synth_weights.read_manifest(conformance_dir / f'{other}.manifest.tsv')
        keys = [row[0] for row in rows]
        assert detect_compresstracker(keys) is None


def test_onnx_export_matches_pack(model, tmp_path):
    """The package's export (both graphs) through ONNX Runtime, on the pack's inputs."""
    onnxruntime = pytest.importorskip('onnxruntime', reason='onnxruntime not installed')
    _, pack, _, net, _ = model
    graphs = export_onnx(net, tmp_path)
    template, search = (onnxruntime.InferenceSession(str(path),
                                                     providers=['CPUExecutionProvider'])
                        for path in (graphs.template, graphs.search))
    cached = dict(zip(graphs.template_outputs,
                      template.run(None, {'template': pack['template_in']})))
    feeds = {name: cached[name] for name in graphs.cache}
    feeds['search'] = pack['search_in']
    out = dict(zip(graphs.search_outputs, search.run(None, feeds)))
    np.testing.assert_allclose(out['score_map'], pack['score_map'], rtol=0, atol=5e-6)
    np.testing.assert_allclose(out['size_map'], pack['size_map'], rtol=0, atol=5e-6)
    np.testing.assert_allclose(out['offset_map'], pack['offset_map'], rtol=0, atol=2e-5)
