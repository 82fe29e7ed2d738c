# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
FARTrack (sparse) against the conformance pack: load rules, frame-1/2 stages, 60-frame track.

Weights are the pack's synthetic checkpoint rebuilt with its ``synth_weights.py`` from the
manifest and the npz seed; expected values are the upstream outputs stored in the pack
(README §3, §4.10-11, §8). Tolerances are the README's §6 recommendations.
"""

from conformance_tools import read_tsv, RecordingBackend  # the shared test helper module
from hypothesis import given, settings, strategies as st
import numpy as np
import pytest
import torch

from lite_tracker_ros.backends.torch_backend import TorchBackend
from lite_tracker_ros.core.fartrack_tracker import FARTrackTracker
from lite_tracker_ros.core.token_decode import bin_values, decode_tokens
from lite_tracker_ros.core.types import BoxXYWH
from lite_tracker_ros.export.onnx_export import export_onnx
from lite_tracker_ros.networks.fartrack import (
    detect_fartrack, FARTrackNetwork, MaskedLayerNorm, prune_mask)
from lite_tracker_ros.networks.safe_unpickle import CheckpointError
from lite_tracker_ros.specs.fartrack import PARAMS, SPECS

FRAMES = 60
RATIOS = (25, 50, 75, 90)


@pytest.fixture(scope='module')
def pack(conformance_dir):
    return np.load(conformance_dir / 'fartrack.npz')


@pytest.fixture(scope='module')
def state(conformance_state_dict):
    return conformance_state_dict('fartrack')


def _tensors(state: dict) -> dict:
    return {k: torch.from_numpy(v) for k, v in state.items()}


@pytest.fixture(scope='module')
def net(state):
    network = FARTrackNetwork(SPECS['fartrack'], PARAMS).eval()
    result = network.load_state_dict(_tensors(state), strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    return network


def _run(net, templates: list, slots, mask_row: np.ndarray, search: np.ndarray):
    z = np.stack([templates[i][0] for i in slots])[None]
    mask = mask_row[:net.n_z].astype(np.float32)[None]
    with torch.no_grad():
        cache = net.forward_template(templates=torch.from_numpy(z),
                                     template_mask=torch.from_numpy(mask))
        out = net.forward_search(cache, search=torch.from_numpy(search))
        _, scores = net.forward_features(cache, torch.from_numpy(search))
    return {k: v.numpy() for k, v in out.items()}, scores


def test_state_dict_layout(net, state):
    assert list(net.state_dict()) == list(state)
    for key, value in net.state_dict().items():
        assert tuple(value.shape) == state[key].shape, key


def test_command_rows_renormed_at_load(net, state, pack):
    np.testing.assert_array_equal(state['backbone.word_embeddings.weight'][600:604],
                                  pack['word_embeddings_600_603_before'])
    rows = net.backbone.word_embeddings.weight.detach().numpy()
    np.testing.assert_allclose(rows[600:604], pack['word_embeddings_600_603_after'],
                               rtol=0, atol=1e-6)
    # only the command rows are renormalised; the rest of the tied table is as loaded
    np.testing.assert_array_equal(rows[:600], state['backbone.word_embeddings.weight'][:600])
    np.testing.assert_array_equal(rows[604:], state['backbone.word_embeddings.weight'][604:])


def test_pos_embed_z_aliases_resolve_to_z1(state, pack):
    """If the three aliased tensors ever differ, the reference ends up using pos_embed_z1."""
    other = dict(state)
    wrong = np.zeros_like(state['backbone.pos_embed_z1'])
    other['backbone.pos_embed_z'] = wrong
    other['backbone.pos_embed_z0'] = wrong + 1.0
    network = FARTrackNetwork(SPECS['fartrack'], PARAMS).eval()
    network.load_state_dict(_tensors(other), strict=True)
    out, _ = _run(network, [pack['template_in']], [0] * 5, pack['mask_in_row'],
                  pack['search_in'])
    np.testing.assert_allclose(out['logits'], pack['logits'].transpose(1, 0, 2), rtol=0,
                               atol=5e-5)


def _check_frame(out, scores, pack, prefix: str):
    np.testing.assert_allclose(out['logits'], pack[f'{prefix}logits'].transpose(1, 0, 2),
                               rtol=0, atol=5e-5)
    np.testing.assert_allclose(out['class_prob'], pack[f'{prefix}class_prob'], rtol=0, atol=5e-6)
    np.testing.assert_array_equal(out['seqs'].astype(np.int64), pack[f'{prefix}seqs'])
    np.testing.assert_array_equal(out['mask'] > 0.5, pack[f'{prefix}mask_out_25'])
    for ratio in RATIOS:
        np.testing.assert_array_equal(prune_mask(scores, int(49 * ratio / 100)).numpy(),
                                      pack[f'{prefix}mask_out_{ratio}'], err_msg=str(ratio))


def test_frame1_stages(net, pack):
    assert pack['mask_in_row'].all()
    out, scores = _run(net, [pack['template_in']], [0] * 5, pack['mask_in_row'],
                       pack['search_in'])
    _check_frame(out, scores, pack, '')


def test_frame2_stages_with_template_update_and_mask_carry(net, pack):
    templates = [pack['template_in'], pack['f2_template_in']]
    out, scores = _run(net, templates, pack['f2_template_idx'], pack['f2_mask_row'],
                       pack['f2_search_in'])
    _check_frame(out, scores, pack, 'f2_')


def test_masknorm_outputs_bias_for_masked_tokens():
    torch.manual_seed(0)
    norm = MaskedLayerNorm(8)
    with torch.no_grad():
        norm.norm.weight.uniform_(0.5, 1.5)
        norm.norm.bias.uniform_(-1.0, 1.0)
    x = torch.randn(1, 6, 8) * 3.0
    keep = torch.tensor([[True, False, True, False, True, True]])
    out = norm(x, keep)
    masked = out[0, ~keep[0]]
    assert torch.equal(masked, norm.norm.bias.expand_as(masked))
    # kept tokens: a LayerNorm with the reference's eps 1e-5 (variance over all channels)
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    ref = (x - mean) / torch.sqrt(var + 1e-5) * norm.norm.weight + norm.norm.bias
    torch.testing.assert_close(out[keep], ref[keep], rtol=0, atol=1e-5)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=49, max_size=49), st.sampled_from([0.25, 0.5, 0.9]))
def test_prune_mask_is_a_stable_ascending_sort(values, ratio):
    scores = np.asarray(values, dtype=np.float32)
    expected = np.ones(49, dtype=bool)
    expected[np.argsort(scores, kind='stable')[:int(49 * ratio)]] = False
    got = prune_mask(torch.from_numpy(scores)[None], int(49 * ratio))[0].numpy()
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize('prefix', ['', 'f2_'])
def test_token_decode_matches_pack(pack, prefix):
    values = bin_values(PARAMS.bins, PARAMS.bin_range)
    np.testing.assert_array_equal(values, pack['soft_bins'])
    box = decode_tokens(pack[f'{prefix}logits'].transpose(1, 0, 2), pack[f'{prefix}seqs'],
                        PARAMS.bins, values)
    np.testing.assert_allclose(box.cxcywh, pack[f'{prefix}box_cxcywh_norm'][0], rtol=0,
                               atol=2e-6)
    if not prefix:
        np.testing.assert_array_equal(box.argmax_xyxy, pack['box_argmax_xyxy'][0])
        np.testing.assert_allclose(box.soft_xyxy, pack['box_soft_xyxy'][0], rtol=0, atol=2e-6)
        np.testing.assert_allclose(box.xyxy, pack['box_xyxy_norm'], rtol=0, atol=2e-6)


@pytest.mark.slow
def test_track_60_frames_matches_reference(net, pack, conformance_dir, conformance_frames):
    frames = conformance_frames(FRAMES)
    expected = read_tsv(conformance_dir / 'fartrack.track.tsv')
    init = BoxXYWH(*(float(expected[0][k]) for k in 'xywh'))
    backend = RecordingBackend(TorchBackend(net))
    tracker = FARTrackTracker(SPECS['fartrack'], backend, PARAMS)
    tracker.init(frames[0], init)
    for frame in range(1, FRAMES):
        result = tracker.update(frames[frame])
        row, i = expected[frame], frame - 1
        assert list(tracker.last_template_indices) == pack['track_template_idx'][i].tolist()
        assert row['template_idx'] == ','.join(map(str, tracker.last_template_indices))
        np.testing.assert_array_equal(backend.templates[-1]['template_mask'][0] > 0.5,
                                      pack['track_mask_cols'][i], err_msg=f'frame {frame}')
        np.testing.assert_array_equal(backend.outputs[-1]['seqs'][0].astype(np.int64),
                                      pack['track_seqs'][i], err_msg=f'frame {frame}')
        np.testing.assert_allclose(result.box.as_tuple(), [float(row[k]) for k in 'xywh'],
                                   rtol=0, atol=1e-2, err_msg=f'frame {frame}')
        assert result.score == pytest.approx(float(row['prob_min']), abs=5e-6)
    # the bounded memory holds fewer templates than the reference's list by the end
    assert tracker.memory.count == FRAMES
    assert len(tracker.memory.stored_indices) < FRAMES


def test_detects_sparse_checkpoints_only(conformance_dir, synth_weights, state):
    assert detect_fartrack(state) == 'fartrack'
    for other in ('compresstracker_4', 'mvt', 'litetrack_b4'):
        rows = synth_weights.read_manifest(conformance_dir / f'{other}.manifest.tsv')
        keys = [row[0] for row in rows]
        assert detect_fartrack(keys) is None
    frame_level = [k for k in state if 'masknorm' not in k]
    with pytest.raises(CheckpointError, match='FARTrackSparse'):
        detect_fartrack(frame_level)


def test_onnx_export_matches_pack_on_frame2(net, pack, tmp_path):
    """The package's export (both graphs) through ONNX Runtime, on the frame-2 inputs."""
    onnxruntime = pytest.importorskip('onnxruntime', reason='onnxruntime not installed')
    slots = pack['f2_template_idx']
    templates = np.stack([(pack['template_in'], pack['f2_template_in'])[i][0] for i in slots])
    graphs = export_onnx(net, tmp_path)
    template, search = (onnxruntime.InferenceSession(str(path),
                                                     providers=['CPUExecutionProvider'])
                        for path in (graphs.template, graphs.search))
    template_feeds = {'templates': templates[None],  # non-trivial mask: frame 2
                      'template_mask': pack['f2_mask_row'][:net.n_z].astype(np.float32)[None]}
    cached = dict(zip(graphs.template_outputs, template.run(None, template_feeds)))
    feeds = {name: cached[name] for name in graphs.cache}
    feeds['search'] = pack['f2_search_in']
    out = dict(zip(graphs.search_outputs, search.run(None, feeds)))
    np.testing.assert_allclose(out['logits'], pack['f2_logits'].transpose(1, 0, 2), rtol=0,
                               atol=5e-5)
    np.testing.assert_array_equal(out['seqs'].astype(np.int64), pack['f2_seqs'])
    np.testing.assert_array_equal(out['mask'] > 0.5, pack['f2_mask_out_25'])
    # the search graph has a batch axis: crops searched in one call against the one template
    # selection give what each gives alone (the long-term mode's tiles)
    crops = [pack['f2_search_in'], pack['search_in']]
    singles = [out, dict(zip(graphs.search_outputs,
                             search.run(None, {**feeds, 'search': crops[1]})))]
    batched = dict(zip(graphs.search_outputs, search.run(
        None, {**feeds, 'search': np.ascontiguousarray(np.concatenate(crops))})))
    for i, single in enumerate(singles):
        for key in ('logits', 'class_prob'):
            np.testing.assert_allclose(batched[key][i:i + 1], single[key], rtol=0, atol=1e-5)
        for key in ('seqs', 'mask'):  # argmax and sort: identical on these inputs
            np.testing.assert_array_equal(batched[key][i:i + 1], single[key])
    assert batched['logits'].shape[0] == len(crops)
