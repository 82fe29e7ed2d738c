# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Builders of damaged and hostile checkpoints, and a child process that loads them under limits.

Everything is built at test time from a small valid network: torch zip archives whose pickle,
storages and zip records can be set by hand. ``python hostile_checkpoints.py --limit-mb N
FILE...`` loads each file into ``tiny_network()`` in a process whose address space is capped
(``RLIMIT_AS``) at N MiB above what it uses after importing torch, and prints one JSON line per
file (outcome, message, seconds) and a last line with the peak RSS.
"""

from __future__ import annotations

from collections import OrderedDict
import io
import json
import os
from pathlib import Path
import pickle
import struct
import sys
import time
import zipfile

import torch

CENTRAL_SIGNATURE = b'PK\x01\x02'
#: field -> (offset in a central directory record, struct format)
CENTRAL_FIELDS = {'flags': (8, '<H'), 'method': (10, '<H'), 'crc': (16, '<I'),
                  'compress_size': (20, '<I'), 'file_size': (24, '<I'),
                  'name_length': (28, '<H'), 'extra_length': (30, '<H'),
                  'header_offset': (42, '<I')}


def tiny_network() -> torch.nn.Module:
    """Conv, batch norm (with an int64 counter) and linear: every kind of entry, in 1 KB."""
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4),
                               torch.nn.Flatten(), torch.nn.Linear(16, 2))


def save_tiny(path: Path) -> Path:
    torch.save({'net': tiny_network().state_dict(), 'epoch': 3}, path)
    return path


class StorageRef:
    """Pickled as torch's persistent storage record ('storage', type, key, 'cpu', numel)."""

    def __init__(self, key: str, numel: int, storage_type: type = torch.FloatStorage):
        self.key, self.numel, self.storage_type = key, numel, storage_type


class TensorRecord:
    """Pickled as torch's tensor record: _rebuild_tensor_v2(storage, offset, size, stride)."""

    def __init__(self, storage: StorageRef, size: tuple, stride: tuple | None = None,
                 offset: int = 0):
        if stride is None:
            stride = tuple(int(torch.tensor(size[i + 1:]).prod()) for i in range(len(size)))
        self.args = (storage, offset, tuple(size), stride, False, OrderedDict())

    def __reduce__(self):
        return (torch._utils._rebuild_tensor_v2, self.args)


class _RecordPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, StorageRef):
            return ('storage', obj.storage_type, obj.key, 'cpu', obj.numel)
        return None


def record_pickle(obj) -> bytes:
    """data.pkl for ``obj``, where StorageRef/TensorRecord stand for torch's records."""
    out = io.BytesIO()
    _RecordPickler(out, protocol=2).dump(obj)
    return out.getvalue()


def write_archive(path: Path, data_pkl: bytes, storages: dict | None = None,
                  method: int = zipfile.ZIP_STORED) -> Path:
    """Write a torch-layout zip: archive/data.pkl, archive/byteorder and archive/data/<key>."""
    with zipfile.ZipFile(path, 'w', compression=method) as archive:
        archive.writestr('archive/data.pkl', data_pkl)
        archive.writestr('archive/byteorder', 'little')
        for key, data in (storages or {}).items():
            archive.writestr(f'archive/data/{key}', data)
    return path


def entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rewrite(path: Path, out: Path, edit, method: int = zipfile.ZIP_STORED) -> Path:
    """Copy a zip with ``edit(name, data) -> data`` applied to each entry; CRCs stay valid."""
    with zipfile.ZipFile(out, 'w', compression=method) as archive:
        for name, data in entries(path).items():
            archive.writestr(name, edit(name, data))
    return out


def central_records(blob: bytes) -> dict[str, int]:
    """{entry name: offset of its central directory record}."""
    found, start = {}, blob.find(CENTRAL_SIGNATURE)
    while start >= 0:
        name_length, = struct.unpack_from('<H', blob, start + 28)
        found[blob[start + 46:start + 46 + name_length].decode()] = start
        start = blob.find(CENTRAL_SIGNATURE, start + 46)
    return found


