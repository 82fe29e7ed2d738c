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

The pickle is run by the pure-Python unpickler with guarded opcodes, so that a small file cannot
hang or exhaust the loader: the number of opcodes is bounded (which bounds the objects built),
calls and BUILD apply only to the record types the reader expects, dict keys and set items are
checked to hash in bounded time (a deeply shared tuple hashes in exponential time), and nesting
is bounded. Storage sizes are checked against the archive (``checkpoint_archive``) before they are
allocated, and each tensor must fit its storage.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
import io
import math
import pickle
import re
from typing import Any, Callable

import torch

from lite_tracker_ros.networks.checkpoint_archive import CheckpointArchive
from lite_tracker_ros.networks.errors import bounded_repr, CheckpointError, one_line

__all__ = ['CheckpointError', 'InertGlobal', 'read_torch_zip']

#: pickle opcodes; a state dict needs about 20 per tensor, so this leaves room for trainer
#: checkpoints with optimizer state, and bounds the objects a pickle can build
MAX_PICKLE_OPS = 1_000_000
#: data.pkl of a checkpoint is kilobytes to a few megabytes
MAX_PICKLE_BYTES = 64 << 20
#: containers inside containers; a checkpoint nests a few levels
MAX_DEPTH = 100
#: parts of one dict key or set item (tuples inside tuples are hashed part by part)
MAX_KEY_PARTS = 1024
#: tensors may view the same storage (tied weights); more view elements than this many times
#: the stored elements is not a state dict and would make the value checks slow
MAX_VIEW_FACTOR = 4
_MAX_DIMS = 32
_STORAGE_KEY = re.compile(r'\w{1,64}')


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


def _int_tuple(value: Any, what: str) -> tuple[int, ...]:
    if not (isinstance(value, (tuple, list, torch.Size)) and len(value) <= _MAX_DIMS
            and all(type(v) is int and v >= 0 for v in value)):
        raise CheckpointError(f'tensor record with {what} {bounded_repr(value)}: not a torch '
                              'checkpoint')
    return tuple(value)


def _rebuild_tensor(storage: Any, offset: Any, size: Any, stride: Any, *_: Any) -> Any:
    if not isinstance(storage, _Storage):
        raise CheckpointError('tensor record without a storage: not a torch checkpoint')
    if type(offset) is not int or offset < 0:
        raise CheckpointError(f'tensor record with offset {bounded_repr(offset)}')
    return _TensorRecipe(storage, offset, _int_tuple(size, 'size'), _int_tuple(stride, 'stride'))


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
_REBUILDERS = (_rebuild_tensor, _rebuild_parameter)
_HASHING_TYPES = (OrderedDict, set, frozenset)
#: types whose hash costs O(1) or O(their own length); tuples and frozensets are walked
_FLAT_KEYS = (str, bytes, int, float, complex, type(None), InertGlobal, type, _Storage)


def _check_key(key: Any) -> None:
    """Refuse a dict key or set item whose hash would not be cheap (or that has none)."""
    pending, parts = [key], 0
    while pending:
        item = pending.pop()
        parts += 1
        if parts > MAX_KEY_PARTS:
            raise CheckpointError(f'a dict key or set item with more than {MAX_KEY_PARTS} parts: '
                                  'not a checkpoint')
        if isinstance(item, (tuple, frozenset)):
            pending.extend(item)
        elif not isinstance(item, _FLAT_KEYS):
            raise CheckpointError(f'a {type(item).__name__} used as a dict key or set item: '
                                  'not a checkpoint')


def _check_items(items: Any, pairs: bool) -> None:
    if not isinstance(items, (list, tuple)):
        raise CheckpointError('set or dict built from a non-list: not a checkpoint')
    for item in items:
        if pairs:
            if not (isinstance(item, (list, tuple)) and len(item) == 2):
                raise CheckpointError('dict built from non-pairs: not a checkpoint')
            item = item[0]
        _check_key(item)


def _check_call(func: Any, args: Any) -> None:
    """Only our rebuilders, inert stand-ins and the container types may be called."""
    if not isinstance(args, tuple):
        raise CheckpointError('call record without an argument tuple: not a checkpoint')
    inert = isinstance(func, type) and issubclass(func, InertGlobal)
    if inert or any(func is f for f in _REBUILDERS):
        return
    if any(func is t for t in _HASHING_TYPES):
        if len(args) > 1:
            raise CheckpointError(f'{func.__name__} record with {len(args)} arguments')
        if args:
            _check_items(args[0], pairs=func is OrderedDict)
        return
    raise CheckpointError(f'call of a {type(func).__name__} record: not a torch checkpoint')


