# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
What ``lite-tracker demo`` needs on a machine where nothing is installed yet.

The default model, and a short real video to track on (the ``samples`` of models/registry.yaml,
each with its licence and an init box), are fetched through the registry's own verified,
resumable download (``model_registry.download``), with a progress bar on stderr. ``offline``
refuses every download.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
import sys
import threading

import yaml

from lite_tracker_ros import model_registry as mr

DEFAULT_MODEL = 'nanotrack_v2'
DEFAULT_SAMPLE = 'pysot_bag'


@dataclass(frozen=True)
class SampleVideo:
    """A public video the demo may track on, with the box of its target in the first frame."""

    name: str
    file: mr.ModelFile
    license: str  # noqa: A003 - the registry field name
    page: str
    init_box: tuple[float, float, float, float]


def load_samples(path: Path | None = None) -> dict[str, SampleVideo]:
    data = yaml.safe_load((path or mr.registry_path()).read_text())
    samples = {}
    for name, spec in (data.get('samples') or {}).items():
        samples[name] = SampleVideo(
            name, mr.checked_file(f'samples: {name}', {**spec, 'role': 'video'}),
            spec['license'], spec.get('page', ''),
            tuple(float(v) for v in spec['init_box']))
    return samples


def _entry(sample: SampleVideo) -> mr.ModelEntry:
    return mr.ModelEntry(sample.name, 'sample', 'video', sample.license, '', sample.page,
                         (sample.file,))


def installed(sample: SampleVideo) -> Path | None:
    """Return the verified copy of the sample in the model search path, if there is one."""
    try:
        return mr.find_file(_entry(sample), 'video')
    except mr.RegistryError:  # not installed, or corrupt: fetched (again)
        return None


class ProgressBar:
    """Watch the ``.part`` files a download writes and draw one bar line on ``stream``."""

    def __init__(self, files: list[tuple[Path, int | None]], label: str, stream=None,
                 period_s: float = 0.2, width: int = 30):
        self.files, self.label = files, label
        self.stream = stream or sys.stderr
        self.period_s, self.width = period_s, width
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _done_bytes(self) -> int:
        done = 0
        for final, _ in self.files:
            for path in (final, final.with_name(final.name + '.part')):
                if path.is_file():
                    done += path.stat().st_size
                    break
        return done

    def line(self) -> str:
        done = self._done_bytes()
        sizes = [size for _, size in self.files]
        mib = f'{done / 2**20:.1f}'
        if None in sizes or not sum(sizes):
            return f'{self.label}: {mib} MiB'
        total = sum(sizes)
        fraction = min(1.0, done / total)
        filled = round(fraction * self.width)
        return (f'{self.label}: [{"#" * filled}{"." * (self.width - filled)}] '
                f'{fraction * 100:3.0f}% {mib}/{total / 2**20:.1f} MiB')

    def _run(self) -> None:
        while not self._stop.wait(self.period_s):
            self.stream.write('\r' + self.line())
            self.stream.flush()

    def __enter__(self) -> ProgressBar:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.stream.write('\r' + self.line() + '\n')
        self.stream.flush()


def download_with_progress(entry: mr.ModelEntry, label: str,
                           target: Path | None = None) -> list[Path]:
    """Run ``model_registry.download`` for ``entry`` while a progress bar watches its files."""
    target = target or mr.cache_dir()
    # the registry's sizes: a download without one is refused before it starts
    files = [(target / f.name, f.size) for f in entry.files if f.url]
    with ProgressBar(files, label):
        return mr.download(entry.name, target, registry={entry.name: entry})


def ensure_model(name: str, offline: bool, registry: dict[str, mr.ModelEntry] | None = None,
                 log=print) -> None:
    """Download model ``name`` (verified) unless ``offline``; RegistryError says what failed."""
    entry = mr.get_entry(name, registry)
    if offline:
        raise mr.RegistryError(f'no model installed and --offline: run `lite-tracker download '
                               f'{name}` on a machine with internet, or set '
                               'LITE_TRACKER_MODEL_PATH to a folder with the weights')
    log(f'demo: no model installed; downloading {name} ({entry.license}) into '
        f'{mr.cache_dir()} (SHA-256 checked; --offline refuses)')
    download_with_progress(entry, f'downloading {name}')


def sample_video(offline: bool, name: str = DEFAULT_SAMPLE,
                 samples: dict[str, SampleVideo] | None = None,
                 log=print) -> SampleVideo | None:
    """
    Return the sample video, installed or downloaded (verified); None if it cannot be had.

    The reason it cannot be had (offline, no network, a checksum mismatch) is logged in one
    line; the caller falls back to the generated sample.
    """
    samples = samples if samples is not None else load_samples()
    sample = samples.get(name)
    if sample is None:
        return None
    if installed(sample) is not None:
        return sample
    if offline:
        log(f'demo: --offline: not fetching the sample video {sample.file.name}')
        return None
    entry = _entry(sample)
    log(f'demo: fetching the sample video {sample.file.name} ({sample.license}, '
        f'{sample.page})')
    try:
        download_with_progress(entry, f'downloading {sample.file.name}')
    except mr.RegistryError as error:
        log(f'demo: could not fetch the sample video ({error})')
        return None
    return sample


def sample_video_path(sample: SampleVideo) -> Path:
    path = installed(sample)
    assert path is not None, 'sample_video returned a sample that is not installed'
    return path
