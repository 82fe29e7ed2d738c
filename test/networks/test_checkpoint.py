# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Safe checkpoint loading: wrapper formats, strict key reports, variant detection, refusals.

Checkpoints are written here with ``torch.save`` (the format of the official files); the
malicious ones carry payloads that would create a marker file if anything ran them.
"""

from collections import OrderedDict
import os
import pickle
import zipfile

import pytest
import torch

from lite_tracker_ros.networks.checkpoint import (check_keys, CheckpointError,
                                                  convert_to_safetensors, detect_variant,
                                                  load_into, load_state_dict)
from lite_tracker_ros.networks.litetrack import LiteTrackNetwork
from lite_tracker_ros.networks.safe_unpickle import InertGlobal, read_torch_zip
from lite_tracker_ros.specs.litetrack import SPECS


class Settings:
    """Like the trainer's settings object, but restoring it leaves a trace."""

    marker = None

    def __init__(self):
        self.lr = 1e-4
        self.env = {'workspace': '/data'}

    def __setstate__(self, state):
        with open(Settings.marker, 'w') as f:
            f.write('Settings.__setstate__ ran')


class SystemPayload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f'touch {self.marker}',))


class OpenPayload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), 'w'))


def _small_state():
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    return OrderedDict([
        ('w', base),
        ('view', base[1:3, 2:5]),          # offset, non-contiguous view of the same storage
        ('transposed', base.t()),
        ('half', torch.linspace(-1, 1, 5, dtype=torch.float16)),
        ('count', torch.tensor(7)),        # int64 scalar, like num_batches_tracked
        ('mask', torch.tensor([True, False, True])),
        ('param', torch.nn.Parameter(torch.ones(3))),
    ])


def _assert_same(loaded, expected, ordered=True):
    assert (list(loaded) if ordered else sorted(loaded)) == (
        list(expected) if ordered else sorted(expected))
    for key, value in expected.items():
        assert loaded[key].dtype == value.dtype, key
        assert torch.equal(loaded[key], value.detach()), key


@pytest.fixture
def marker(tmp_path):
    path = tmp_path / 'payload_ran'
    Settings.marker = str(path)
    yield path
    Settings.marker = None


def test_net_wrapper_with_trainer_objects_runs_nothing(tmp_path, marker):
    path = tmp_path / 'LiteTrack_ep0300.pth.tar'
    torch.save({'epoch': 300, 'net_type': 'LiteTrack', 'net': _small_state(),
                'settings': Settings(), 'optimizer': {'state': {}, 'param_groups': [{'lr': 1}]}},
               path)
    _assert_same(load_state_dict(path), _small_state())
    assert not marker.exists()
    raw = read_torch_zip(str(path))
    assert isinstance(raw['settings'], InertGlobal)
    assert raw['settings'].qualname.endswith('Settings')
    assert raw['settings'].state == {'lr': 1e-4, 'env': {'workspace': '/data'}}
    assert raw['epoch'] == 300 and not marker.exists()


def test_bare_state_dict_of_a_module(tmp_path):
    module = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4))
    path = tmp_path / 'bare.pth'
    torch.save(module.state_dict(), path)
    _assert_same(load_state_dict(path), module.state_dict())


def test_os_system_payload_runs_nothing(tmp_path, marker):
    path = tmp_path / 'evil.pth.tar'
    torch.save({'net': _small_state(), 'hook': SystemPayload(marker)}, path)
    _assert_same(load_state_dict(path), _small_state())
    raw = read_torch_zip(str(path))
    assert raw['hook'].qualname.endswith('.system')
    assert raw['hook'].args == (f'touch {marker}',)
    assert not marker.exists()


def test_payload_is_live_but_not_run_by_the_safe_reader(tmp_path, marker):
    path = tmp_path / 'evil_open.pth.tar'
    torch.save({'epoch': 1, 'hook': OpenPayload(marker)}, path)
    raw = read_torch_zip(str(path))
    assert raw['hook'].qualname.endswith('.open') and not marker.exists()
    # control: an ordinary unpickler on the same data.pkl does run the payload (open() creates
    # the marker), so the check above can fail
    with zipfile.ZipFile(path) as archive:
        data = archive.read(next(n for n in archive.namelist() if n.endswith('data.pkl')))
    handle = pickle.loads(data)['hook']
    handle.close()
    assert marker.exists()


def test_whole_file_a_payload_is_refused(tmp_path, marker):
    path = tmp_path / 'evil_top.pth'
    torch.save(SystemPayload(marker), path)
    with pytest.raises(CheckpointError, match='not a state dict') as error:
        load_state_dict(path)
    assert '\n' not in str(error.value) and not marker.exists()


def _one_line_error(path, match):
    with pytest.raises(CheckpointError, match=match) as error:
        load_state_dict(path)
    assert '\n' not in str(error.value)


def test_refusals_are_one_line(tmp_path):
    legacy = tmp_path / 'legacy.pth'
    torch.save(_small_state(), legacy, _use_new_zipfile_serialization=False)
    _one_line_error(legacy, 'legacy')
    junk = tmp_path / 'junk.bin'
    junk.write_bytes(b'\x00\x01 not a checkpoint at all' * 10)
    _one_line_error(junk, 'not a torch zip checkpoint or a safetensors file')
    empty = tmp_path / 'empty.pth'
    empty.write_bytes(b'')
    _one_line_error(empty, 'not a torch zip checkpoint')
    other_zip = tmp_path / 'other.zip'
    with zipfile.ZipFile(other_zip, 'w') as archive:
        archive.writestr('readme.txt', 'hello')
    _one_line_error(other_zip, 'data.pkl')
    _one_line_error(tmp_path / 'missing.pth', 'no such file')
    not_tensors = tmp_path / 'not_tensors.pth'
    torch.save({'epoch': 3, 'w': torch.zeros(2)}, not_tensors)
    _one_line_error(not_tensors, 'not named tensors')