_PurePythonUnpickler: Any = pickle._Unpickler  # noqa: SLF001 - only its opcodes can be guarded


class _RestrictedUnpickler(_PurePythonUnpickler):

    def __init__(self, data: bytes):
        super().__init__(io.BytesIO(data))
        self.ops = 0

    def find_class(self, module: str, name: str) -> Any:
        trusted = _TRUSTED.get((module, name))
        if trusted is not None:
            return trusted
        if module == 'torch' and name in _STORAGE_DTYPES:
            return _StorageType(_STORAGE_DTYPES[name])
        return _inert_class(module, name)

    def persistent_load(self, pid: Any) -> _Storage:
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == 'storage'
                and isinstance(pid[1], _StorageType) and isinstance(pid[2], str)
                and _STORAGE_KEY.fullmatch(pid[2]) and type(pid[4]) is int and pid[4] >= 0):
            raise CheckpointError(f'unknown persistent record {bounded_repr(pid)}: not a torch '
                                  'checkpoint')
        return _Storage(pid[2], pid[1].dtype, pid[4])

    # guarded opcodes: the pure-Python unpickler's own, with the checks above first

    def load_setitem(self) -> None:
        _check_key(self.stack[-2])
        super().load_setitem()

    def load_setitems(self) -> None:
        _check_items(self._marked()[0::2], pairs=False)
        super().load_setitems()

    def load_dict(self) -> None:
        _check_items(self._marked()[0::2], pairs=False)
        super().load_dict()

    def load_additems(self) -> None:
        _check_items(self._marked(), pairs=False)
        super().load_additems()

    def load_frozenset(self) -> None:
        _check_items(self._marked(), pairs=False)
        super().load_frozenset()

    def _marked(self) -> list:
        # after a MARK the pure-Python unpickler collects the items on a fresh stack
        if not self.metastack:
            raise pickle.UnpicklingError('no MARK before the items')
        return self.stack

    def load_reduce(self) -> None:
        _check_call(self.stack[-2], self.stack[-1])
        super().load_reduce()

    def load_newobj(self) -> None:
        _check_call(self.stack[-2], self.stack[-1])
        super().load_newobj()

    def load_newobj_ex(self) -> None:
        if self.stack[-1]:
            raise CheckpointError('object record with keyword arguments: not a checkpoint')
        _check_call(self.stack[-3], self.stack[-2])
        super().load_newobj_ex()

    def _instantiate(self, klass: Any, args: Any) -> None:
        _check_call(klass, tuple(args))
        super()._instantiate(klass, args)

    def load_build(self) -> None:
        state = self.stack.pop()
        inst = self.stack[-1]
        if isinstance(inst, InertGlobal):
            inst.__setstate__(state)
        elif type(inst) is not OrderedDict:  # a state dict's `_metadata` (versions) is dropped
            raise CheckpointError(f'BUILD applied to a {type(inst).__name__} record: not a torch '
                                  'checkpoint')


def _counted(handler: Callable[[Any], None]) -> Callable[[Any], None]:
    def run(unpickler: _RestrictedUnpickler) -> None:
        unpickler.ops += 1
        if unpickler.ops > MAX_PICKLE_OPS:
            raise CheckpointError(f'pickle longer than {MAX_PICKLE_OPS} operations: not a '
                                  'checkpoint')
        handler(unpickler)
    return run


_RestrictedUnpickler.dispatch = {
    code: _counted(getattr(_RestrictedUnpickler, handler.__name__))
    for code, handler in _PurePythonUnpickler.dispatch.items()}


def _unpickle(data: bytes, path: str) -> Any:
    try:
        return _RestrictedUnpickler(data).load()
    except CheckpointError as error:
        raise CheckpointError(f'{path}: {error}') from error
    except Exception as error:  # noqa: B902 - any malformed pickle is one kind of error
        raise CheckpointError(f'{path}: corrupt checkpoint pickle ({one_line(error)}); '
                              'download the file again') from error


