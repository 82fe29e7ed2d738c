# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""The README's image QoS line says what the node subscribes with (sensor data, or reliable)."""

import ast
from pathlib import Path
import re

from rclpy.qos import qos_profile_sensor_data, ReliabilityPolicy

ROOT = Path(__file__).resolve().parents[2]
NODE = ROOT / 'lite_tracker_ros' / 'ros' / 'tracker_node.py'


def readme_image_row():
    [row] = [line for line in (ROOT / 'README.md').read_text().splitlines()
             if line.startswith('| `image`')]
    return row


def test_readme_states_the_sensor_data_profile_the_node_uses():
    row = readme_image_row()
    words = {ReliabilityPolicy.BEST_EFFORT: 'best effort', ReliabilityPolicy.RELIABLE: 'reliable'}
    expected = (f'`qos_profile_sensor_data`: {words[qos_profile_sensor_data.reliability]}, '
                f'keep last {qos_profile_sensor_data.depth}')
    assert expected in row
    names = {node.id for node in ast.walk(ast.parse(NODE.read_text()))
             if isinstance(node, ast.Name)}
    assert 'qos_profile_sensor_data' in names


def test_readme_states_the_reliable_profile_the_node_builds():
    profiles = [node for node in ast.walk(ast.parse(NODE.read_text()))
                if isinstance(node, ast.Call) and getattr(node.func, 'id', '') == 'QoSProfile']
    [reliable] = profiles
    depth = {k.arg: k.value for k in reliable.keywords}['depth'].value
    assert re.search(rf'`reliable_qos` reliable, keep last {depth}\b', readme_image_row())
