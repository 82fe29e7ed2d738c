"""
Run the tracker node with a device profile.

    ros2 launch lite_tracker_ros track.launch.py profile:=jetson_orin_nx \
        image_topic:=/camera/image_raw

Arguments left empty keep the profile's value; a params_file replaces the profile. The node is a
managed (lifecycle) node; with autostart:=true (the default) it configures and activates itself.
"""

import os

from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, OpaqueFunction
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node

PROFILES = ('cpu', 'desktop_gpu', 'jetson_orin_nx', 'jetson_orin_agx')
OVERRIDES = ('model', 'weights', 'backend', 'device')


def _tracker_node(context):
    def arg(name):
        return LaunchConfiguration(name).perform(context)

    params_file = arg('params_file')
    if not params_file:
        profile = arg('profile')
        if profile not in PROFILES:
            raise ValueError(f'profile {profile!r} unknown; use one of {", ".join(PROFILES)}')
        params_file = os.path.join(get_package_share_directory('lite_tracker_ros'), 'config',
                                   f'{profile}.yaml')
    overrides = {name: arg(name) for name in OVERRIDES if arg(name)}
    overrides['use_compressed'] = arg('use_compressed').lower() in ('true', '1', 'yes')
    overrides['autostart'] = arg('autostart').lower() in ('true', '1', 'yes')
    image_topic = arg('image_topic')
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
                              description='torch | onnxruntime | tensorrt (empty: profile)'),
        DeclareLaunchArgument('device', default_value='',
                              description='cpu | cuda | cuda:N (empty: profile)'),
        DeclareLaunchArgument('image_topic', default_value='/camera/image_raw',
                              description='sensor_msgs/Image topic (CompressedImage: '
                                          '<image_topic>/compressed)'),
        DeclareLaunchArgument('use_compressed', default_value='false',
                              description='subscribe to <image_topic>/compressed'),
        DeclareLaunchArgument('namespace', default_value='',
                              description='namespace of the tracker node'),
        DeclareLaunchArgument('autostart', default_value='true',
                              description='configure and activate at start; false: a lifecycle '
                                          'manager (or ros2 lifecycle set) drives the node'),
        OpaqueFunction(function=_tracker_node),
    ])
