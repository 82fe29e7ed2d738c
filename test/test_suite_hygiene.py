# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
The suite collects the same everywhere: on this venv, under colcon test, on the oldest stack.

A ROS install loads the launch_testing pytest plugin, which imports every test module while
collecting: a skip raised at import there skips the whole directory. So skips live inside tests.
The oldest supported Python (3.10: Humble, JetPack 6) must parse every file we ship or test with.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYTHON_FLOOR = (3, 10)


def python_files(*folders):
    for folder in folders:
        yield from sorted((ROOT / folder).rglob('*.py'))


def module_level_skips(path):
    """List the calls of pytest skip helpers that run at import (outside functions, classes)."""
    found = []
    pending = list(ast.parse(path.read_text(), str(path)).body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ('importorskip', 'skip')
                and getattr(node.func.value, 'id', '') == 'pytest'):
            found.append(f'{path.name}:{node.lineno}')
        pending.extend(ast.iter_child_nodes(node))
    return sorted(found)


def test_no_test_module_skips_at_import():
    found = [hit for path in python_files('test') for hit in module_level_skips(path)]
    assert not found, 'skip inside the test instead (module-level skips hide the directory ' \
                      'from colcon test): ' + ', '.join(found)


def test_the_hygiene_check_sees_a_module_level_importorskip(tmp_path):
    path = tmp_path / 'sample.py'
    path.write_text("import pytest\nx = pytest.importorskip('y')\n"
                    'def test_a():\n    pytest.skip("inside is fine")\n'
                    'if x:\n    def test_b():\n        pytest.skip("so is this")\n')
    assert module_level_skips(path) == ['sample.py:2']


@pytest.mark.parametrize('folder', ['lite_tracker_ros', 'launch', 'test', 'benchmarks'])
def test_sources_parse_on_the_oldest_supported_python(folder):
    failures = []
    for path in python_files(folder):
        try:
            ast.parse(path.read_text(), str(path), feature_version=PYTHON_FLOOR)
        except SyntaxError as error:
            failures.append(f'{path.relative_to(ROOT)}:{error.lineno}: {error.msg}')
    assert not failures, f'not Python {PYTHON_FLOOR[0]}.{PYTHON_FLOOR[1]} syntax: ' + \
        '; '.join(failures)


def test_the_syntax_floor_rejects_newer_syntax():
    with pytest.raises(SyntaxError):
        ast.parse('def f[T](x: T) -> T:\n    return x\n', feature_version=PYTHON_FLOOR)
