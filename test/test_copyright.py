"""Every source file carries the project's license header (ament_copyright, where installed)."""

import pytest

ament_copyright = pytest.importorskip(
    'ament_copyright.main',
    reason='ament_copyright is not on PyPI; a ROS install has it (ros-<distro>-ament-copyright)')


@pytest.mark.copyright
@pytest.mark.linter
def test_copyright():
    rc = ament_copyright.main(argv=['.', 'test'])
    assert rc == 0, 'Found errors'
