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
"""

from __future__ import annotations

from dataclasses import dataclass
import hashlib
import os
from pathlib import Path
import shutil
import urllib.error
import urllib.request

import yaml

CHUNK = 1 << 20


class RegistryError(LookupError):
    """A model or file the registry cannot provide; the message says what to do."""


@dataclass(frozen=True)
class ModelFile:
    """One file of a model: its cache name, role, and where it comes from."""

    name: str
    role: str
    url: str | None
    sha256: str | None


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


def load_registry(path: Path | None = None) -> dict[str, ModelEntry]:
    data = yaml.safe_load((path or registry_path()).read_text())
    entries = {}
    for name, spec in data['models'].items():
        files = tuple(ModelFile(f['name'], f['role'], f.get('url'), f.get('sha256'))
                      for f in spec['files'])
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


def find_file(entry: ModelEntry, role: str) -> Path:
    """Locate an installed file of a model, or say in one line how to install it."""
    wanted = entry.file(role)
    for folder in search_path():
        candidate = folder / wanted.name
        if candidate.is_file():
            return candidate
    how = (f'run `lite-tracker download {entry.name}`' if wanted.url else
           f'download it from {entry.page} and run `lite-tracker install {entry.name} FILE`')
    raise RegistryError(f'{entry.name}: {wanted.name} is not installed; {how}')


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open('rb') as f:
        for block in iter(lambda: f.read(CHUNK), b''):
            digest.update(block)
    return digest.hexdigest()


def _fetch(url: str, part: Path, timeout_s: float) -> None:
    """Append the rest of ``url`` to ``part``, resuming where it stopped when the server can."""
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={'Range': f'bytes={have}-'} if have else {})
    try:
        response = urllib.request.urlopen(request, timeout=timeout_s)
    except urllib.error.HTTPError as error:
        if error.code == 416 and have:  # nothing left to fetch
            return
        raise
    with response:
        resumed = have and getattr(response, 'status', 200) == 206
        with part.open('ab' if resumed else 'wb') as out:
            shutil.copyfileobj(response, out, CHUNK)


def download(name: str, target: Path | None = None, timeout_s: float = 60.0,
             registry: dict[str, ModelEntry] | None = None) -> list[Path]:
    """Download every file of a model that has an address; verify, then move into place."""
    entry = get_entry(name, registry)
    target = target or cache_dir()
    target.mkdir(parents=True, exist_ok=True)
    done = []
    for f in entry.files:
        if f.url is None:
            continue
        final = target / f.name
        if final.is_file() and (f.sha256 is None or sha256_of(final) == f.sha256):
            done.append(final)
            continue
        part = target / (f.name + '.part')
        try:
            _fetch(f.url, part, timeout_s)
        except (urllib.error.URLError, OSError) as error:
            raise RegistryError(f'{f.name}: download from {f.url} failed ({error}); run the '
                                f'command again to resume') from error
        if f.sha256 is not None:
            got = sha256_of(part)
            if got != f.sha256:
                part.unlink()
                raise RegistryError(f'{f.name}: SHA-256 {got} does not match the registry '
                                    f'({f.sha256}); the partial file was removed')
        part.replace(final)
        done.append(final)
    if not done:
        raise RegistryError(f'{name} has no direct download address; get it from {entry.page} '
                            f'and run `lite-tracker install {name} FILE`')
    return done


def install(name: str, source: Path, role: str = 'checkpoint', target: Path | None = None,
            registry: dict[str, ModelEntry] | None = None) -> Path:
    """Copy a manually downloaded file into the cache under the name the registry expects."""
    entry = get_entry(name, registry)
    wanted = entry.file(role)
    if not source.is_file():
        raise RegistryError(f'no file at {source}')
    if wanted.sha256 is not None and sha256_of(source) != wanted.sha256:
        raise RegistryError(f'{source} is not the published {wanted.name} (SHA-256 differs)')
    target = target or cache_dir()
    target.mkdir(parents=True, exist_ok=True)
    final = target / wanted.name
    shutil.copyfile(source, final)
    return final
