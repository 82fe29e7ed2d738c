# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Demo: a video or image folder played as a camera, tracked from its first ground-truth box.

    ros2 launch lite_tracker_ros demo.launch.py source:=/path/to/sequence model:=nanotrack_v2

Every argument is checked before a node starts; a bad one stops the launch with one line that
names it.
"""

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, OpaqueFunction
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node

from lite_tracker_ros.launch_arguments import (existing_file, parse_bool, parse_box,
                                               parse_choice, parse_rate)
from lite_tracker_ros.ros.node_parameters import BACKENDS


def _nodes(context):
    def arg(name):
        return LaunchConfiguration(name).perform(context)

    source = existing_file('source', arg('source'), 'a video file or an image-sequence folder')
    rate_hz = parse_rate('rate_hz', arg('rate_hz'))
    init_box = parse_box('init_box', arg('init_box')) or [0.0] * 4
    loop = parse_bool('loop', arg('loop'))
    backend = parse_choice('backend', arg('backend'), BACKENDS)
    weights = existing_file('weights', arg('weights'), 'a checkpoint, ONNX or engine file',
                            allow_empty=True)
    publisher = Node(
        package='lite_tracker_ros', executable='video_publisher', name='video_publisher',
        parameters=[{'source': source, 'rate_hz': rate_hz, 'init_box': init_box, 'loop': loop}],
        remappings=[('image', 'camera/image'), ('init', 'tracker_node/init')], output='screen')
    tracker_params = {'model': arg('model'), 'backend': backend}
    if weights:
        tracker_params['weights'] = weights
    tracker = Node(
        package='lite_tracker_ros', executable='tracker_node', name='tracker_node',
        parameters=[tracker_params], remappings=[('image', 'camera/image')], output='screen')
    return [publisher, tracker]


def generate_launch_description():
    return LaunchDescription([
        DeclareLaunchArgument('source', description='video file or image-sequence folder'),
        DeclareLaunchArgument('model', default_value='nanotrack_v2',
                              description='model registry name (lite-tracker models) or a '
                                          'checkpoint path'),
        DeclareLaunchArgument('weights', default_value='',
                              description='checkpoint, ONNX or engine file (empty: the model '
                                          'cache)'),
        DeclareLaunchArgument('backend', default_value='onnxruntime',
                              description=' | '.join(BACKENDS)),
        DeclareLaunchArgument('rate_hz', default_value='30.0',
                              description='camera rate in Hz (a number > 0)'),
        DeclareLaunchArgument('init_box', default_value='',
                              description='x,y,w,h in pixels; empty: the first line of '
                                          'groundtruth.txt beside the frames, else the tracker '
                                          'waits for a box on /tracker_node/init'),
        DeclareLaunchArgument('loop', default_value='false',
                              description='true: restart the source at its end'),
        OpaqueFunction(function=_nodes),
    ])