def data_offset(path: Path, name_suffix: str) -> int:
    """Where the bytes of the entry ending in ``name_suffix`` start in the file."""
    with zipfile.ZipFile(path) as archive:
        [info] = [i for i in archive.infolist() if i.filename.endswith(name_suffix)]
    blob = path.read_bytes()
    name_length, extra_length = struct.unpack_from('<HH', blob, info.header_offset + 26)
    return info.header_offset + 30 + name_length + extra_length


def patch_central(path: Path, name_suffix: str, **fields: int) -> Path:
    """Overwrite fields of the central directory record of the entry ending in ``name_suffix``."""
    blob = bytearray(path.read_bytes())
    [offset] = [o for n, o in central_records(bytes(blob)).items() if n.endswith(name_suffix)]
    for field, value in fields.items():
        at, fmt = CENTRAL_FIELDS[field]
        struct.pack_into(fmt, blob, offset + at, value)
    path.write_bytes(bytes(blob))
    return path


def _status_kib() -> dict[str, int]:
    with open('/proc/self/status') as status:
        return {line.split(':')[0]: int(line.split()[1]) for line in status
                if line.startswith(('VmSize:', 'VmRSS:', 'VmHWM:'))}


def _child_main(argv: list[str]) -> int:
    import resource

    from lite_tracker_ros.networks.checkpoint import CheckpointError, load_into

    limit_mb = int(argv[argv.index('--limit-mb') + 1])
    paths = [a for a in argv if a not in ('--limit-mb', str(limit_mb))]
    torch.set_num_threads(1)
    load_into(tiny_network(), save_tiny(Path(paths[0]).with_name('warm_up.pth')))
    sizes = _status_kib()
    vm_kib = sizes['VmSize']
    limit = (vm_kib << 10) + (limit_mb << 20)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    for path in paths:
        network, start = tiny_network(), time.perf_counter()
        try:
            load_into(network, path)
            finite = all(bool(torch.isfinite(v).all()) for v in network.state_dict().values()
                         if v.is_floating_point())
            outcome, message = ('ok' if finite else 'non-finite model'), ''
        except CheckpointError as error:
            outcome, message = 'error', str(error)
        except BaseException as error:  # noqa: B902 - anything else is what the test looks for
            outcome, message = 'crash', f'{type(error).__name__}: {str(error)[:300]}'
        print(json.dumps({'path': path, 'outcome': outcome, 'message': message,
                          'seconds': time.perf_counter() - start}), flush=True)
    # VmHWM: the peak of this program's own memory (ru_maxrss would include the parent's
    # resident set at the fork before exec)
    print(json.dumps({'peak_rss_mb': _status_kib()['VmHWM'] / 1024,
                      'start_rss_mb': sizes['VmRSS'] / 1024}), flush=True)
    return 0


def load_in_child(paths: list[Path], limit_mb: int = 384, timeout_s: float = 120.0):
    """Load each file in a capped child process: ([{path, outcome, message, seconds}], peak)."""
    import subprocess
    import lite_tracker_ros  # the child imports the same copy as this process
    package_root = str(Path(lite_tracker_ros.__file__).parents[1])
    env = dict(os.environ, MALLOC_ARENA_MAX='2', OMP_NUM_THREADS='1',
               PYTHONPATH=os.pathsep.join([package_root, os.environ.get('PYTHONPATH', '')]))
    result = subprocess.run([sys.executable, __file__, '--limit-mb', str(limit_mb),
                             *map(str, paths)], capture_output=True, text=True, env=env,
                            timeout=timeout_s)
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith('{')]
    assert result.returncode == 0 and lines, result.stderr[-3000:]
    return lines[:-1], lines[-1]


if __name__ == '__main__':
    sys.exit(_child_main(sys.argv[1:]))
