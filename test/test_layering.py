# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
The dependency direction: the tracking core and the specs import neither torch nor rclpy.

Checked twice: statically (every import statement of every module under ``core/`` and
``specs/``), and by importing every such module in a fresh interpreter where importing torch or
rclpy raises.
"""

import ast
from pathlib import Path
import subprocess
import sys

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / 'lite_tracker_ros'
FORBIDDEN = ('torch', 'rclpy')
#: layers above the core that it must not reach into
FORBIDDEN_IN_CORE = FORBIDDEN + ('lite_tracker_ros.networks', 'lite_tracker_ros.backends',
                                 'lite_tracker_ros.ros', 'lite_tracker_ros.factory')

_BLOCKER = """
import importlib.abc, pkgutil, sys

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {forbidden!r}:
            raise ImportError(f'{{name}} is not importable in this test')

sys.meta_path.insert(0, Block())
import lite_tracker_ros
for package in ('lite_tracker_ros.core', 'lite_tracker_ros.specs'):
    module = __import__(package, fromlist=['_'])
    for info in pkgutil.walk_packages(module.__path__, package + '.'):
        __import__(info.name)
from lite_tracker_ros.specs import all_specs
all_specs()
leaked = sorted(m for m in sys.modules if m.split('.')[0] in {forbidden!r})
print('LEAKED', leaked)
"""


def _imported_modules(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def _violations(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted((PACKAGE / folder).rglob('*.py')):
        for name in _imported_modules(path):
            if any(name == f or name.startswith(f + '.') for f in forbidden):
                found.append(f'{path.relative_to(PACKAGE)} imports {name}')
    return found


@pytest.mark.parametrize('folder, forbidden', [('core', FORBIDDEN_IN_CORE),
                                               ('specs', FORBIDDEN)])
def test_no_forbidden_import_statements(folder, forbidden):
    assert (PACKAGE / folder / '__init__.py').is_file()
    assert _violations(folder, forbidden) == []


def test_static_check_catches_a_forbidden_import(tmp_path, monkeypatch):
    # the checker itself must be able to fail
    (tmp_path / 'core').mkdir()
    (tmp_path / 'core' / 'bad.py').write_text('import numpy\nfrom torch import nn\n')
    monkeypatch.setattr(sys.modules[__name__], 'PACKAGE', tmp_path)
    assert _violations('core', FORBIDDEN_IN_CORE) == ['core/bad.py imports torch']


def test_core_and_specs_import_with_torch_and_rclpy_unavailable():
    script = _BLOCKER.format(forbidden=set(FORBIDDEN))
    done = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert 'LEAKED []' in done.stdout