def read_torch_zip(path: str) -> Any:
    """Unpickle a zip-format ``torch.save`` file safely; tensors are real CPU tensors."""
    with CheckpointArchive(path) as archive:
        names = archive.names()
        pickles = [n for n in names if n == 'data.pkl' or n.endswith('/data.pkl')]
        if len(pickles) != 1:
            raise CheckpointError(f'{path}: zip archive without a single data.pkl: not a torch '
                                  'checkpoint')
        prefix = pickles[0][:-len('data.pkl')]
        byteorder = f'{prefix}byteorder'
        if byteorder in names and archive.read(byteorder, 16).strip() != b'little':
            raise CheckpointError(f'{path}: big-endian checkpoint; re-save it on a little-endian '
                                  'machine')
        obj = _unpickle(bytes(archive.read(pickles[0], MAX_PICKLE_BYTES)), path)
        materializer = _Materializer(archive, prefix, path)
        return materializer.checked(materializer.convert(obj, 0))


class _Materializer:
    """Replace tensor recipes by tensors, reading each storage once (views share it)."""

    def __init__(self, archive: CheckpointArchive, prefix: str, path: str):
        self.archive, self.prefix, self.path = archive, prefix, path
        self.storages: dict[str, tuple[_Storage, torch.Tensor]] = {}
        self.seen: dict[int, Any] = {}
        self.view_elements = 0

    def storage(self, record: _Storage) -> torch.Tensor:
        known = self.storages.get(record.key)
        if known is not None:
            if known[0] != record:
                raise CheckpointError(f'{self.path}: storage {record.key} is declared twice, '
                                      'with different types or sizes')
            return known[1]
        itemsize = torch.empty((), dtype=record.dtype).element_size()
        name = f'{self.prefix}data/{record.key}'
        expected = record.numel * itemsize
        declared = self.archive.entry_size(name)
        if declared != expected:
            raise CheckpointError(f'{self.path}: storage {record.key} has {declared} bytes, '
                                  f'its tensors need {expected}')
        buffer = self.archive.read(name, expected)
        flat = (torch.frombuffer(buffer, dtype=record.dtype) if buffer
                else torch.empty(0, dtype=record.dtype))
        self.storages[record.key] = (record, flat)
        return flat

    def tensor(self, recipe: _TensorRecipe) -> torch.Tensor:
        flat = self.storage(recipe.storage)
        numel = math.prod(recipe.size)
        if len(recipe.stride) != len(recipe.size) or numel > max(flat.numel(), 1):
            raise CheckpointError(f'{self.path}: tensor of shape {list(recipe.size)} does not fit '
                                  f'its storage of {flat.numel()} elements')
        self.view_elements += numel
        try:
            return torch.as_strided(flat, recipe.size, recipe.stride, recipe.offset)
        except RuntimeError as error:
            raise CheckpointError(f'{self.path}: tensor view outside its storage '
                                  f'({one_line(error)})') from error

    def checked(self, obj: Any) -> Any:
        stored = sum(flat.numel() for _, flat in self.storages.values())
        if self.view_elements > MAX_VIEW_FACTOR * stored + (1 << 20):
            raise CheckpointError(f'{self.path}: tensors view {self.view_elements} elements of '
                                  f'{stored} stored: not a state dict')
        return obj

    def convert(self, obj: Any, depth: int) -> Any:
        if isinstance(obj, _TensorRecipe):
            return self.tensor(obj)
        if not isinstance(obj, (dict, list, tuple, InertGlobal)):
            return obj
        if id(obj) in self.seen:  # shared or self-referencing containers
            return self.seen[id(obj)]
        if depth >= MAX_DEPTH:
            raise CheckpointError(f'{self.path}: containers nested more than {MAX_DEPTH} deep: '
                                  'not a checkpoint')
        if isinstance(obj, dict):
            out = OrderedDict() if isinstance(obj, OrderedDict) else {}
            self.seen[id(obj)] = out
            for key, value in obj.items():
                out[key] = self.convert(value, depth + 1)
            return out
        if isinstance(obj, InertGlobal):
            self.seen[id(obj)] = obj
            obj.args = self.convert(obj.args, depth + 1)
            obj.state = self.convert(obj.state, depth + 1)
            return obj
        out_list: list = []
        self.seen[id(obj)] = out_list
        out_list.extend(self.convert(v, depth + 1) for v in obj)
        return tuple(out_list) if isinstance(obj, tuple) else out_list
