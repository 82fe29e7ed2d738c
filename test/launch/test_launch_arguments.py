# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Launch arguments: each one described, each one checked, and a bad value named in one line.

The checks (lite_tracker_ros.launch_arguments) run without the ``launch`` package; where ROS
launch is importable, the launch files themselves are run with bad arguments as well.
"""

import ast
from pathlib import Path
import subprocess
import sys
import textwrap

import pytest

from lite_tracker_ros.launch_arguments import (ArgumentError, check_box, existing_file,
                                               parse_bool, parse_box, parse_choice, parse_rate)

ROOT = Path(__file__).resolve().parents[2]
LAUNCH_FILES = ('demo.launch.py', 'track.launch.py')
# arguments passed on as free text: a model name, a device string, a namespace, a topic
FREE_TEXT = {'model', 'device', 'namespace', 'image_topic'}
CHECKS = {'existing_file', 'parse_bool', 'parse_box', 'parse_choice', 'parse_rate'}


def declarations(name):
    tree = ast.parse((ROOT / 'launch' / name).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, 'id', '') == 'DeclareLaunchArgument':
            yield node.args[0].value, {k.arg: k.value for k in node.keywords}


def checked_names(name):
    tree = ast.parse((ROOT / 'launch' / name).read_text())
    return {node.args[0].value for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, 'id', '') in CHECKS
            and isinstance(node.args[0], ast.Constant)}


@pytest.mark.parametrize('name', LAUNCH_FILES)
def test_every_launch_argument_has_a_description(name):
    undescribed = [arg for arg, keywords in declarations(name)
                   if 'description' not in keywords
                   or getattr(keywords['description'], 'value', None) == '']
    assert not undescribed, f'{name}: no description for {undescribed}'


@pytest.mark.parametrize('name', LAUNCH_FILES)
def test_every_launch_argument_is_checked_before_use(name):
    declared = {arg for arg, _ in declarations(name)}
    unchecked = declared - FREE_TEXT - checked_names(name)
    assert not unchecked, f'{name}: {sorted(unchecked)} reach the nodes unchecked'


@pytest.mark.parametrize('call, message', [
    (lambda: parse_box('init_box', '1,2,3'),
     'launch argument init_box:=1,2,3: expected x,y,w,h: four numbers in pixels with w and h > 0'
     ' (e.g. 100,80,60,60), or empty'),
    (lambda: parse_box('init_box', 'abc'), 'launch argument init_box:=abc: expected x,y,w,h'),
    (lambda: parse_box('init_box', '10,10,0,5'), 'init_box:=10,10,0,5: expected'),
    (lambda: parse_box('init_box', '1,2,nan,4'), 'init_box:=1,2,nan,4: expected'),
    (lambda: parse_rate('rate_hz', 'fast'),
     'launch argument rate_hz:=fast: expected a rate in Hz, a number > 0 (e.g. 30.0)'),
    (lambda: parse_rate('rate_hz', '0'), 'rate_hz:=0: expected a rate in Hz'),
    (lambda: parse_bool('loop', 'maybe'), 'launch argument loop:=maybe: expected true or false'),
    (lambda: parse_choice('profile', 'gpu', ('cpu', 'desktop_gpu')),
     'launch argument profile:=gpu: expected one of cpu, desktop_gpu'),
    (lambda: existing_file('params_file', '/nonexistent/p.yaml', 'a parameter YAML'),
     'launch argument params_file:=/nonexistent/p.yaml: no such file; expected a parameter YAML'),
    (lambda: check_box('init_box', [1.0, 2.0, 3.0]),
     'parameter init_box:=[1.0, 2.0, 3.0]: expected x,y,w,h'),
])
def test_a_bad_value_is_one_line_that_names_the_argument(call, message):
    with pytest.raises(ArgumentError) as error:
        call()
    assert message in str(error.value) and '\n' not in str(error.value)


def test_good_values_pass_through():
    assert parse_box('init_box', '100,80,60.5,60') == [100.0, 80.0, 60.5, 60.0]
    assert parse_box('init_box', '') is None and check_box('init_box', [0.0] * 4) is None
    assert parse_rate('rate_hz', '15') == 15.0
    assert parse_bool('loop', 'True') and not parse_bool('loop', 'false')
    assert existing_file('weights', '', 'a file', allow_empty=True) == ''
    assert existing_file('source', str(ROOT / 'README.md'), 'a file') == str(ROOT / 'README.md')


def _ros_launch_or_skip():
    try:
        from launch import LaunchService  # noqa: F401
        import launch_ros  # noqa: F401
    except ImportError:
        pytest.skip('ROS launch and launch_ros are not installed (not on PyPI); a ROS install '
                    'runs this')


LAUNCH_RUNNER = textwrap.dedent("""
    import sys
    from launch import LaunchDescription, LaunchService
    from launch.actions import IncludeLaunchDescription
    from launch.launch_description_sources import PythonLaunchDescriptionSource
    path, *pairs = sys.argv[1:]
    service = LaunchService()
    service.include_launch_description(LaunchDescription([IncludeLaunchDescription(
        PythonLaunchDescriptionSource(path),
        launch_arguments=[tuple(p.split(':=', 1)) for p in pairs])]))
    sys.exit(service.run())
""")


@pytest.mark.parametrize('name, arguments, message', [
    ('demo.launch.py', ['init_box:=1,2,3'], 'launch argument init_box:=1,2,3: expected x,y,w,h'),
    ('demo.launch.py', ['init_box:=abc'], 'launch argument init_box:=abc: expected x,y,w,h'),
    ('demo.launch.py', ['rate_hz:=fast'], 'launch argument rate_hz:=fast: expected a rate'),
    ('track.launch.py', ['params_file:=/nonexistent/p.yaml'],
     'launch argument params_file:=/nonexistent/p.yaml: no such file'),
    ('track.launch.py', ['profile:=gpu'], 'launch argument profile:=gpu: expected one of cpu'),
])
def test_ros_launch_stops_on_a_bad_argument_with_one_line(name, arguments, message, videos_dir):
    _ros_launch_or_skip()
    if name == 'demo.launch.py':
        arguments = [f'source:={videos_dir / "opencv_vtest.avi"}'] + arguments
    done = subprocess.run([sys.executable, '-c', LAUNCH_RUNNER, str(ROOT / 'launch' / name),
                           *arguments], capture_output=True, text=True, timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    [line] = [line for line in output.splitlines() if message in line]
    assert 'Traceback' not in output
