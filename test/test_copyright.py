# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""Every source file carries the project's licence header, as ament_copyright checks it."""

import os
from pathlib import Path
import re

import pytest

ROOT = Path(__file__).resolve().parents[1]
# ament_copyright's short MIT form (template mit_header_0, Humble and later); LICENSE has the text.
HEADER = re.compile(
    r'# Copyright \d{4}(-\d{4})? lite_tracker_ros contributors\n'
    r'#\n'
    r'# Use of this source code is governed by an MIT-style\n'
    r'# license that can be found in the LICENSE file or at\n'
    r'# https://opensource\.org/licenses/MIT\.\n')


def checked_files():
    """Yield the files ament_copyright checks: .py and .cmake, as its crawler selects them."""
    for folder, subfolders, files in os.walk(ROOT):
        if 'AMENT_IGNORE' in files:
            subfolders[:] = []
            continue
        subfolders[:] = sorted(d for d in subfolders if d[0] not in '._'
                               and not (folder == str(ROOT) and d in ('build', 'install', 'log')))
        for name in sorted(files):
            path = Path(folder, name)
            if path.suffix in ('.py', '.cmake') and path != ROOT / 'setup.py':
                yield path


def has_header(text):
    lines = text.splitlines(keepends=True)
    if lines and lines[0].startswith('#!'):
        lines = lines[1:]
    return HEADER.match(''.join(lines)) is not None


def test_every_source_file_starts_with_the_mit_header():
    missing = [str(path.relative_to(ROOT)) for path in checked_files()
               if not has_header(path.read_text())]
    assert not missing, 'add the MIT header (see test/test_copyright.py HEADER) to: ' + \
        ', '.join(missing)


def test_contributing_states_the_licence():
    # ament_copyright also reads CONTRIBUTING.md beside LICENSE at a repository root
    text = ' '.join((ROOT / 'CONTRIBUTING.md').read_text().split())
    assert ('Any contribution that you make to this repository will be under the MIT license'
            in text)


def test_the_header_check_rejects_a_file_without_it():
    assert not has_header('"""Docstring only."""\n')
    assert has_header('#!/usr/bin/env python3\n# Copyright 2026 lite_tracker_ros contributors\n'
                      '#\n# Use of this source code is governed by an MIT-style\n'
                      '# license that can be found in the LICENSE file or at\n'
                      '# https://opensource.org/licenses/MIT.\n')


@pytest.mark.copyright
@pytest.mark.linter
def test_copyright():
    ament_copyright = pytest.importorskip(
        'ament_copyright.main',
        reason='ament_copyright is not on PyPI; a ROS install has it '
               '(ros-<distro>-ament-copyright)')
    rc = ament_copyright.main(argv=['.', 'test'])
    assert rc == 0, 'Found errors'
