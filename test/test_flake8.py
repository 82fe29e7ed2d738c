# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""ROS-style lint (ament_flake8, with the ament configuration and plugins) over the package."""

from pathlib import Path

import pytest


@pytest.mark.flake8
@pytest.mark.linter
def test_flake8():
    ament_flake8 = pytest.importorskip(
        'ament_flake8.main', reason='ament_flake8 not installed (pip: ament-lint-flake8)')
    config = Path(__file__).with_name('flake8.ini')
    rc, errors = ament_flake8.main_with_errors(argv=['--config', str(config)])
    assert rc == 0, f'Found {len(errors)} code style errors / warnings:\n' + '\n'.join(errors)
