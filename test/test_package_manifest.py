# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
package.xml is a valid format-3 manifest and declares what the code imports.

A robot integrator's ``rosdep install`` reads package.xml only, so a third-party import that is
not declared there breaks their build at run time, not ours.
"""

import ast
from pathlib import Path
import sys

import pytest


ROOT = Path(__file__).resolve().parents[1]

# Python module -> rosdep key (ROS packages map to themselves).
ROSDEP_KEYS = {
    'numpy': 'python3-numpy',
    'cv2': 'python3-opencv',
    'yaml': 'python3-yaml',
    'pytest': 'python3-pytest',
    'hypothesis': 'python3-hypothesis',
    'launch_pytest': 'launch_pytest',
    'launch_testing_ros': 'launch_testing_ros',
}
# No rosdep key on every supported distro: installed with pip, as the README's ROS section says.
PIP_ONLY = {'torch', 'onnxruntime', 'onnx', 'safetensors', 'tensorrt', 'cuda', 'ament_flake8',
            'ament_pep257', 'ament_copyright', 'catkin_pkg'}


def third_party_imports(paths):
    found = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split('.')[0]
                # a sibling helper module, or one in test/ (on sys.path beside conftest.py)
                local = path.with_name(f'{top}.py').exists() or \
                    (ROOT / 'test' / f'{top}.py').exists()
                if top not in sys.stdlib_module_names and top != 'lite_tracker_ros' \
                        and not local:
                    found.add(top)
    return found


@pytest.fixture(scope='module')
def package():
    catkin_pkg_package = pytest.importorskip('catkin_pkg.package',
                                             reason='catkin_pkg not installed')
    return catkin_pkg_package.parse_package(ROOT / 'package.xml')


def test_manifest_is_valid_format_3(package):
    assert package.package_format == 3
    package.validate()  # raises InvalidPackage on any format violation
    assert package.name == 'lite_tracker_ros'
    assert [e.tagname for e in package.exports] == ['build_type']
    assert package.exports[0].content == 'ament_python'


def test_runtime_imports_are_exec_dependencies(package):
    runtime = {d.name for d in package.exec_depends + package.build_export_depends}
    imports = third_party_imports((ROOT / 'lite_tracker_ros').rglob('*.py'))
    imports |= third_party_imports((ROOT / 'launch').glob('*.py'))
    assert imports, 'scanned no imports: the package tree moved?'
    missing = {m for m in imports - PIP_ONLY if ROSDEP_KEYS.get(m, m) not in runtime}
    assert not missing, f'imported but not an exec_depend in package.xml: {sorted(missing)}'


def test_test_imports_are_test_dependencies(package):
    declared = {d.name for d in package.exec_depends + package.build_export_depends
                + package.test_depends}
    imports = third_party_imports(ROOT.joinpath('test').rglob('*.py'))
    missing = {m for m in imports - PIP_ONLY if ROSDEP_KEYS.get(m, m) not in declared}
    assert not missing, f'imported by tests but not declared in package.xml: {sorted(missing)}'


def test_pip_only_dependencies_are_documented():
    readme = (ROOT / 'README.md').read_text()
    imports = third_party_imports((ROOT / 'lite_tracker_ros').rglob('*.py'))
    undocumented = {m for m in imports & PIP_ONLY if m not in readme}
    assert not undocumented, f'pip-only imports missing from README.md: {sorted(undocumented)}'
