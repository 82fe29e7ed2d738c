# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Read a zip-format ``torch.save`` file without running any code from it.

A ``.pth.tar`` is a zip archive whose ``data.pkl`` is a pickle, and a pickle can call any
importable function while it loads. This reader resolves only a short list of globals to its own
functions (tensor and parameter rebuilding, ``OrderedDict``, ``set``); every other global, such
as the trainer's ``Settings`` object or ``os.system``, becomes an inert placeholder that records
its name and arguments and runs nothing. Placeholders are plain instances of our own class, so
neither ``__reduce__`` callables nor real classes' ``__setstate__`` are ever invoked. Tensors come
from the archive's raw storage records and are built only after unpickling has finished.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
import io
import pickle
from typing import Any, Callable
import zipfile

import torch


class CheckpointError(ValueError):
    """A weights file that cannot be used; the message says why and what to do."""


class InertGlobal:
    """Stand-in for a global the reader does not trust; calling or restoring it runs nothing."""

    qualname = '?'

    def __new__(cls, *args: Any, **kwargs: Any) -> InertGlobal:
        inst = super().__new__(cls)
        inst.args, inst.kwargs, inst.state = args, kwargs, None
        return inst

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __setstate__(self, state: Any) -> None:
        self.state = state

    def __repr__(self) -> str:
        return f'<inert {self.qualname}>'


_INERT_CLASSES: dict[str, type] = {}


def _inert_class(module: str, name: str) -> type:
    qualname = f'{module}.{name}'
    if qualname not in _INERT_CLASSES:
        _INERT_CLASSES[qualname] = type(name.rsplit('.', 1)[-1], (InertGlobal,),
                                        {'qualname': qualname, '__module__': __name__})
    return _INERT_CLASSES[qualname]


@dataclass(frozen=True)
class _StorageType:
    dtype: torch.dtype


@dataclass(frozen=True)
class _Storage:
    key: str
    dtype: torch.dtype
    numel: int


class _TensorRecipe:
    """How to view a storage as a tensor; turned into a tensor after unpickling."""

    def __init__(self, storage: _Storage, offset: int, size: tuple, stride: tuple):
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride


_STORAGE_DTYPES = {
    'FloatStorage': torch.float32, 'DoubleStorage': torch.float64,
    'HalfStorage': torch.float16, 'BFloat16Storage': torch.bfloat16,
    'LongStorage': torch.int64, 'IntStorage': torch.int32, 'ShortStorage': torch.int16,
    'CharStorage': torch.int8, 'ByteStorage': torch.uint8, 'BoolStorage': torch.bool,
    'UntypedStorage': torch.uint8,
}


def _rebuild_tensor(storage: Any, offset: Any, size: Any, stride: Any, *_: Any) -> Any:
    if not isinstance(storage, _Storage):
        raise CheckpointError('tensor record without a storage: not a torch checkpoint')
    return _TensorRecipe(storage, int(offset), tuple(size), tuple(stride))


def _rebuild_parameter(data: Any, *_: Any) -> Any:
    return data


_TRUSTED: dict[tuple[str, str], Callable] = {
    ('torch._utils', '_rebuild_tensor_v2'): _rebuild_tensor,
    ('torch._utils', '_rebuild_parameter'): _rebuild_parameter,
    ('torch._utils', '_rebuild_parameter_with_state'): _rebuild_parameter,
    ('collections', 'OrderedDict'): OrderedDict,
    ('builtins', 'set'): set,
    ('builtins', 'frozenset'): frozenset,
}


class _RestrictedUnpickler(pickle.Unpickler):

    def find_class(self, module: str, name: str) -> Any:
        trusted = _TRUSTED.get((module, name))
        if trusted is not None:
            return trusted
        if module == 'torch' and name in _STORAGE_DTYPES:
            return _StorageType(_STORAGE_DTYPES[name])
        return _inert_class(module, name)

    def persistent_load(self, pid: Any) -> _Storage:
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == 'storage'
                and isinstance(pid[1], _StorageType)):
            raise CheckpointError(f'unknown persistent record {pid!r}: not a torch checkpoint')
        return _Storage(str(pid[2]), pid[1].dtype, int(pid[4]))


