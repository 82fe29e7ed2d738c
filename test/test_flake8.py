# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""ROS-style lint (ament_flake8, with the ament configuration and plugins) over the package."""

from pathlib import Path
import subprocess
import sys

import pytest


@pytest.mark.flake8
@pytest.mark.linter
def test_flake8():
    pytest.importorskip(
        'ament_flake8.main', reason='ament_flake8 not installed (pip: ament-lint-flake8)')
    config = Path(__file__).with_name('flake8.ini')
    # In a fresh interpreter: flake8 forks worker processes, and a fork of this one (rclpy,
    # torch and executor threads from earlier in-process tests) can crash in the child and
    # leave the pool waiting for ever.
    run = subprocess.run([sys.executable, '-m', 'ament_flake8.main', '--config', str(config)],
                         cwd=Path(__file__).parents[1], capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, f'code style errors / warnings:\n{run.stdout}{run.stderr}'
