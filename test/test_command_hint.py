# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""Hints name `lite-tracker` the way it runs where the user is (workspace, venv, PATH)."""

import os
from pathlib import Path
import subprocess
import sys

import pytest

from lite_tracker_ros.command_hint import lite_tracker_command, localize, PLAIN, ROS2_RUN


def executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('#!/bin/sh\n')
    path.chmod(0o755)
    return path


def test_from_a_colcon_install_it_is_ros2_run(tmp_path):
    lib = tmp_path / 'install' / 'lite_tracker_ros' / 'lib' / 'lite_tracker_ros'
    executable(lib / 'lite-tracker')
    node = executable(lib / 'tracker_node')
    assert lite_tracker_command(argv0=str(node), path='', python='/usr/bin/python3') == ROS2_RUN


def test_on_path_it_is_the_plain_command(tmp_path):
    bin_dir = executable(tmp_path / 'bin' / 'lite-tracker').parent
    assert lite_tracker_command(argv0='/x/tool.py', path=str(bin_dir),
                                python='/usr/bin/python3') == PLAIN


def test_in_a_venv_that_is_not_activated_it_is_the_venv_script(tmp_path):
    executable(tmp_path / '.venv' / 'bin' / 'lite-tracker')
    python = tmp_path / '.venv' / 'bin' / 'python'
    assert lite_tracker_command(argv0='/x/tool.py', path='', python=str(python),
                                cwd=tmp_path) == '.venv/bin/lite-tracker'


def test_a_sourced_workspace_without_the_script_on_path_is_ros2_run(tmp_path, monkeypatch):
    prefix = tmp_path / 'install'
    executable(prefix / 'lib' / 'lite_tracker_ros' / 'lite-tracker')
    monkeypatch.setenv('AMENT_PREFIX_PATH', f'{tmp_path / "other"}{os.pathsep}{prefix}')
    assert lite_tracker_command(argv0='/x/tool.py', path='', python='/usr/bin/python3') == \
        ROS2_RUN


def test_only_hints_in_backticks_are_rewritten():
    text = 'lite-tracker install: x is not installed; run `lite-tracker install x FILE`'
    assert localize(text, ROS2_RUN) == ('lite-tracker install: x is not installed; run '
                                        '`ros2 run lite_tracker_ros lite-tracker install x FILE`')
    assert localize(text, PLAIN) == text


def test_the_node_started_from_the_workspace_layout_names_ros2_run(tmp_path):
    node = Path(sys.prefix) / 'lib' / 'lite_tracker_ros' / 'tracker_node'
    if not node.exists():
        pytest.skip(f'{node} missing: scripts/bootstrap.sh makes that colcon layout in the venv')
    env = dict(os.environ, LITE_TRACKER_CACHE=str(tmp_path), LITE_TRACKER_MODEL_PATH='')
    done = subprocess.run([str(node), '--ros-args', '-p', 'model:=litetrack_b4'],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().endswith(
        'run `ros2 run lite_tracker_ros lite-tracker install litetrack_b4 FILE`'), done.stderr
