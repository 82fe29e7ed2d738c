# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Fixtures shared by the whole suite, and the ROS isolation rules enforced in one place.

Every ROS participant a test starts (in this process or a child) discovers only on loopback and
uses a per-run domain id. scripts/test.sh additionally runs the suite in a loopback-only network
namespace when it can create one; ``ros_isolation`` reports which.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
import random
import sys

import numpy as np
import pytest


def _fast_dds_major() -> int | None:
    from importlib.metadata import PackageNotFoundError, version
    for wheel in ('ros-fastrtps', 'ros-fastdds'):
        try:
            return int(version(wheel).split('.')[0])
        except (PackageNotFoundError, ValueError):
            continue
    return None


# Set before any test imports rclpy: rmw reads these at context initialisation, and child
# processes inherit them. Discovery outside loopback is never allowed, whatever the caller set.
os.environ['ROS_AUTOMATIC_DISCOVERY_RANGE'] = 'LOCALHOST'
os.environ.pop('ROS_STATIC_PEERS', None)
# Shared memory big enough for camera images, UDP bound to 127.0.0.1 (see the file's comment).
os.environ['FASTDDS_DEFAULT_PROFILES_FILE'] = str(
    Path(__file__).resolve().parents[1] / 'scripts' / 'fastdds_loopback.xml')
# Fast DDS 2 (Humble, Jazzy; the oldest-stack venv) reads only the older name, which Fast DDS 3
# reports as deprecated: without it images over 0.5 MiB go as UDP fragments and get lost.
if _fast_dds_major() == 2 or os.environ.get('ROS_DISTRO') in ('humble', 'jazzy'):
    os.environ['FASTRTPS_DEFAULT_PROFILES_FILE'] = os.environ['FASTDDS_DEFAULT_PROFILES_FILE']
if not os.environ.get('ROS_DOMAIN_ID'):
    # 1..101 keeps every participant's ports below the ephemeral range.
    os.environ['ROS_DOMAIN_ID'] = str(random.SystemRandom().randint(1, 101))
_worker = os.environ.get('PYTEST_XDIST_WORKER', '')  # 'gw0', 'gw1', ... under pytest-xdist
if _worker.startswith('gw') and _worker[2:].isdigit():
    # Each worker is a separate run: its own domain (so end-to-end tests that use the same topic
    # names cannot hear each other), still within 1..101, and one math thread per worker, since
    # the workers already fill the cores (torch and ONNX Runtime would otherwise each start a
    # thread per core and the workers would fight over them).
    _base = int(os.environ['ROS_DOMAIN_ID']) - 1
    os.environ['ROS_DOMAIN_ID'] = str((_base + 37 * int(_worker[2:])) % 101 + 1)
    for _name in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS'):
        os.environ.setdefault(_name, '1')

# scripts/bootstrap.sh registers the package in the venv's ament index, as colcon does in a
# workspace; make that prefix visible as sourcing a workspace's setup script would.
if (Path(sys.prefix) / 'share/ament_index/resource_index/packages/lite_tracker_ros').exists():
    _prefixes = [p for p in os.environ.get('AMENT_PREFIX_PATH', '').split(os.pathsep) if p]
    if sys.prefix not in _prefixes:
        os.environ['AMENT_PREFIX_PATH'] = os.pathsep.join(_prefixes + [sys.prefix])

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = Path(os.environ.get('LITE_TRACKER_SHARED', REPO_ROOT.parent / 'shared')).resolve()


def _shared_subdir(*parts: str) -> Path:
    path = SHARED_DIR.joinpath(*parts)
    if not path.exists():
        pytest.skip(f'needs {path} (the read-only ../shared data beside the checkout); not found')
    return path


@pytest.fixture(scope='session')
def shared_dir() -> Path:
    return _shared_subdir()


@pytest.fixture(scope='session')
def conformance_dir() -> Path:
    return _shared_subdir('conformance')


@pytest.fixture(scope='session')
def sot_dir() -> Path:
    return _shared_subdir('data', 'sot')


