# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Safe, strict loading of tracker weights.

Accepted files: zip-format ``torch.save`` checkpoints (``.pth``/``.pth.tar``), either the
trainer's ``{'net': state_dict, ...}`` wrapper or a bare state dict, read without running any
code from them (``safe_unpickle``); and ``.safetensors`` files. Anything else, including the
legacy non-zip ``torch.save`` format, is refused with a one-line error. So is any file that
is damaged or built to hurt the loader (see ``safe_unpickle`` and ``checkpoint_archive`` for the
bounds), and any weight that is not a finite number of sane size (``tensor_checks``): every
failure while reading a file is one ``CheckpointError`` naming the file.

Loading is strict: a readable report lists missing, unexpected and wrongly shaped entries, with
hints for the usual causes. Families whose files need adapting (e.g. CompressTracker's teacher
entries) pass a ``key_filter`` that maps the file's state dict to the model's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
import re
import struct
from typing import Callable, Iterable, Mapping, Optional

import safetensors.torch
import torch
from torch import nn

from lite_tracker_ros.networks.errors import bounded_repr, one_line
from lite_tracker_ros.networks.safe_unpickle import CheckpointError, read_torch_zip
from lite_tracker_ros.networks.tensor_checks import check_dtypes, check_values
from lite_tracker_ros.specs import all_families
from lite_tracker_ros.specs.family import resolve

__all__ = ['CheckpointError', 'KeyReport', 'check_keys', 'load_state_dict', 'load_into',
           'detect_variant', 'convert_to_safetensors', 'VARIANT_DETECTORS']

StateDict = dict[str, torch.Tensor]
KeyFilter = Callable[[StateDict], StateDict]

_ZIP_MAGIC = b'PK\x03\x04'
_PICKLE_PROTO = b'\x80'
_MAX_LISTED = 8
#: the safetensors format's own limit on its JSON header
_MAX_SAFETENSORS_HEADER = 100_000_000


def _sniff(path: Path) -> str:
    with open(path, 'rb') as f:
        head = f.read(16)
    if head.startswith(_ZIP_MAGIC):
        return 'torch-zip'
    if len(head) >= 9 and head[8:9] == b'{' and int.from_bytes(head[:8], 'little') > 1:
        return 'safetensors'
    if head.startswith(_PICKLE_PROTO):
        return 'legacy'
    return 'unknown'


def _as_state_dict(obj: object, source: str) -> StateDict:
    # trainers wrap the weights: {'net': ...} (OSTrack family), {'state_dict': ...} (pysot family)
    for wrapper in ('net', 'state_dict'):
        if isinstance(obj, Mapping) and wrapper in obj:
            obj, source = obj[wrapper], f'{source}[{wrapper!r}]'
            break
    if not isinstance(obj, Mapping) or not obj:
        raise CheckpointError(f'{source}: not a state dict or a {{"net": state_dict}} '
                              'checkpoint; pass the tracker checkpoint file')
    bad = [k for k, v in obj.items() if not (isinstance(k, str) and torch.is_tensor(v))]
    if bad:
        raise CheckpointError(f'{source}: entries {bounded_repr(bad[:3])} are not named tensors; '
                              'pass a state dict or a {"net": state_dict} checkpoint')
    return dict(obj)


def _read_safetensors(path: Path) -> StateDict:
    with open(path, 'rb') as f:
        header_size = struct.unpack('<Q', f.read(8))[0]
    if header_size > min(_MAX_SAFETENSORS_HEADER, path.stat().st_size - 8):
        raise CheckpointError(f'{path}: safetensors header claims {header_size} bytes, more than '
                              'the file holds; download the file again')
    try:  # the library checks every tensor's offsets against the file before mapping it
        return safetensors.torch.load_file(str(path))
    except Exception as error:  # noqa: B902 - safetensors raises several types
        raise CheckpointError(f'{path}: unreadable safetensors file ({one_line(error)})') \
            from error


