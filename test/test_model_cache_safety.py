# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
The model cache and downloads against hostile servers, planted links and damaged files.

Servers are loopback ``http.server`` threads (or ``file://`` addresses); every file is built here.
"""

import hashlib
import http.server
import os
import subprocess
import sys
import threading
import time

import pytest
import yaml

from lite_tracker_ros import cache_files
from lite_tracker_ros import model_registry as mr

DATA = bytes(range(256)) * 4096  # 1 MiB
DIGEST = hashlib.sha256(DATA).hexdigest()


def registry_with(tmp_path, url, name='toy.bin', sha256=DIGEST, size=len(DATA)):
    path = tmp_path / 'registry.yaml'
    path.write_text(yaml.safe_dump({'version': 1, 'models': {'toy': {
        'family': 'nanotrack', 'variant': 'toy', 'license': 'test', 'page': 'https://example.org',
        'files': [{'name': name, 'role': 'checkpoint', 'url': url, 'sha256': sha256,
                   'size': size}]}}}))
    return mr.load_registry(path)


class Handler(http.server.BaseHTTPRequestHandler):
    """Serves DATA the way ``mode`` says; honours `Range: bytes=N-` in the 'full' mode."""

    protocol_version = 'HTTP/1.1'
    mode = 'full'

    def do_GET(self):  # noqa: N802 - the http.server API
        getattr(self, f'send_{self.mode}')()
        self.close_connection = True

    def send_full(self):
        start = int(self.headers['Range'].split('=')[1].rstrip('-')) if self.headers['Range'] \
            else 0
        self.send_response(206 if start else 200)
        if start:
            self.send_header('Content-Range', f'bytes {start}-{len(DATA) - 1}/{len(DATA)}')
        self.send_header('Content-Length', str(len(DATA) - start))
        self.end_headers()
        self.wfile.write(DATA[start:])

    def send_short(self):  # no length, half the body, a clean close
        self.send_response(200)
        self.end_headers()
        self.wfile.write(DATA[:len(DATA) // 2])

    def send_chunked_cut(self):  # announces a chunk and closes inside it
        self.send_response(200)
        self.send_header('Transfer-Encoding', 'chunked')
        self.end_headers()
        self.wfile.write(b'%x\r\n' % 100_000 + DATA[:40_000])

    def send_endless(self):  # far more than the registry's size, no length
        self.send_response(200)
        self.end_headers()
        try:
            for _ in range(64):
                self.wfile.write(DATA)
        except OSError:
            pass  # the client stopped reading

    def send_huge_length(self):
        self.send_response(200)
        self.send_header('Content-Length', str(200 << 20))
        self.end_headers()
        self.wfile.write(DATA[:1000])

    def send_trickle(self):  # one byte a second
        self.send_response(200)
        self.send_header('Content-Length', str(len(DATA)))
        self.end_headers()
        try:
            for byte in DATA[:30]:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(1.0)
        except OSError:
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f'http://127.0.0.1:{httpd.server_port}/toy.bin'
    httpd.shutdown()
    Handler.mode = 'full'


def download_error(registry, cache, match, **kwargs):
    with pytest.raises(mr.RegistryError, match=match) as error:
        mr.download('toy', cache, registry=registry, **kwargs)
    assert '\n' not in str(error.value)
    return str(error.value)


# --- transfers

def test_short_body_keeps_the_partial_file_and_the_next_run_resumes(tmp_path, server):
    registry, cache = registry_with(tmp_path, server), tmp_path / 'cache'
    Handler.mode = 'short'
    message = download_error(registry, cache, 'closed the transfer at 524288 of 1048576 bytes')
    assert 'partial file is kept' in message and 'SHA' not in message
    assert (cache / 'toy.bin.part').read_bytes() == DATA[:len(DATA) // 2]
    Handler.mode = 'full'
    [got] = mr.download('toy', cache, registry=registry)
    assert got.read_bytes() == DATA and not (cache / 'toy.bin.part').exists()


def test_chunked_body_cut_mid_stream_is_one_clear_error(tmp_path, server):
    Handler.mode = 'chunked_cut'
    message = download_error(registry_with(tmp_path, server), tmp_path / 'cache',
                             'connection lost at')
    assert 'IncompleteRead' in message and 'resume' in message


def test_bytes_are_capped_at_the_declared_size(tmp_path, server):
    Handler.mode = 'endless'
    cache = tmp_path / 'cache'
    download_error(registry_with(tmp_path, server), cache, 'more than the 1048576 bytes')
    assert list(cache.iterdir()) == []


def test_an_announced_oversize_body_is_refused_before_writing(tmp_path, server):
    Handler.mode = 'huge_length'
    cache = tmp_path / 'cache'
    download_error(registry_with(tmp_path, server), cache, 'offers 209715200 bytes')
    assert not (cache / 'toy.bin.part').exists() or (cache / 'toy.bin.part').stat().st_size == 0


def test_a_trickling_server_meets_the_total_deadline(tmp_path, server):
    Handler.mode = 'trickle'
    start = time.monotonic()
    message = download_error(registry_with(tmp_path, server), tmp_path / 'cache',
                             'deadline reached', timeout_s=2.0)
    elapsed = time.monotonic() - start
    print(f'\ntrickle: failed after {elapsed:.2f} s with timeout_s=2')  # for docs (pytest -s)
    assert elapsed < 6.0, elapsed  # 30 s of trickle; the deadline is 2 s (plus one read)
    assert 'resume' in message


def test_file_urls_are_capped_and_checked_too(tmp_path):
    short = tmp_path / 'short.bin'
    short.write_bytes(DATA[:1000])
    download_error(registry_with(tmp_path, short.as_uri()), tmp_path / 'a',
                   'closed the transfer at 1000 of 1048576')
    long = tmp_path / 'long.bin'
    long.write_bytes(DATA + b'more')
    download_error(registry_with(tmp_path, long.as_uri()), tmp_path / 'b',
                   'offers 1048580 bytes')


def test_entries_without_a_checksum_or_size_are_not_downloaded(tmp_path):
    source = tmp_path / 'source.bin'
    source.write_bytes(DATA[:1000])  # a truncated file: nothing could tell
    for registry in (registry_with(tmp_path, source.as_uri(), sha256=None),
                     registry_with(tmp_path, source.as_uri(), size=None)):
        download_error(registry, tmp_path / 'cache', 'no sha256 and size')
    assert not (tmp_path / 'cache' / 'toy.bin').exists()


# --- names and links

@pytest.mark.parametrize('name', ['../escape.bin', '../../x', '/tmp/abs.bin', 'sub/dir.bin',
                                  '..', '.hidden', 'toy.bin.part', 'toy.bin.verified',
                                  'back\\slash.bin', ''])
def test_registry_file_names_must_be_plain(tmp_path, name):
    source = tmp_path / 'source.bin'
    source.write_bytes(DATA)
    with pytest.raises(mr.RegistryError, match='not a plain file name'):
        registry_with(tmp_path, source.as_uri(), name=name)
    assert not (tmp_path / 'escape.bin').exists()


def test_a_part_file_link_is_refused_and_its_target_untouched(tmp_path, server):
    victim = tmp_path / 'victim.txt'
    victim.write_bytes(b'precious')
    cache = tmp_path / 'cache'
    cache.mkdir()
    (cache / 'toy.bin.part').symlink_to(victim)
    download_error(registry_with(tmp_path, server), cache, 'symbolic link')
    assert victim.read_bytes() == b'precious'


def test_a_final_name_link_is_refused_by_install_and_download(tmp_path, server):
    victim = tmp_path / 'victim.txt'
    victim.write_bytes(b'precious')
    cache = tmp_path / 'cache'
    cache.mkdir()
    (cache / 'toy.bin').symlink_to(victim)
    source = tmp_path / 'source.bin'
    source.write_bytes(DATA)
    registry = registry_with(tmp_path, server)
    with pytest.raises(mr.RegistryError, match='symbolic link'):
        mr.install('toy', source, target=cache, registry=registry)
    download_error(registry, cache, 'symbolic link')
    assert victim.read_bytes() == b'precious'


def test_a_link_in_the_cache_is_not_used(tmp_path, monkeypatch):
    cache = tmp_path / 'cache'
    cache.mkdir()
    elsewhere = tmp_path / 'elsewhere.bin'
    elsewhere.write_bytes(DATA)
    (cache / 'toy.bin').symlink_to(elsewhere)
    monkeypatch.setenv('LITE_TRACKER_CACHE', str(cache))
    monkeypatch.delenv('LITE_TRACKER_MODEL_PATH', raising=False)
    entry = registry_with(tmp_path, None)['toy']
    with pytest.raises(mr.RegistryError, match='symbolic link'):
        mr.find_file(entry, 'checkpoint')


# --- what is in the cache is verified before use

@pytest.fixture
def installed(tmp_path, monkeypatch):
    """toy.bin downloaded into a cache that find_file searches."""
    cache = tmp_path / 'cache'
    source = tmp_path / 'source.bin'
    source.write_bytes(DATA)
    registry = registry_with(tmp_path, source.as_uri())
    [path] = mr.download('toy', cache, registry=registry)
    monkeypatch.setenv('LITE_TRACKER_CACHE', str(cache))
    monkeypatch.delenv('LITE_TRACKER_MODEL_PATH', raising=False)
    return registry['toy'], path


def test_a_changed_cache_file_is_reported_corrupt(installed):
    entry, path = installed
    assert mr.find_file(entry, 'checkpoint') == path
    blob = bytearray(path.read_bytes())
    blob[1000] ^= 1
    path.write_bytes(bytes(blob))
    with pytest.raises(mr.CorruptFileError, match='corrupt.*re-download'):
        mr.find_file(entry, 'checkpoint')


def test_the_stamp_spares_rehashing_until_the_file_changes(installed, monkeypatch):
    entry, path = installed
    hashed = []
    real = cache_files.sha256_of
    monkeypatch.setattr(cache_files, 'sha256_of',
                        lambda *a, **k: hashed.append(a) or real(*a, **k))
    for _ in range(3):
        mr.find_file(entry, 'checkpoint')
    assert hashed == []
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
    mr.find_file(entry, 'checkpoint')
    mr.find_file(entry, 'checkpoint')
    assert len(hashed) == 1  # hashed once after the change, stamped again


def test_a_corrupt_download_is_fetched_again(installed):
    entry, path = installed
    path.write_bytes(b'x' * len(DATA))
    registry = {'toy': entry}
    [again] = mr.download('toy', path.parent, registry=registry)
    assert again.read_bytes() == DATA


def test_a_manual_install_without_registry_hash_is_checked_against_its_stamp(
        tmp_path, monkeypatch):
    source = tmp_path / 'manual.bin'
    source.write_bytes(DATA)
    registry = registry_with(tmp_path, None, sha256=None, size=None)
    cache = tmp_path / 'cache'
    path = mr.install('toy', source, target=cache, registry=registry)
    monkeypatch.setenv('LITE_TRACKER_CACHE', str(cache))
    monkeypatch.delenv('LITE_TRACKER_MODEL_PATH', raising=False)
    assert mr.find_file(registry['toy'], 'checkpoint') == path
    path.write_bytes(DATA[:-1] + b'?')
    with pytest.raises(mr.CorruptFileError, match='lite-tracker install toy FILE'):
        mr.find_file(registry['toy'], 'checkpoint')


def test_models_lists_a_corrupt_cache_file_as_such(tmp_path):
    (tmp_path / 'nanotrackv2_head.onnx').write_bytes(b'not the published head')
    env = dict(os.environ, LITE_TRACKER_CACHE=str(tmp_path), LITE_TRACKER_MODEL_PATH='')
    result = subprocess.run([sys.executable, '-m', 'lite_tracker_ros.cli', 'models'],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if line.startswith('nanotrack_v2 '))
    assert 'onnx_head (corrupt, re-download)' in row