@pytest.fixture(scope='session')
def videos_dir() -> Path:
    return _shared_subdir('data', 'videos')


@pytest.fixture(scope='session')
def nanotrack_dir() -> Path:
    return _shared_subdir('models', 'nanotrack')


def pytest_collection_modifyitems(config, items):
    """
    Files with slow tests first, in their order; the rest after, in theirs.

    pytest-xdist (scripts/test.sh) hands the files to its workers in this order, so the long
    ones start early and the workers finish together instead of one running the last long file
    alone.
    """
    slow_files = {item.path for item in items if item.get_closest_marker('slow')}
    items.sort(key=lambda item: item.path not in slow_files)  # stable: order kept within each


def pytest_report_header(config):
    netns = os.environ.get('LITE_TRACKER_NETNS', 'no (not started by scripts/test.sh as root)')
    discovery = os.environ['ROS_AUTOMATIC_DISCOVERY_RANGE']
    return [f'ROS isolation: ROS_AUTOMATIC_DISCOVERY_RANGE={discovery}'
            f' ROS_DOMAIN_ID={os.environ["ROS_DOMAIN_ID"]} loopback-only netns={netns}',
            f'shared data: {SHARED_DIR} ({"found" if SHARED_DIR.exists() else "missing"})']


@pytest.fixture(scope='session')
def synth_weights(conformance_dir):
    """Import the conformance pack's own weight generator from the read-only pack."""
    spec = importlib.util.spec_from_file_location('synth_weights',
                                                  conformance_dir / 'synth_weights.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='session')
def conformance_state_dict(conformance_dir, synth_weights):
    """``name -> {key: ndarray}``: the pack's deterministic weights for a conformance model."""
    cache = {}

    def build(name: str) -> dict:
        if name not in cache:
            meta = json.loads(str(np.load(conformance_dir / f'{name}.npz')['meta']))
            rows = synth_weights.read_manifest(conformance_dir / f'{name}.manifest.tsv')
            cache[name] = synth_weights.make_state_dict(rows, int(meta['seed']))
        return cache[name]
    return build


@pytest.fixture(scope='session')
def synthetic_weights_file(conformance_state_dict, tmp_path_factory):
    """``name -> Path``: the deterministic weights of a conformance model as a safetensors file."""
    from safetensors.numpy import save_file
    folder = tmp_path_factory.mktemp('synthetic_weights')

    def write(name: str) -> Path:
        path = folder / f'{name}.safetensors'
        if not path.exists():
            state = conformance_state_dict(name)
            save_file({k: v.copy(order='C') for k, v in state.items()}, str(path))
        return path
    return write


@pytest.fixture(scope='session')
def conformance_frames(conformance_dir, sot_dir):
    """
    ``count -> [RGB frames]``: the conformance sequence (Deer 0001..) decoded as the pack did.

    Skips when this OpenCV decodes a frame to other pixels than the pack recorded (frames.tsv
    ``rgb_sha256``): tracks from different pixels are not comparable.
    """
    import hashlib

    import cv2
    rows = []
    with open(conformance_dir / 'frames.tsv') as f:
        lines = [line.rstrip('\n').split('\t') for line in f if not line.startswith('#')]
    rows = [dict(zip(lines[0], line)) for line in lines[1:] if line and line[0]]
    decoded: list = []

    def frames(count: int) -> list:
        for row in rows[len(decoded):count]:
            bgr = cv2.imread(str(sot_dir / 'Deer' / 'img' / row['file']), cv2.IMREAD_COLOR)
            if bgr is None:
                pytest.skip(f'cannot read {row["file"]} of {sot_dir / "Deer" / "img"}')
            rgb = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            if hashlib.sha256(rgb.tobytes()).hexdigest() != row['rgb_sha256']:
                pytest.skip(f'this OpenCV ({cv2.__version__}) decodes {row["file"]} to other '
                            'pixels than the pack (frames.tsv rgb_sha256)')
            decoded.append(rgb)
        return decoded[:count]
    return frames