def load_state_dict(path: str | Path, key_filter: Optional[KeyFilter] = None) -> StateDict:
    """Read the state dict of a checkpoint or safetensors file, never executing its content."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f'{path}: no such file; pass the path of a downloaded checkpoint')
    try:
        state = _read(path)
    except (MemoryError, RecursionError, OSError) as error:
        raise CheckpointError(f'{path}: cannot be loaded ({one_line(error)}); check the file or '
                              'download it again') from error
    state = key_filter(state) if key_filter is not None else state
    check_values(state, str(path))
    return state


def _read(path: Path) -> StateDict:
    kind = _sniff(path)
    if kind == 'torch-zip':
        return _as_state_dict(read_torch_zip(str(path)), str(path))
    if kind == 'safetensors':
        return _read_safetensors(path)
    if kind == 'legacy':
        raise CheckpointError(f'{path}: bare pickle or legacy (non-zip) torch.save file, refused; '
                              're-save it with torch.save(torch.load(path, weights_only=True), '
                              'new_path)')
    raise CheckpointError(f'{path}: not a torch zip checkpoint or a safetensors file')


@dataclass(frozen=True)
class KeyReport:
    """How a state dict differs from what a model expects."""

    missing: tuple[str, ...]
    unexpected: tuple[str, ...]
    #: (key, expected shape, shape in the file)
    mismatched: tuple[tuple[str, tuple[int, ...], tuple[int, ...]], ...]
    hints: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unexpected or self.mismatched)

    def summary(self) -> str:
        counts = (f'{len(self.missing)} missing, {len(self.unexpected)} unexpected, '
                  f'{len(self.mismatched)} with another shape')
        advice = self.hints[0] if self.hints else 'check that the file is for this model'
        return f'{counts}; {advice}'

    def describe(self) -> str:
        """Multi-line report: the summary, then the differing keys (a few of each kind)."""
        lines = [self.summary()]
        for title, items in (('missing', self.missing), ('unexpected', self.unexpected),
                             ('shape', [f'{k}: model {list(a)}, file {list(b)}'
                                        for k, a, b in self.mismatched])):
            if items:
                shown = ', '.join(items[:_MAX_LISTED])
                extra = len(items) - _MAX_LISTED
                more = f' ... and {extra} more' if extra > 0 else ''
                lines.append(f'  {title}: {shown}{more}')
        lines.extend(f'  hint: {h}' for h in self.hints[1:])
        return '\n'.join(lines)


_BLOCK = re.compile(r'^(.*\bblocks)\.(\d+)\.')


def block_counts(keys: Iterable[str]) -> dict[str, int]:
    """Count the blocks of each ``....blocks.<i>.`` stack in ``keys`` (highest index + 1)."""
    counts: dict[str, int] = {}
    for key in keys:
        match = _BLOCK.match(key)
        if match:
            counts[match[1]] = max(counts.get(match[1], 0), int(match[2]) + 1)
    return counts


def _hints(expected: Mapping[str, torch.Size], found: Mapping[str, torch.Tensor],
           missing: list[str], unexpected: list[str]) -> list[str]:
    hints = []
    for family in all_families().values():  # what a family's layout tells, said by the family
        if family.checkpoint_hints:
            hints.extend(resolve(family.checkpoint_hints)(expected, found, missing, unexpected))
    if found and all(k.startswith('module.') for k in found):
        hints.append("every key starts with 'module.' (a DataParallel save): strip that prefix")
    file_blocks, model_blocks = block_counts(found), block_counts(expected)
    for stack, depth in model_blocks.items():
        if stack in file_blocks and file_blocks[stack] != depth:
            hints.append(f'{stack} has {file_blocks[stack]} blocks in the file and {depth} in '
                         'the model: choose the variant with that depth')
    if unexpected and not missing and not hints:
        hints.append('the file has extra entries (e.g. training-only ones): name a key filter '
                     "in the family's descriptor (FAMILY in lite_tracker_ros/specs/<family>.py)")
    return hints


def check_keys(expected: Mapping[str, torch.Size], found: Mapping[str, torch.Tensor]) -> KeyReport:
    """Compare a model's ``{key: shape}`` with a state dict, strictly."""
    missing = [k for k in expected if k not in found]
    unexpected = [k for k in found if k not in expected]
    mismatched = tuple((k, tuple(expected[k]), tuple(found[k].shape)) for k in expected
                       if k in found and tuple(found[k].shape) != tuple(expected[k]))
    return KeyReport(tuple(missing), tuple(unexpected), mismatched,
                     tuple(_hints(expected, found, missing, unexpected)))


def load_into(network: nn.Module, source: str | Path | Mapping[str, torch.Tensor],
              key_filter: Optional[KeyFilter] = None) -> None:
    """Load a file (or an in-memory state dict) into ``network`` strictly, or raise."""
    if isinstance(source, Mapping):
        state, name = dict(source), 'state dict'
        state = key_filter(state) if key_filter is not None else state
        check_values(state, name)
    else:
        state, name = load_state_dict(source, key_filter), str(source)
    model_state = network.state_dict()
    report = check_keys({k: v.shape for k, v in model_state.items()}, state)
    if not report.ok:
        raise CheckpointError(f'{name} does not fit {type(network).__name__}: '
                              f'{report.describe()}')
    check_dtypes(model_state, state, name)
    network.load_state_dict(state, strict=True)


def _lazy(path: str) -> Callable:
    """Return a function that imports what ``path`` names when it is first called."""
    return lambda *args: resolve(path)(*args)


#: functions from a checkpoint's key set to a model name (None: not this family), one per family
#: descriptor that names a variant detector
VARIANT_DETECTORS: list[Callable[[set[str]], Optional[str]]] = [
    _lazy(family.variant_detector) for family in all_families().values()
    if family.variant_detector]


def detect_variant(state_or_keys: Mapping[str, object] | Iterable[str]) -> str:
    """Name the model (e.g. ``litetrack_b6``) a state dict belongs to, from its keys alone."""
    keys = set(state_or_keys)
    for detector in VARIANT_DETECTORS:
        name = detector(keys)
        if name is not None:
            return name
    raise CheckpointError('cannot tell the model from the checkpoint keys; pass the model name')


def convert_to_safetensors(src: str | Path, dst: str | Path,
                           key_filter: Optional[KeyFilter] = None) -> Path:
    """Write the state dict of ``src`` as a safetensors file (safe and fast to load)."""
    state = load_state_dict(src, key_filter)
    # safetensors stores each tensor on its own: views of shared storage become copies
    tensors = {k: v.detach().contiguous().clone() for k, v in state.items()}
    dst = Path(dst)
    safetensors.torch.save_file(tensors, str(dst), metadata={'source': Path(src).name})
    return dst
