"""
Fixtures shared by the whole suite, and the ROS isolation rules enforced in one place.

Every ROS participant a test starts (in this process or a child) discovers only on loopback and
uses a per-run domain id. scripts/test.sh additionally runs the suite in a loopback-only network
namespace when it can create one; ``ros_isolation`` reports which.
"""

from __future__ import annotations

import os
from pathlib import Path
import random

import pytest

# Set before any test imports rclpy: rmw reads these at context initialisation, and child
# processes inherit them. Discovery outside loopback is never allowed, whatever the caller set.
os.environ['ROS_AUTOMATIC_DISCOVERY_RANGE'] = 'LOCALHOST'
os.environ.pop('ROS_STATIC_PEERS', None)
if not os.environ.get('ROS_DOMAIN_ID'):
    # 1..101 keeps every participant's ports below the ephemeral range.
    os.environ['ROS_DOMAIN_ID'] = str(random.SystemRandom().randint(1, 101))

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


def pytest_report_header(config):
    netns = os.environ.get('LITE_TRACKER_NETNS', 'no (not started by scripts/test.sh as root)')
    discovery = os.environ['ROS_AUTOMATIC_DISCOVERY_RANGE']
    return [f'ROS isolation: ROS_AUTOMATIC_DISCOVERY_RANGE={discovery}'
            f' ROS_DOMAIN_ID={os.environ["ROS_DOMAIN_ID"]} loopback-only netns={netns}',
            f'shared data: {SHARED_DIR} ({"found" if SHARED_DIR.exists() else "missing"})']
