# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
First run with nothing installed: the demo's default model and sample video, fetched verified.

Offline like every test: the registry's addresses are pointed at a loopback HTTP server or a
file:// URL serving the real files from ../shared, so the registry's own SHA-256 are checked.
"""

import contextlib
import dataclasses
import functools
import http.server
import io
from pathlib import Path
import threading

import pytest

from lite_tracker_ros import model_registry as mr
from lite_tracker_ros.tools import first_run


@contextlib.contextmanager
def loopback_server(folder: Path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f'http://127.0.0.1:{server.server_address[1]}'
    finally:
        server.shutdown()
        server.server_close()


def served_by(entry: mr.ModelEntry, base_url: str) -> mr.ModelEntry:
    """Return ``entry`` with every address moved to ``base_url``/<cache name>."""
    files = tuple(dataclasses.replace(f, url=f'{base_url}/{f.name}') for f in entry.files if f.url)
    return dataclasses.replace(entry, files=files)


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    cache = tmp_path / 'cache'
    monkeypatch.setenv('LITE_TRACKER_CACHE', str(cache))
    monkeypatch.setenv('LITE_TRACKER_MODEL_PATH', '')
    return cache


def test_default_model_downloads_verified_with_a_progress_bar(empty_cache, capsys,
                                                              nanotrack_dir):
    entry = mr.load_registry()[first_run.DEFAULT_MODEL]
    with loopback_server(nanotrack_dir) as url:
        first_run.ensure_model(entry.name, offline=False,
                               registry={entry.name: served_by(entry, url)})
    for f in entry.files:
        assert mr.sha256_of(empty_cache / f.name) == f.sha256, f.name
    out = capsys.readouterr()
    assert 'downloading nanotrack_v2 (Apache-2.0' in out.out and '--offline refuses' in out.out
    assert '] 100% ' in out.err.splitlines()[-1]


def test_a_download_that_does_not_match_the_registry_is_refused(empty_cache, tmp_path):
    entry = mr.load_registry()[first_run.DEFAULT_MODEL]
    served = tmp_path / 'served'
    served.mkdir()
    for f in entry.files:  # the announced size, other bytes: only the checksum tells
        (served / f.name).write_bytes(b'\0' * f.size)
    with loopback_server(served) as url:
        with pytest.raises(mr.RegistryError, match='does not match the registry'):
            first_run.ensure_model(entry.name, offline=False,
                                   registry={entry.name: served_by(entry, url)})
    assert not any(empty_cache.glob('nanotrackv2*'))


def test_offline_refuses_to_download_and_says_how_to_install(empty_cache):
    with pytest.raises(mr.RegistryError) as error:
        first_run.ensure_model(first_run.DEFAULT_MODEL, offline=True)
    message = str(error.value)
    assert '--offline' in message and '`lite-tracker download nanotrack_v2`' in message
    assert not empty_cache.exists()


def test_the_sample_video_is_fetched_from_a_file_url_and_checked(empty_cache, videos_dir):
    sample = first_run.load_samples()[first_run.DEFAULT_SAMPLE]
    local = dataclasses.replace(
        sample, file=dataclasses.replace(sample.file,
                                         url=(videos_dir / 'pysot_bag.avi').as_uri()))
    logged = []
    got = first_run.sample_video(False, samples={sample.name: local}, log=logged.append)
    assert got == local and 'Apache-2.0' in logged[0]
    path = first_run.sample_video_path(got)
    assert path == empty_cache / 'pysot_bag.avi'
    assert mr.sha256_of(path) == sample.file.sha256  # the registry's checksum is the real file's


def test_without_the_sample_video_the_demo_falls_back_and_says_why(empty_cache):
    sample = first_run.load_samples()[first_run.DEFAULT_SAMPLE]
    logged = []
    assert first_run.sample_video(True, samples={sample.name: sample}, log=logged.append) is None
    assert logged == ['demo: --offline: not fetching the sample video pysot_bag.avi']
    unreachable = dataclasses.replace(
        sample, file=dataclasses.replace(sample.file, url='http://127.0.0.1:9/pysot_bag.avi'))
    logged.clear()
    assert first_run.sample_video(False, samples={sample.name: unreachable},
                                  log=logged.append) is None
    assert logged[-1].startswith('demo: could not fetch the sample video (pysot_bag.avi: '
                                 'download from http://127.0.0.1:9/pysot_bag.avi failed')


def test_the_progress_bar_counts_part_files_against_the_announced_sizes(tmp_path):
    final = tmp_path / 'model.bin'
    final.with_name('model.bin.part').write_bytes(b'x' * 512)
    bar = first_run.ProgressBar([(final, 2048)], 'downloading model', stream=io.StringIO())
    assert bar.line() == ('downloading model: [########......................] '
                          ' 25% 0.0/0.0 MiB')
    unknown = first_run.ProgressBar([(final, None)], 'downloading model', stream=io.StringIO())
    assert unknown.line() == 'downloading model: 0.0 MiB'
