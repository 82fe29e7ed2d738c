# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
LiteTrack B4 and B9 against the conformance pack: layout, every recorded stage, a 60-frame track.

Weights are rebuilt from ``<model>.manifest.tsv`` with the pack's own ``synth_weights.py`` and
the npz seed (the shared conftest fixtures), and checked against the pack's sha256. Every
expected value comes from the pack (numbers the upstream code produced); tolerances are the
recommended ones of its README §6.
"""

import hashlib

from conformance_tools import read_tsv, RecordingBackend  # the shared test helper module
import numpy as np
import pytest
import torch

from lite_tracker_ros.backends.torch_backend import TorchBackend
from lite_tracker_ros.core.center_decode import decode_center, hann_window
from lite_tracker_ros.core.center_tracker import CenterHeadTracker, template_box_input
from lite_tracker_ros.core.crop import sample_target
from lite_tracker_ros.core.normalize import normalize
from lite_tracker_ros.core.types import BoxXYWH, ChannelOrder, Frame, TrackState
from lite_tracker_ros.factory import load_network
from lite_tracker_ros.specs.litetrack import SPECS

MODELS = ['litetrack_b4', 'litetrack_b9']
STAGE_ATOL = {'target_token': 1e-6, 'zf': 1e-4, 'search_tokens': 1e-4, 'score_map': 5e-6,
              'size_map': 5e-6, 'response': 5e-6, 'offset_map': 2e-5}
BOX_ATOL = 2e-6
TRACK_PX_ATOL = 1e-2
SCORE_ATOL = 5e-6


def _sha256_of_state(state):
    digest = hashlib.sha256()
    for value in state.values():
        digest.update(np.ascontiguousarray(value).astype(value.dtype.newbyteorder('<')).tobytes())
    return digest.hexdigest()


@pytest.fixture(scope='module', params=MODELS)
def case(request, conformance_dir, synth_weights, conformance_state_dict):
    """(model name, npz contents, strictly loaded network), built once per model."""
    # one thread: as the pack was made, and far less slowed down on a busy 2-core machine
    torch.set_num_threads(1)
    name = request.param
    npz = np.load(conformance_dir / f'{name}.npz')
    pack = {key: npz[key] for key in npz.files}
    manifest = synth_weights.read_manifest(conformance_dir / f'{name}.manifest.tsv')
    state = conformance_state_dict(name)
    sums = {row['manifest']: row['sha256']
            for row in read_tsv(conformance_dir / 'weights_sha256.tsv')}
    assert _sha256_of_state(state) == sums[f'{name}.manifest.tsv'], 'weights rebuilt wrongly'
    network = load_network(name, {k: torch.from_numpy(v) for k, v in state.items()})
    assert list(network.state_dict()) == [row[0] for row in manifest]
    for key, value in network.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), state[key], err_msg=key)
    return name, pack, network


def _close(actual, expected, atol, what):
    actual = np.asarray(actual)
    assert actual.shape == expected.shape, what
    diff = float(np.abs(actual - expected).max())
    assert diff <= atol, f'{what}: max |diff| {diff:.2e} > {atol:.0e}'
    return diff


def test_state_dict_layout_is_the_official_one(case):
    name, _, network = case
    # LiteTrack has no final norm: an OSTrack-style backbone.norm would be another model
    assert not any(k.startswith('backbone.norm.') for k in network.state_dict())
    depth = 1 + max(int(k.split('.')[2]) for k in network.state_dict()
                    if k.startswith('backbone.blocks.'))
    assert f'litetrack_b{depth}' == name


def test_preprocessing_stages_exact(case):
    _, pack, _ = case
    spec = SPECS[case[0]]
    np.testing.assert_array_equal(normalize(pack['template_rgb_u8'], spec.mean, spec.std),
                                  pack['template_in'])
    np.testing.assert_array_equal(normalize(pack['search_rgb_u8'], spec.mean, spec.std),
                                  pack['search_in'])
    box = BoxXYWH(*pack['init_box_xywh'].tolist())
    np.testing.assert_array_equal(
        template_box_input(box, float(pack['template_resize_factor']), 128), pack['template_bb'])
    np.testing.assert_array_equal(hann_window(16), pack['hann'][0, 0])


def test_network_stages_match(case):
    name, pack, network = case
    template = torch.from_numpy(pack['template_in'])
    template_bb = torch.from_numpy(pack['template_bb'])
    search = torch.from_numpy(pack['search_in'])
    diffs = {}
    with torch.inference_mode():
        diffs['target_token'] = _close(network.target_token_embed(template_bb),
                                       pack['target_token'], STAGE_ATOL['target_token'],
                                       'target_token')
        cache = network.forward_template(template, template_bb)
        diffs['zf'] = _close(cache['template_tokens'], pack['zf'], STAGE_ATOL['zf'], 'zf')
        tokens = network.search_features(cache, search)
        diffs['search_tokens'] = _close(tokens, pack['search_tokens'],
                                        STAGE_ATOL['search_tokens'], 'search_tokens')
        out = {k: v.numpy() for k, v in network.forward_search(cache, search).items()}
    for key in ('score_map', 'size_map', 'offset_map'):
        diffs[key] = _close(out[key], pack[key], STAGE_ATOL[key], key)
    window = hann_window(16)
    diffs['response'] = _close(window * out['score_map'][0, 0], pack['response'][0, 0],
                               STAGE_ATOL['response'], 'response')
    peak = decode_center(out['score_map'], out['size_map'], out['offset_map'], window)
    assert peak.index == int(np.argmax(pack['response']))
    diffs['box'] = _close(peak.box_cxcywh, pack['box_cxcywh_norm'][0], BOX_ATOL, 'box')
    nohann = decode_center(out['score_map'], out['size_map'], out['offset_map'],
                           np.ones_like(window))
    _close(nohann.box_cxcywh, pack['pred_boxes_nohann'][0, 0], BOX_ATOL, 'pred_boxes_nohann')
    print(f'{name} stage max |diff|: ' + ', '.join(f'{k} {v:.1e}' for k, v in diffs.items()))


def test_cached_search_path_equals_the_reference_forward(case):
    _, pack, network = case
    template = torch.from_numpy(pack['template_in'])
    template_bb = torch.from_numpy(pack['template_bb'])
    search = torch.from_numpy(pack['search_in'])
    with torch.inference_mode():
        cached = network.forward_search(network.forward_template(template, template_bb), search)
        reference = network.reference_forward(template, template_bb, search)
        # negative control: another template must change the output
        other = network.forward_search(network.forward_template(template.flip(-1), template_bb),
                                       search)
    for key in ('score_map', 'size_map', 'offset_map'):
        _close(cached[key], reference[key].numpy(), 1e-5, key)
        _close(reference[key], pack[key], STAGE_ATOL[key], f'reference {key}')
    assert float((other['score_map'] - cached['score_map']).abs().max()) > 1e-3


def test_crops_from_the_frames_exact(case, conformance_dir, conformance_frames):
    _, pack, _ = case
    first, second = conformance_frames(2)
    box = BoxXYWH(*pack['init_box_xywh'].tolist())
    # BGR views of the RGB frames: the crop must convert only its window, from a strided view
    template = sample_target(Frame(first[:, :, ::-1], ChannelOrder.BGR), box, 2.0, 128)
    search = sample_target(Frame(second[:, :, ::-1], ChannelOrder.BGR), box, 4.0, 256)
    np.testing.assert_array_equal(template.pixels, pack['template_rgb_u8'])
    np.testing.assert_array_equal(search.pixels, pack['search_rgb_u8'])
    assert template.resize_factor == float(pack['template_resize_factor'])
    assert search.resize_factor == float(pack['search_resize_factor'])


@pytest.mark.slow
def test_track_60_frames(case, conformance_dir, conformance_frames):
    name, _, network = case
    reference = read_tsv(conformance_dir / f'{name}.track.tsv')
    assert len(reference) == 60
    frames = conformance_frames(len(reference))
    backend = RecordingBackend(TorchBackend(network))
    tracker = CenterHeadTracker(SPECS[name], backend)
    tracker.init(Frame(frames[0][:, :, ::-1], ChannelOrder.BGR),
                 BoxXYWH(*(float(reference[0][k]) for k in 'xywh')))
    window = hann_window(16)
    worst = 0.0
    for ref, frame in zip(reference[1:], frames[1:]):
        result = tracker.update(Frame(frame[:, :, ::-1], ChannelOrder.BGR))
        assert result.state is TrackState.TRACKING and result.track_id == 1
        argmax = int(np.argmax(window * backend.last['score_map'][0, 0]))
        assert argmax == int(ref['argmax_idx']), f'frame {ref["frame"]}: argmax'
        assert abs(result.score - float(ref['resp_max'])) <= SCORE_ATOL, f'frame {ref["frame"]}'
        err = float(np.abs(np.array(result.box.as_tuple())
                           - [float(ref[k]) for k in 'xywh']).max())
        assert err <= TRACK_PX_ATOL, f'frame {ref["frame"]}: {err:.2e} px'
        worst = max(worst, err)
    print(f'{name} 59-frame track: max box deviation {worst:.2e} px')