def test_truncated_archive_is_refused(tmp_path):
    path = tmp_path / 'cut.pth'
    torch.save({'net': _small_state()}, path)
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(CheckpointError):
        load_state_dict(path)


def test_safetensors_round_trip_and_key_filter(tmp_path):
    src = tmp_path / 'ckpt.pth.tar'
    torch.save({'net': _small_state(), 'settings': Settings()}, src)
    dst = convert_to_safetensors(src, tmp_path / 'ckpt.safetensors')
    # safetensors keeps its own (sorted) order; state dict order matters to no loader
    _assert_same(load_state_dict(dst), _small_state(), ordered=False)
    only_w = convert_to_safetensors(src, tmp_path / 'w.safetensors',
                                    key_filter=lambda sd: {'w': sd['w']})
    assert list(load_state_dict(only_w)) == ['w']


@pytest.fixture(scope='module')
def meta_keys():
    """{variant: {key: shape}} of the networks, built without allocating weights."""
    with torch.device('meta'):
        return {name: {k: v.shape for k, v in LiteTrackNetwork(spec).state_dict().items()}
                for name, spec in SPECS.items()}


def test_detect_variant_from_our_keys(meta_keys):
    for name, keys in meta_keys.items():
        assert detect_variant(keys) == name


@pytest.mark.parametrize('model', ['litetrack_b4', 'litetrack_b9'])
def test_detect_variant_from_the_official_manifests(conformance_dir, model):
    lines = (conformance_dir / f'{model}.manifest.tsv').read_text().splitlines()
    keys = [line.split('\t')[0] for line in lines if line and not line.startswith('#')][1:]
    assert detect_variant(keys) == model


def test_detect_variant_refusals(meta_keys):
    keys = dict(meta_keys['litetrack_b4'])
    with pytest.raises(CheckpointError, match='backbone.norm'):
        detect_variant(list(keys) + ['backbone.norm.weight', 'backbone.norm.bias'])
    five = list(keys) + [k.replace('blocks.3.', 'blocks.4.') for k in keys if '.blocks.3.' in k]
    with pytest.raises(CheckpointError, match='5 blocks'):
        detect_variant(five)
    with pytest.raises(CheckpointError, match='pass the model name'):
        detect_variant(['backbone.conv_1.block.conv.weight', 'box_head.conv1_ctr.0.weight'])


def test_strict_report_lists_what_differs(meta_keys):
    expected = meta_keys['litetrack_b4']
    found = {k: torch.empty(v, device='meta') for k, v in expected.items()}
    del found['box_head.conv5_ctr.bias']
    found['backbone.norm.weight'] = torch.empty(768, device='meta')
    found['backbone.pos_embed_x'] = torch.empty(1, 100, 768, device='meta')
    report = check_keys(expected, found)
    assert not report.ok
    assert report.missing == ('box_head.conv5_ctr.bias',)
    assert report.unexpected == ('backbone.norm.weight',)
    assert report.mismatched == (('backbone.pos_embed_x', (1, 256, 768), (1, 100, 768)),)
    text = report.describe()
    assert text.splitlines()[0].startswith('1 missing, 1 unexpected, 1 with another shape')
    assert 'no final norm' in text.splitlines()[0]
    assert 'box_head.conv5_ctr.bias' in text and 'model [1, 256, 768], file [1, 100, 768]' in text
    assert check_keys(expected, {k: torch.empty(v, device='meta')
                                 for k, v in expected.items()}).ok


def test_wrong_depth_hint(meta_keys):
    found = {k: torch.empty(v, device='meta') for k, v in meta_keys['litetrack_b9'].items()}
    report = check_keys(meta_keys['litetrack_b4'], found)
    assert 'backbone.blocks has 9 blocks in the file and 4 in the model' in report.summary()


def test_extra_training_entries_hint(meta_keys):
    expected = meta_keys['litetrack_b4']
    found = {k: torch.empty(v, device='meta') for k, v in expected.items()}
    found['ori_backbone.blocks.0.attn.qkv.weight'] = torch.empty(2304, 768, device='meta')
    assert 'key filter' in check_keys(expected, found).summary()


@pytest.mark.slow
def test_load_into_round_trip_and_strict_failure(tmp_path):
    torch.manual_seed(0)
    source = LiteTrackNetwork(SPECS['litetrack_b4'])
    path = tmp_path / 'b4.pth.tar'
    torch.save({'net': source.state_dict(), 'settings': Settings()}, path)
    target = LiteTrackNetwork(SPECS['litetrack_b4'])
    load_into(target, path)
    for key, value in source.state_dict().items():
        assert torch.equal(target.state_dict()[key], value), key
    broken = dict(source.state_dict())
    broken['backbone.norm.weight'] = torch.ones(768)
    with pytest.raises(CheckpointError, match='no final norm'):
        load_into(target, broken)
