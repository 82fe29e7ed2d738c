# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Damaged and hostile checkpoints against the loader.

Each is refused with one line naming the file, quickly, within bounded memory, and changes
nothing in the loader.

The files are built here (``hostile_checkpoints``). Cases that exhausted memory or hung the old
loader run in a child process with a capped address space and a timeout.
"""

import struct
import zipfile

from hostile_checkpoints import (data_offset, load_in_child, patch_central, record_pickle, rewrite,
                                 save_tiny, StorageRef, TensorRecord, tiny_network, write_archive)
import pytest
import safetensors.torch
import torch

from lite_tracker_ros.networks import safe_unpickle
from lite_tracker_ros.networks.checkpoint import CheckpointError, load_into, load_state_dict


def refused(path, match, loader=load_state_dict):
    with pytest.raises(CheckpointError, match=match) as error:
        loader(path)
    message = str(error.value)
    assert '\n' not in message and str(path) in message, message
    return message


def tensor_archive(path, size=(4,), storage_numel=4, declared_bytes=None,
                   method=zipfile.ZIP_STORED):
    """{'net': {'w': tensor}} with the storage's recorded size and stored bytes chosen apart."""
    data = bytes(4 * storage_numel if declared_bytes is None else declared_bytes)
    pkl = record_pickle({'net': {'w': TensorRecord(StorageRef('0', storage_numel), size)}})
    return write_archive(path, pkl, {'0': data}, method)


# --- zip-level damage: each used to end in a traceback (BadZipFile, NotImplementedError, ...)

def test_bit_rot_is_a_crc_error(tmp_path):
    path = save_tiny(tmp_path / 'rot.pth')
    blob = bytearray(path.read_bytes())
    blob[data_offset(path, 'data/0') + 5] ^= 0x10  # one bit of the first storage
    path.write_bytes(bytes(blob))
    refused(path, 'CRC')


def test_unknown_compression_is_named(tmp_path):
    path = patch_central(save_tiny(tmp_path / 'method.pth'), 'data/0', method=99)
    refused(path, 'compression method 99')


def test_encrypted_entry_is_named(tmp_path):
    path = patch_central(save_tiny(tmp_path / 'encrypted.pth'), 'data/0', flags=1)
    refused(path, 'encrypted')


def test_directory_claiming_more_than_the_file_is_refused_before_reading(tmp_path):
    path = tensor_archive(tmp_path / 'claim.pth', size=(10_000,), storage_numel=10_000,
                          declared_bytes=4000)
    patch_central(path, 'data/0', compress_size=40_000, file_size=40_000)
    refused(path, 'past the end')


def test_entries_sharing_their_bytes_are_refused(tmp_path):
    # eight storages whose directory records all point at the bytes of the first one
    storages = {str(k): bytes(4 * 4096) for k in range(8)}
    pkl = record_pickle({'net': {f'w{k}': TensorRecord(StorageRef(str(k), 4096), (4096,))
                                 for k in range(8)}})
    path = write_archive(tmp_path / 'overlap.pth', pkl, storages)
    with zipfile.ZipFile(path) as archive:
        first = archive.getinfo('archive/data/0').header_offset
    for k in range(1, 8):
        patch_central(path, f'data/{k}', header_offset=first)
    refused(path, 'overlapping|differ')


def test_deflate_beyond_the_ratio_is_refused(tmp_path):
    path = tensor_archive(tmp_path / 'ratio.pth', size=(1 << 20,), storage_numel=1 << 20,
                          method=zipfile.ZIP_DEFLATED)  # 4 MiB of zeros in a few KB
    refused(path, 'more than 16 times')


# --- pickle tricks

def _pickle_with(payload: bytes) -> bytes:
    """{'net': {'w': <1-element tensor>}, 'x': <payload>} as raw protocol-2 opcodes."""
    head = record_pickle({'net': {'w': TensorRecord(StorageRef('0', 1), (1,))}})
    assert head.endswith(b's.')  # SETITEM into the outer dict, STOP
    return head[:-1] + b'X\x01\x00\x00\x00x' + payload + b's.'


def _archive_with(tmp_path, name, payload):
    return write_archive(tmp_path / name, _pickle_with(payload), {'0': bytes(4)})


def test_deep_nesting_is_refused_without_recursion_error(tmp_path):
    nested = b']' * 5000 + b'a' * 4999  # 5000 lists, each appended to the one before
    refused(_archive_with(tmp_path, 'deep.pth', nested), 'nested more than 100')


def test_build_cannot_rewrite_the_loaders_functions(tmp_path):
    before = safe_unpickle._rebuild_parameter.__defaults__
    state = b'N}X\x0c\x00\x00\x00__defaults__K\x01\x85s\x86'  # (None, {'__defaults__': (1,)})
    trick = b'ctorch._utils\n_rebuild_parameter\n' + state + b'b'
    refused(_archive_with(tmp_path, 'build.pth', trick), 'BUILD applied to a function')
    assert safe_unpickle._rebuild_parameter.__defaults__ == before


def test_build_cannot_swap_a_tensor_records_storage(tmp_path):
    record = record_pickle(TensorRecord(StorageRef('0', 1), (1,)))[2:-1]  # without PROTO/STOP
    trick = record + b'}X\x07\x00\x00\x00storageNsb'  # BUILD {'storage': None}
    refused(_archive_with(tmp_path, 'swap.pth', trick), 'BUILD applied to a _TensorRecipe')


def test_non_string_state_dict_key_is_refused(tmp_path):
    pkl = record_pickle({'net': {(1, 2): TensorRecord(StorageRef('0', 1), (1,))}})
    refused(write_archive(tmp_path / 'key.pth', pkl, {'0': bytes(4)}), 'not named tensors')


