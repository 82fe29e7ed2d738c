# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
One tracker per camera, each in the camera's namespace, all with one device profile.

    ros2 launch lite_tracker_ros multi_camera.launch.py cameras:=front,left profile:=cpu

Camera ``front`` gets ``/front/tracker_node`` reading ``/front/image_raw`` (``image_topic`` is
resolved in the camera's namespace) and publishing ``/front/tracker_node/detection``,
``/front/tracker_node/detections``, ... Every camera is track.launch.py included once, so
the profile, overrides and autostart mean the same here.
"""

import os
import re

from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, GroupAction, IncludeLaunchDescription
from launch.actions import OpaqueFunction
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import LaunchConfiguration

#: passed unchanged to track.launch.py for every camera
SHARED_ARGUMENTS = ('profile', 'params_file', 'model', 'weights', 'backend', 'device',
                    'use_compressed', 'autostart')
CAMERA_NAME = re.compile(r'[A-Za-z][A-Za-z0-9_]*')


def _trackers(context):
    def arg(name):
        return LaunchConfiguration(name).perform(context)

    cameras = [name.strip() for name in arg('cameras').split(',') if name.strip()]
    bad = [name for name in cameras if not CAMERA_NAME.fullmatch(name)]
    if not cameras or bad or len(set(cameras)) != len(cameras):
        raise ValueError(f'cameras {arg("cameras")!r}: give distinct names made of letters, '
                         'digits and _ (each becomes a namespace), e.g. cameras:=front,left')
    track_launch = os.path.join(get_package_share_directory('lite_tracker_ros'), 'launch',
                                'track.launch.py')
    shared = {name: arg(name) for name in SHARED_ARGUMENTS}
    image_topic = arg('image_topic').strip('/')
    groups = []
    for camera in cameras:
        arguments = {**shared, 'namespace': camera, 'image_topic': f'/{camera}/{image_topic}'}
        groups.append(GroupAction([IncludeLaunchDescription(
            PythonLaunchDescriptionSource(track_launch), launch_arguments=arguments.items())]))
    return groups


def generate_launch_description():
    return LaunchDescription([
        DeclareLaunchArgument('cameras', default_value='front,rear',
                              description='comma-separated camera names; one tracker each, '
                                          'in the namespace of that name'),
        DeclareLaunchArgument('image_topic', default_value='image_raw',
                              description='image topic inside each camera namespace'),
        DeclareLaunchArgument('profile', default_value='cpu',
                              description='device profile shared by every tracker'),
        DeclareLaunchArgument('params_file', default_value='',
                              description='parameter YAML to use instead of the profile'),
        DeclareLaunchArgument('model', default_value='', description='empty: profile'),
        DeclareLaunchArgument('weights', default_value='', description='empty: model cache'),
        DeclareLaunchArgument('backend', default_value='', description='empty: profile'),
        DeclareLaunchArgument('device', default_value='', description='empty: profile'),
        DeclareLaunchArgument('use_compressed', default_value='false',
                              description='subscribe to <image_topic>/compressed'),
        DeclareLaunchArgument('autostart', default_value='true',
                              description='false: a lifecycle manager drives every tracker'),
        OpaqueFunction(function=_trackers),
    ])
