"""
Demo: a video or image folder played as a camera, tracked from its first ground-truth box.

    ros2 launch lite_tracker_ros demo.launch.py source:=/path/to/sequence model:=nanotrack_v2
"""

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, OpaqueFunction
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node


def _nodes(context):
    def arg(name):
        return LaunchConfiguration(name).perform(context)

    init_box = [float(v) for v in arg('init_box').split(',')] if arg('init_box') else [0.0] * 4
    publisher = Node(
        package='lite_tracker_ros', executable='video_publisher', name='video_publisher',
        parameters=[{'source': arg('source'), 'rate_hz': float(arg('rate_hz')),
                     'init_box': init_box, 'loop': arg('loop').lower() == 'true'}],
        remappings=[('image', 'camera/image'), ('init', 'tracker_node/init')], output='screen')
    tracker_params = {'model': arg('model'), 'backend': arg('backend')}
    if arg('weights'):
        tracker_params['weights'] = arg('weights')
    tracker = Node(
        package='lite_tracker_ros', executable='tracker_node', name='tracker_node',
        parameters=[tracker_params], remappings=[('image', 'camera/image')], output='screen')
    return [publisher, tracker]


def generate_launch_description():
    return LaunchDescription([
        DeclareLaunchArgument('source', description='video file or image-sequence folder'),
        DeclareLaunchArgument('model', default_value='nanotrack_v2'),
        DeclareLaunchArgument('weights', default_value=''),
        DeclareLaunchArgument('backend', default_value='onnxruntime'),
        DeclareLaunchArgument('rate_hz', default_value='30.0'),
        DeclareLaunchArgument('init_box', default_value='',
                              description='x,y,w,h in pixels; empty: first ground-truth line'),
        DeclareLaunchArgument('loop', default_value='false'),
        OpaqueFunction(function=_nodes),
    ])
