# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""The model registry, the cache search path, and verified, resumable downloads (no network)."""

import hashlib
import http.server
import threading

import pytest
import yaml

from lite_tracker_ros import model_registry as mr
from lite_tracker_ros.specs import all_families


def test_registry_lists_every_family_with_licence_information():
    registry = mr.load_registry()
    families = {e.family for e in registry.values()}
    # the shipped families, and exactly the families described in specs/ (a new family adds
    # its descriptor and its entries, not a name here)
    assert {'litetrack', 'mvt', 'compresstracker', 'fartrack', 'nanotrack'} <= families
    assert families == set(all_families())
    for name in ('litetrack_b4', 'litetrack_b6', 'litetrack_b8', 'litetrack_b9', 'mvt',
                 'compresstracker_2', 'compresstracker_4', 'fartrack', 'nanotrack_v2'):
        entry = registry[name]
        assert entry.license and entry.page.startswith('https://')
    assert 'non-commercial' in registry['fartrack'].caveats
    assert 'CC-BY-NC' in registry['compresstracker_4'].caveats


def test_nanotrack_checksums_match_the_real_files(nanotrack_dir):
    sums = dict(reversed(line.split()) for line in
                (nanotrack_dir / 'SHA256SUMS').read_text().splitlines() if line.strip())
    registry = mr.load_registry()
    for version in ('v1', 'v2', 'v3'):
        for f in registry[f'nanotrack_{version}'].files:
            assert f.sha256 == sums[f.name]
            assert f.size == (nanotrack_dir / f.name).stat().st_size
            assert mr.sha256_of(nanotrack_dir / f.name) == f.sha256


def test_model_path_makes_preinstalled_files_count(nanotrack_dir, tmp_path, monkeypatch):
    monkeypatch.setenv('LITE_TRACKER_CACHE', str(tmp_path / 'empty_cache'))
    entry = mr.get_entry('nanotrack_v2')
    monkeypatch.delenv('LITE_TRACKER_MODEL_PATH', raising=False)
    with pytest.raises(mr.RegistryError, match='lite-tracker download nanotrack_v2'):
        mr.find_file(entry, 'onnx_head')
    monkeypatch.setenv('LITE_TRACKER_MODEL_PATH', f'/nonexistent:{nanotrack_dir}')
    assert mr.find_file(entry, 'onnx_head') == nanotrack_dir / 'nanotrackv2_head.onnx'


def test_missing_drive_only_weights_name_the_page(tmp_path, monkeypatch):
    monkeypatch.setenv('LITE_TRACKER_CACHE', str(tmp_path))
    monkeypatch.delenv('LITE_TRACKER_MODEL_PATH', raising=False)
    with pytest.raises(mr.RegistryError, match=r'github.com/TsingWei/LiteTrack.*lite-tracker '
                                               r'install litetrack_b4 FILE'):
        mr.find_file(mr.get_entry('litetrack_b4'), 'checkpoint')
    with pytest.raises(mr.RegistryError, match='no direct download address'):
        mr.download('litetrack_b4', tmp_path)


def write_registry(tmp_path, url, sha256, size=None):
    path = tmp_path / 'registry.yaml'
    path.write_text(yaml.safe_dump({'version': 1, 'models': {'toy': {
        'family': 'nanotrack', 'variant': 'toy', 'license': 'test', 'page': 'https://example.org',
        'files': [{'name': 'toy.bin', 'role': 'checkpoint', 'url': url, 'sha256': sha256,
                   'size': size}]}}}))
    return mr.load_registry(path)


@pytest.fixture
def payload(tmp_path):
    data = bytes(range(256)) * 4099  # a bit over 1 MiB, so copying takes several chunks
    source = tmp_path / 'source.bin'
    source.write_bytes(data)
    return source, data, hashlib.sha256(data).hexdigest()


def test_download_from_a_file_url_verifies_the_checksum(tmp_path, payload):
    source, data, digest = payload
    registry = write_registry(tmp_path, source.as_uri(), digest, len(data))
    [got] = mr.download('toy', tmp_path / 'cache', registry=registry)
    assert got.read_bytes() == data
    assert not (tmp_path / 'cache' / 'toy.bin.part').exists()


def test_wrong_checksum_is_refused_and_nothing_is_installed(tmp_path, payload):
    source, data, _ = payload
    registry = write_registry(tmp_path, source.as_uri(), '0' * 64, len(data))
    with pytest.raises(mr.RegistryError, match='does not match'):
        mr.download('toy', tmp_path / 'cache', registry=registry)
    assert list((tmp_path / 'cache').iterdir()) == []


class RangeHandler(http.server.BaseHTTPRequestHandler):
    """Serves one byte string, honouring `Range: bytes=N-`, and records the ranges asked."""

    data = b''
    ranges: list = []

    def do_GET(self):  # noqa: N802 - the http.server API
        start = 0
        header = self.headers.get('Range')
        self.ranges.append(header)
        if header:
            start = int(header.split('=')[1].rstrip('-'))
            self.send_response(206)
            end = len(self.data) - 1
            self.send_header('Content-Range', f'bytes {start}-{end}/{len(self.data)}')
        else:
            self.send_response(200)
        body = self.data[start:]
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_interrupted_download_resumes_from_the_partial_file(tmp_path, payload):
    _, data, digest = payload
    RangeHandler.data, RangeHandler.ranges = data, []
    server = http.server.HTTPServer(('127.0.0.1', 0), RangeHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f'http://127.0.0.1:{server.server_port}/toy.bin'
        registry = write_registry(tmp_path, url, digest, len(data))
        cache = tmp_path / 'cache'
        cache.mkdir()
        (cache / 'toy.bin.part').write_bytes(data[:300_000])  # what an interrupted run left
        [got] = mr.download('toy', cache, registry=registry)
    finally:
        server.shutdown()
    assert RangeHandler.ranges == ['bytes=300000-']
    assert got.read_bytes() == data


def test_install_copies_a_manual_download_under_the_registry_name(tmp_path, payload):
    source, data, digest = payload
    registry = write_registry(tmp_path, None, digest)
    got = mr.install('toy', source, target=tmp_path / 'cache', registry=registry)
    assert got.name == 'toy.bin' and got.read_bytes() == data
    other = tmp_path / 'other.bin'
    other.write_bytes(b'not it')
    with pytest.raises(mr.RegistryError, match='SHA-256 differs'):
        mr.install('toy', other, target=tmp_path / 'cache', registry=registry)