def read_torch_zip(path: str) -> Any:
    """Unpickle a zip-format ``torch.save`` file safely; tensors are real CPU tensors."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise CheckpointError(f'{path}: unreadable zip archive ({error})') from None
    with archive:
        pickles = [n for n in archive.namelist() if n == 'data.pkl' or n.endswith('/data.pkl')]
        if len(pickles) != 1:
            raise CheckpointError(f'{path}: zip archive without a single data.pkl: not a torch '
                                  'checkpoint')
        prefix = pickles[0][:-len('data.pkl')]
        byteorder = f'{prefix}byteorder'
        if byteorder in archive.namelist() and archive.read(byteorder).strip() != b'little':
            raise CheckpointError(f'{path}: big-endian checkpoint; re-save it on a little-endian '
                                  'machine')
        try:
            obj = _RestrictedUnpickler(io.BytesIO(archive.read(pickles[0]))).load()
        except CheckpointError:
            raise
        except Exception as error:  # noqa: B902 - any malformed pickle is one kind of error
            raise CheckpointError(f'{path}: corrupt checkpoint pickle '
                                  f'({type(error).__name__}: {error})') from None
        return _Materializer(archive, prefix, path).convert(obj)


class _Materializer:
    """Replace tensor recipes by tensors, reading each storage once (views share it)."""

    def __init__(self, archive: zipfile.ZipFile, prefix: str, path: str):
        self.archive, self.prefix, self.path = archive, prefix, path
        self.storages: dict[str, torch.Tensor] = {}
        self.seen: dict[int, Any] = {}

    def storage(self, record: _Storage) -> torch.Tensor:
        if record.key not in self.storages:
            name = f'{self.prefix}data/{record.key}'
            try:
                info = self.archive.getinfo(name)
            except KeyError:
                raise CheckpointError(f'{self.path}: storage {record.key} missing from the '
                                      'archive') from None
            itemsize = torch.empty((), dtype=record.dtype).element_size()
            if info.file_size != record.numel * itemsize:
                raise CheckpointError(f'{self.path}: storage {record.key} has {info.file_size} '
                                      f'bytes, expected {record.numel * itemsize}')
            buffer = bytearray(info.file_size)
            with self.archive.open(info) as stream:
                stream.readinto(buffer)
            flat = (torch.frombuffer(buffer, dtype=record.dtype) if buffer
                    else torch.empty(0, dtype=record.dtype))
            self.storages[record.key] = flat
        return self.storages[record.key]

    def tensor(self, recipe: _TensorRecipe) -> torch.Tensor:
        flat = self.storage(recipe.storage)
        try:
            return torch.as_strided(flat, recipe.size, recipe.stride, recipe.offset)
        except RuntimeError as error:
            raise CheckpointError(f'{self.path}: tensor view outside its storage '
                                  f'({error})') from None

    def convert(self, obj: Any) -> Any:
        if isinstance(obj, _TensorRecipe):
            return self.tensor(obj)
        if not isinstance(obj, (dict, list, tuple, InertGlobal)):
            return obj
        if id(obj) in self.seen:  # shared or self-referencing containers
            return self.seen[id(obj)]
        if isinstance(obj, dict):
            out = OrderedDict() if isinstance(obj, OrderedDict) else {}
            self.seen[id(obj)] = out
            for key, value in obj.items():
                out[key] = self.convert(value)
            return out
        if isinstance(obj, InertGlobal):
            self.seen[id(obj)] = obj
            obj.args = self.convert(obj.args)
            obj.state = self.convert(obj.state)
            return obj
        out_list: list = []
        self.seen[id(obj)] = out_list
        out_list.extend(self.convert(v) for v in obj)
        return tuple(out_list) if isinstance(obj, tuple) else out_list
