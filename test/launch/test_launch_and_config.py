# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Launch files declare the documented arguments, and every device profile is a valid parameter set.

Runs without the ``launch`` package: the launch files are read as Python source.
"""

import ast
from dataclasses import fields
from pathlib import Path

import pytest
import yaml

from lite_tracker_ros.ros.node_parameters import BACKENDS, PRECISIONS, TrackerParameters

ROOT = Path(__file__).resolve().parents[2]


def declared_arguments(path: Path) -> set:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, 'id', '') == 'DeclareLaunchArgument':
            names.add(node.args[0].value)
    return names


def test_track_launch_arguments():
    assert declared_arguments(ROOT / 'launch' / 'track.launch.py') >= {
        'profile', 'model', 'backend', 'image_topic', 'namespace', 'params_file',
        'use_compressed', 'weights', 'device', 'autostart'}


def module_constant(path: Path, name: str):
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], 'id', '') == name:
            return ast.literal_eval(node.value)
    raise AssertionError(f'{name} not found in {path.name}')


def test_multi_camera_launch_passes_every_track_argument_but_the_per_camera_ones():
    multi = ROOT / 'launch' / 'multi_camera.launch.py'
    per_camera = {'namespace', 'image_topic'}  # set by the multi-camera file for each camera
    track = declared_arguments(ROOT / 'launch' / 'track.launch.py')
    shared = set(module_constant(multi, 'SHARED_ARGUMENTS'))
    assert shared == track - per_camera
    assert declared_arguments(multi) == shared | {'cameras', 'image_topic'}
    assert "'track.launch.py'" in multi.read_text()  # each camera includes track.launch.py


def test_diagnostics_analyzers_are_generic_analyzers_with_a_matcher():
    data = yaml.safe_load((ROOT / 'config' / 'diagnostics' / 'tracker_analyzers.yaml')
                          .read_text())
    params = data['analyzers']['ros__parameters']
    analyzers = {k: v for k, v in params.items() if isinstance(v, dict)}
    assert set(analyzers) == {'trackers', 'topics'} and params['path']
    for analyzer in analyzers.values():
        assert analyzer['type'] == 'diagnostic_aggregator/GenericAnalyzer'
        assert analyzer['path'] and analyzer['contains']


def test_demo_launch_arguments():
    assert declared_arguments(ROOT / 'launch' / 'demo.launch.py') >= {
        'source', 'model', 'backend', 'weights', 'rate_hz', 'init_box'}


def profiles():
    tree = ast.parse((ROOT / 'launch' / 'track.launch.py').read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and node.targets[0].id == 'PROFILES':
            return [e.value for e in node.value.elts]
    raise AssertionError('PROFILES not found in track.launch.py')


@pytest.mark.parametrize('profile', profiles())
def test_profile_sets_exactly_the_node_parameters_with_valid_values(profile):
    data = yaml.safe_load((ROOT / 'config' / f'{profile}.yaml').read_text())
    assert list(data) == ['/**/tracker_node']
    params = data['/**/tracker_node']['ros__parameters']
    defaults = TrackerParameters()
    assert set(params) == {f.name for f in fields(TrackerParameters)}
    for name, value in params.items():
        assert type(value) is type(getattr(defaults, name)), name  # noqa: E721 - bool is an int
    assert params['backend'] in BACKENDS and params['precision'] in PRECISIONS
    assert -1.0 <= params['lost_threshold'] <= 1.0
    assert params['init_buffer_size'] >= 1
    TrackerParameters(**params)


def test_every_profile_file_is_reachable_from_the_launch_file():
    on_disk = {p.stem for p in (ROOT / 'config').glob('*.yaml')}
    assert on_disk == set(profiles())