def test_view_larger_than_its_storage_is_refused(tmp_path):
    # a stride-0 view of 10^12 elements over one float: every later pass over it would hang
    pkl = record_pickle({'net': {'w': TensorRecord(StorageRef('0', 1), (10**6, 10**6),
                                                   stride=(0, 0))}})
    refused(write_archive(tmp_path / 'view.pth', pkl, {'0': bytes(4)}), 'does not fit')


def test_memory_error_while_reading_is_one_line(tmp_path, monkeypatch):
    from lite_tracker_ros.networks.checkpoint_archive import CheckpointArchive

    def no_memory(*_):
        raise MemoryError()
    monkeypatch.setattr(CheckpointArchive, 'read', no_memory)
    refused(save_tiny(tmp_path / 'oom.pth'), 'MemoryError')


# --- what exhausted memory or hung: in a child with capped memory and a timeout

def test_memory_and_time_bombs_are_refused_within_bounds(tmp_path):
    claim = tensor_archive(tmp_path / 'claim4g.pth', size=(10**9,), storage_numel=10**9,
                           declared_bytes=16)
    patch_central(claim, 'data/0', file_size=4 * 10**9)  # 4 GB declared for a 16-byte entry
    bomb = tmp_path / 'bomb.pth'
    numel = 1 << 28  # 1 GiB of float32 zeros, deflated to about 1 MB
    pkl = record_pickle({'net': {'w': TensorRecord(StorageRef('0', numel), (numel,))}})
    with zipfile.ZipFile(bomb, 'w', compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr('archive/data.pkl', pkl)
        with zf.open('archive/data/0', 'w', force_zip64=True) as out:
            zero = bytes(1 << 20)
            for _ in range(numel * 4 >> 20):
                out.write(zero)
    shared = b'\x80\x02}' + b'N' + b'2\x86' * 80 + b'K\x00s.'  # {(t, t) nested 80 deep: 0}
    tuples = write_archive(tmp_path / 'tuples.pth', shared)
    objects = write_archive(tmp_path / 'objects.pth', b'\x80\x02' + b'}' * 1_100_000 + b'.')
    assert claim.stat().st_size < 1024 and bomb.stat().st_size < 3 << 20
    results, peak = load_in_child([claim, bomb, tuples, objects], limit_mb=384, timeout_s=120)
    print(f'\nbombs: {[(r["path"].rsplit("/", 1)[-1], round(r["seconds"], 4)) for r in results]}'
          f' peak {peak}')  # for docs/benchmarks.md (pytest -s)
    expected = {'claim4g.pth': 'stored but claims', 'bomb.pth': 'more than 16 times',
                'tuples.pth': 'more than 1024 parts', 'objects.pth': 'longer than 1000000'}
    assert len(results) == len(expected)
    for result in results:
        name = result['path'].rsplit('/', 1)[-1]
        assert result['outcome'] == 'error', result
        assert expected[name] in result['message'] and '\n' not in result['message']
        assert result['seconds'] < 10, result  # a hang detector, far above the ~10 ms taken
    assert peak['peak_rss_mb'] - peak['start_rss_mb'] < 384, peak


# --- weights that are not numbers

@pytest.mark.parametrize('bad,kind', [(float('nan'), 'non-finite'), (float('inf'), 'non-finite'),
                                      (3e38, 'absurd')])
@pytest.mark.parametrize('suffix', ['.pth', '.safetensors'])
def test_non_finite_or_absurd_weights_are_named(tmp_path, bad, kind, suffix):
    state = tiny_network().state_dict()
    state['3.weight'][1, 5] = bad
    path = tmp_path / f'bad{suffix}'
    if suffix == '.pth':
        torch.save({'net': state}, path)
    else:
        safetensors.torch.save_file(dict(state), str(path))
    message = refused(path, f"tensor '3.weight' holds {kind}")
    refused(path, "'3.weight'", loader=lambda p: load_into(tiny_network(), p))
    assert 'limit' in message


@pytest.mark.parametrize('suffix', ['.pth', '.safetensors'])
def test_integer_tensor_where_floats_are_expected_is_named(tmp_path, suffix):
    state = tiny_network().state_dict()
    state['0.weight'] = torch.ones_like(state['0.weight'], dtype=torch.int32)
    path = tmp_path / f'int{suffix}'
    if suffix == '.pth':
        torch.save(state, path)
    else:
        safetensors.torch.save_file(dict(state), str(path))
    refused(path, "'0.weight' is torch.int32, the model expects torch.float32",
            loader=lambda p: load_into(tiny_network(), p))


def test_safetensors_header_larger_than_the_file_is_refused(tmp_path):
    # (the safetensors library refused this before as well; the check now comes first)
    path = tmp_path / 'header.safetensors'
    safetensors.torch.save_file({'w': torch.ones(4)}, str(path))
    blob = bytearray(path.read_bytes())
    struct.pack_into('<Q', blob, 0, 4 * 10**9)
    path.write_bytes(bytes(blob))
    refused(path, 'header claims')


def test_the_valid_file_still_loads_strictly(tmp_path):
    network = tiny_network()
    path = save_tiny(tmp_path / 'good.pth')
    target = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4),
                                 torch.nn.Flatten(), torch.nn.Linear(16, 2))
    load_into(target, path)
    for key, value in network.state_dict().items():
        assert torch.equal(target.state_dict()[key], value), key
    deflated = rewrite(path, tmp_path / 'rezipped.pth', lambda name, data: data,
                       zipfile.ZIP_DEFLATED)
    load_into(target, deflated)
