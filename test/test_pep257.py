# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""ROS-style docstring lint (ament_pep257) over the package and the tests."""

import pytest


@pytest.mark.linter
@pytest.mark.pep257
def test_pep257():
    main = pytest.importorskip(
        'ament_pep257.main', reason='ament_pep257 not installed (pip: ament-lint-pep257)').main
    rc = main(argv=['.', 'test'])
    assert rc == 0, 'Found code style errors / warnings'
