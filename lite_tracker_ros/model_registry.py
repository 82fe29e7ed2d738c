# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
The model registry (``models/registry.yaml``), the model cache, and verified downloads.

A model's files are looked up in the cache (``$LITE_TRACKER_CACHE``, default
``~/.cache/lite_tracker_ros``) and then in every folder of ``$LITE_TRACKER_MODEL_PATH``
(colon-separated), so pre-installed weights count as installed without copying them.

Nothing on disk is trusted blindly: registry file names must be plain names (no folders), a
file is checked against its registry SHA-256 (or the hash stamped when it was installed) before
it is used, links in the cache are refused (``cache_files``), and downloads are capped at the
registry's size and bounded in time (``bounded_fetch``).
"""

from __future__ import annotations

from dataclasses import dataclass
import hashlib
import os
from pathlib import Path
import re
import time
import urllib.parse

import yaml

from lite_tracker_ros import cache_files
from lite_tracker_ros.bounded_fetch import fetch, FetchError
from lite_tracker_ros.cache_files import CHUNK, sha256_of  # noqa: F401 - part of this API
from lite_tracker_ros.errors import LiteTrackerError

#: a plain file name: no folder, no leading dot, nothing the cache uses for itself
_FILE_NAME = re.compile(r'[A-Za-z0-9][A-Za-z0-9._+-]{0,199}')
_SHA256 = re.compile(r'[0-9a-f]{64}')
_URL_SCHEMES = ('https', 'http', 'file')
#: a connection that delivers nothing for this long has failed
STALL_S = 30.0


class RegistryError(LiteTrackerError, LookupError):
    """A model or file the registry cannot provide; the message says what to do."""


class CorruptFileError(RegistryError):
    """An installed file whose hash no longer matches; the message says how to replace it."""


@dataclass(frozen=True)
class ModelFile:
    """One file of a model: its cache name, role, and where it comes from."""

    name: str
    role: str
    url: str | None
    sha256: str | None
    #: bytes; required (with sha256) for a file that is downloaded
    size: int | None = None


@dataclass(frozen=True)
class ModelEntry:
    """One registry entry."""

    name: str
    family: str
    variant: str
    license: str  # noqa: A003 - the registry field name
    caveats: str
    page: str
    files: tuple[ModelFile, ...]

    def file(self, role: str) -> ModelFile:
        for f in self.files:
            if f.role == role:
                return f
        raise RegistryError(f'{self.name} has no {role} file')


def registry_path() -> Path:
    """models/registry.yaml of an installed package (share dir) or of the source tree."""
    here = Path(__file__).resolve().parents[1] / 'models' / 'registry.yaml'
    if here.is_file():
        return here
    try:
        from ament_index_python.packages import get_package_share_directory
        return Path(get_package_share_directory('lite_tracker_ros')) / 'models' / 'registry.yaml'
    except (ImportError, LookupError) as error:
        raise RegistryError('models/registry.yaml not found: reinstall lite_tracker_ros') \
            from error


def checked_file(model: str, spec: dict) -> ModelFile:
    """One file of a registry entry, its name, checksum, size and address checked."""
    name, url, sha256, size = spec['name'], spec.get('url'), spec.get('sha256'), spec.get('size')
    problem = None
    if not (isinstance(name, str) and _FILE_NAME.fullmatch(name)) or '..' in name \
            or name.endswith((cache_files.PART_SUFFIX, cache_files.STAMP_SUFFIX)):
        problem = f'file name {name!r} is not a plain file name'
    elif sha256 is not None and not (isinstance(sha256, str) and _SHA256.fullmatch(sha256)):
        problem = f'{name}: sha256 {sha256!r} is not 64 lower-case hex digits'
    elif size is not None and not (type(size) is int and size > 0):
        problem = f'{name}: size {size!r} is not a positive number of bytes'
    elif url is not None and urllib.parse.urlsplit(str(url)).scheme not in _URL_SCHEMES:
        problem = f'{name}: url {url!r} is not an {"/".join(_URL_SCHEMES)} address'
    if problem:
        raise RegistryError(f'registry entry {model}: {problem}; fix models/registry.yaml')
    return ModelFile(name, spec['role'], url, sha256, size)


def load_registry(path: Path | None = None) -> dict[str, ModelEntry]:
    data = yaml.safe_load((path or registry_path()).read_text())
    entries = {}
    for name, spec in data['models'].items():
        files = tuple(checked_file(name, f) for f in spec['files'])
        entries[name] = ModelEntry(name, spec['family'], spec['variant'], spec['license'],
                                   spec.get('caveats', ''), spec.get('page', ''), files)
    return entries


def get_entry(name: str, registry: dict[str, ModelEntry] | None = None) -> ModelEntry:
    registry = registry if registry is not None else load_registry()
    if name not in registry:
        raise RegistryError(f'unknown model {name!r}; `lite-tracker models` lists the known ones')
    return registry[name]


def cache_dir() -> Path:
    default = Path.home() / '.cache' / 'lite_tracker_ros'
    return Path(os.environ.get('LITE_TRACKER_CACHE') or default)


def search_path() -> list[Path]:
    extra = [Path(p) for p in os.environ.get('LITE_TRACKER_MODEL_PATH', '').split(':') if p]
    return [cache_dir()] + extra


def _how_to_get(entry: ModelEntry, wanted: ModelFile) -> str:
    return (f'run `lite-tracker download {entry.name}`' if wanted.url else
            f'download it from {entry.page} and run `lite-tracker install {entry.name} FILE`')


def _checked(entry: ModelEntry, wanted: ModelFile, path: Path, in_cache: bool) -> Path:
    try:
        if in_cache:
            cache_files.refuse_link(path)
        good = cache_files.verify(path, wanted.sha256, stamp=in_cache)
    except OSError as error:
        raise RegistryError(f'{entry.name}: {error}') from error
    if not good:
        raise CorruptFileError(f'{entry.name}: {path} is corrupt (its SHA-256 no longer '
                               f'matches); re-download it: {_how_to_get(entry, wanted)}')
    return path


def find_file(entry: ModelEntry, role: str) -> Path:
    """Locate an installed, verified file of a model, or say in one line how to install it."""
    wanted = entry.file(role)
    cache = cache_dir()
    for folder in search_path():
        candidate = folder / wanted.name
        in_cache = folder == cache
        if candidate.is_file() or (in_cache and candidate.is_symlink()):
            return _checked(entry, wanted, candidate, in_cache)
    raise RegistryError(f'{entry.name}: {wanted.name} is not installed; '
                        f'{_how_to_get(entry, wanted)}')


def download(name: str, target: Path | None = None, timeout_s: float = 1800.0,
             registry: dict[str, ModelEntry] | None = None,
             stall_s: float = STALL_S) -> list[Path]:
    """
    Download every file of a model that has an address; verify, then move into place.

    ``timeout_s`` bounds the whole call; a connection silent for ``stall_s`` fails. An
    interrupted transfer keeps its ``.part`` file and the next call resumes it.
    """
    entry = get_entry(name, registry)
    wanted = [f for f in entry.files if f.url is not None]
    if not wanted:
        raise RegistryError(f'{name} has no direct download address; get it from {entry.page} '
                            f'and run `lite-tracker install {name} FILE`')
    unverifiable = [f.name for f in wanted if f.sha256 is None or f.size is None]
    if unverifiable:
        raise RegistryError(f'{name}: {", ".join(unverifiable)} has no sha256 and size in the '
                            'registry, so a download could not be verified; add them to '
                            'models/registry.yaml')
    target = target or cache_dir()
    target.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout_s
    return [_download_file(f, target, deadline, stall_s) for f in wanted]


def _download_file(f: ModelFile, target: Path, deadline: float, stall_s: float) -> Path:
    final, part = target / f.name, target / (f.name + cache_files.PART_SUFFIX)
    try:
        cache_files.refuse_link(final)
        if final.exists() and cache_files.verify(final, f.sha256, stamp=True):
            return final
        fetch(f.url, part, f.size, deadline, stall_s)
        got = sha256_of(part, follow_links=False)
    except (OSError, FetchError) as error:
        raise RegistryError(f'{f.name}: {error}') from error
    if got != f.sha256:
        part.unlink()
        raise RegistryError(f'{f.name}: SHA-256 {got} does not match the registry '
                            f'({f.sha256}) although the size does; the file was removed: '
                            'check the address')
    os.replace(part, final)  # renames over a link itself, never writes through one
    cache_files.write_stamp(final, got)
    return final


def install(name: str, source: Path, role: str = 'checkpoint', target: Path | None = None,
            registry: dict[str, ModelEntry] | None = None) -> Path:
    """Copy a manually downloaded file into the cache under the name the registry expects."""
    entry = get_entry(name, registry)
    wanted = entry.file(role)
    if not source.is_file():
        raise RegistryError(f'no file at {source}')
    target = target or cache_dir()
    target.mkdir(parents=True, exist_ok=True)
    final = target / wanted.name
    temporary = target / f'.{wanted.name}.install.{os.getpid()}'
    try:
        cache_files.refuse_link(final)
        digest = _copy_hashing(source, temporary)
        if wanted.sha256 is not None and digest != wanted.sha256:
            raise RegistryError(f'{source} is not the published {wanted.name} (SHA-256 differs)')
        os.replace(temporary, final)
    except OSError as error:
        raise RegistryError(f'{wanted.name}: {error}') from error
    finally:
        temporary.unlink(missing_ok=True)
    cache_files.write_stamp(final, digest)
    return final


def _copy_hashing(source: Path, destination: Path) -> str:
    digest = hashlib.sha256()
    with source.open('rb') as src, cache_files.open_no_follow(destination, 'new') as out:
        for block in iter(lambda: src.read(CHUNK), b''):
            digest.update(block)
            out.write(block)
    return digest.hexdigest()
