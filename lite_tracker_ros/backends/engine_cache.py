# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Build-once cache of TensorRT engines on disk, keyed by what makes an engine valid.

An engine is only valid for the exact ONNX graph, TensorRT version, GPU model and precision it
was built with, and the optimisation profile of a batched search graph, so those make the key
(:class:`EngineKey`). The engine file's name carries
a digest of the key, and a JSON file beside it holds the full key; an engine is reused only when
both match, and rebuilt otherwise. Writes are atomic (temporary file, then rename), and a lock
file serialises builders, so two processes starting together build the engine once. Nothing
here imports TensorRT: the builder is a callable, which keeps this logic testable anywhere.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import asdict, dataclass
import fcntl
import hashlib
import json
import os
from pathlib import Path
from typing import Callable, Iterator, Optional

ENGINE_SUFFIX = '.engine'
KEY_SUFFIX = '.key.json'


def file_sha256(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(chunk), b''):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class EngineKey:
    """Everything an engine depends on."""

    onnx_sha256: str
    tensorrt_version: str
    #: name, compute capability and SM count (``cuda_memory.describe_gpu``)
    gpu_name: str
    precision: str
    #: the optimisation profile of a dynamic batch axis (``tensorrt_backend.BatchProfile``),
    #: e.g. ``'batch 1/4/16'``; empty for an engine of static shapes, whose key (and digest)
    #: then stays what it was before profiles existed
    profile: str = ''

    def fields(self) -> dict[str, str]:
        """Return the key's fields, without an empty ``profile``."""
        fields = asdict(self)
        if not fields['profile']:
            del fields['profile']
        return fields

    def digest(self) -> str:
        """Short stable digest of the whole key (16 hex digits)."""
        text = json.dumps(self.fields(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def to_json(self) -> str:
        return json.dumps(self.fields(), sort_keys=True, indent=1)


@dataclass(frozen=True)
class CachedEngine:
    """An engine's serialised bytes, where they are stored, and whether this call built them."""

    data: bytes
    path: Path
    built: bool


class EngineCache:
    """Engines in ``folder`` named ``<stem>.<precision>.<digest>.engine``."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def engine_path(self, stem: str, key: EngineKey) -> Path:
        return self.folder / f'{stem}.{key.precision}.{key.digest()}{ENGINE_SUFFIX}'

    def key_path(self, stem: str, key: EngineKey) -> Path:
        return self.engine_path(stem, key).with_suffix(KEY_SUFFIX)

    def load(self, stem: str, key: EngineKey) -> Optional[bytes]:
        """Return the stored engine for exactly ``key``, or None."""
        engine, stored_key = self.engine_path(stem, key), self.key_path(stem, key)
        try:
            if json.loads(stored_key.read_text()) != json.loads(key.to_json()):
                return None
            data = engine.read_bytes()
        except (OSError, ValueError):
            return None
        return data or None

    def store(self, stem: str, key: EngineKey, data: bytes) -> Path:
        """Write the engine then its key, each atomically; return the engine path."""
        self.folder.mkdir(parents=True, exist_ok=True)
        engine = self.engine_path(stem, key)
        _atomic_write(engine, data)
        _atomic_write(self.key_path(stem, key), key.to_json().encode())
        return engine

    def invalidate(self, stem: str, key: EngineKey) -> None:
        """Forget the engine for ``key`` (e.g. TensorRT refused to deserialise it)."""
        for path in (self.key_path(stem, key), self.engine_path(stem, key)):
            path.unlink(missing_ok=True)

    def stale(self, stem: str, key: EngineKey) -> list[Path]:
        """Engines of ``stem`` stored under other keys (candidates for deletion)."""
        current = self.engine_path(stem, key)
        return sorted(p for p in self.folder.glob(f'{stem}.*{ENGINE_SUFFIX}') if p != current)

    def get_or_build(self, stem: str, key: EngineKey,
                     build: Callable[[], bytes]) -> CachedEngine:
        """Return the cached engine for ``key``; build and store it (once) when there is none."""
        data = self.load(stem, key)
        if data is not None:
            return CachedEngine(data, self.engine_path(stem, key), built=False)
        self.folder.mkdir(parents=True, exist_ok=True)
        with _locked(self.folder / f'{stem}.{key.precision}.lock'):
            data = self.load(stem, key)  # another process may have built it meanwhile
            if data is not None:
                return CachedEngine(data, self.engine_path(stem, key), built=False)
            data = bytes(build())
            if not data:
                raise RuntimeError(f'building the {stem} engine produced nothing')
            return CachedEngine(data, self.store(stem, key, data), built=True)


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f'.{path.name}.{os.getpid()}.tmp')
    with open(tmp, 'wb') as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, 'a') as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
