# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Run the tracker node with a device profile.

    ros2 launch lite_tracker_ros track.launch.py profile:=jetson_orin_nx \
        image_topic:=/camera/image_raw

Arguments left empty keep the profile's value; a params_file replaces the profile. Every
argument is checked before the node starts; a bad one stops the launch with one line naming it.
The node is a managed (lifecycle) node; with autostart:=true (the default) it configures and
activates itself.
"""

import os

from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, OpaqueFunction
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node

from lite_tracker_ros.launch_arguments import existing_file, parse_bool, parse_choice
from lite_tracker_ros.ros.node_parameters import BACKENDS

PROFILES = ('cpu', 'desktop_gpu', 'jetson_orin_nx', 'jetson_orin_agx')
OVERRIDES = ('model', 'weights', 'backend', 'device')


def _tracker_node(context):
    def arg(name):
        return LaunchConfiguration(name).perform(context)

    params_file = existing_file('params_file', arg('params_file'),
                                'a parameter YAML (see config/cpu.yaml)', allow_empty=True)
    if not params_file:
        profile = parse_choice('profile', arg('profile'), PROFILES)
        params_file = os.path.join(get_package_share_directory('lite_tracker_ros'), 'config',
                                   f'{profile}.yaml')
    parse_choice('backend', arg('backend'), BACKENDS, allow_empty=True)
    existing_file('weights', arg('weights'), 'a checkpoint, ONNX or engine file',
                  allow_empty=True)
    overrides = {name: arg(name) for name in OVERRIDES if arg(name)}
    overrides['use_compressed'] = parse_bool('use_compressed', arg('use_compressed'))
    overrides['autostart'] = parse_bool('autostart', arg('autostart'))
    image_topic = arg('image_topic')
    if not image_topic:
        raise ValueError("launch argument image_topic:='': expected a topic name")
    remappings = [('image', image_topic), ('image/compressed', image_topic + '/compressed')]
    return [Node(package='lite_tracker_ros', executable='tracker_node', name='tracker_node',
                 namespace=arg('namespace'), parameters=[params_file, overrides],
                 remappings=remappings, output='screen', emulate_tty=True)]


def generate_launch_description():
    return LaunchDescription([
        DeclareLaunchArgument('profile', default_value='cpu',
                              description='device profile: ' + ', '.join(PROFILES)),
        DeclareLaunchArgument('params_file', default_value='',
                              description='parameter YAML to use instead of the profile'),
        DeclareLaunchArgument('model', default_value='',
                              description='model name or weights path (empty: profile)'),
        DeclareLaunchArgument('weights', default_value='',
                              description='weights/ONNX/engine file (empty: model cache)'),
        DeclareLaunchArgument('backend', default_value='',
                              description=' | '.join(BACKENDS) + ' (empty: profile)'),
        DeclareLaunchArgument('device', default_value='',
                              description='cpu | cuda | cuda:N (empty: profile)'),
        DeclareLaunchArgument('image_topic', default_value='/camera/image_raw',
                              description='sensor_msgs/Image topic (CompressedImage: '
                                          '<image_topic>/compressed)'),
        DeclareLaunchArgument('use_compressed', default_value='false',
                              description='true: subscribe to <image_topic>/compressed'),
        DeclareLaunchArgument('namespace', default_value='',
                              description='namespace of the tracker node'),
        DeclareLaunchArgument('autostart', default_value='true',
                              description='configure and activate at start; false: a lifecycle '
                                          'manager (or ros2 lifecycle set) drives the node'),
        OpaqueFunction(function=_tracker_node),
    ])
