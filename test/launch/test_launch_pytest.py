# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Both launch files, run by launch_pytest where it is installed (a ROS install).

Without launch_pytest (not on PyPI) the module still imports and each test skips, saying why:
a skip at import would hide the whole directory from the launch_testing plugin's collection.
"""

from pathlib import Path
import time

import pytest

try:
    import launch_pytest
    from launch import LaunchDescription
    from launch.actions import IncludeLaunchDescription
    from launch.launch_description_sources import PythonLaunchDescriptionSource
except ImportError:  # skipped inside each test below
    launch_pytest = None
import rclpy  # noqa: I100 - after the optional launch imports
from vision_msgs.msg import Detection2DArray

NO_LAUNCH_PYTEST = 'launch_pytest is not installed (not on PyPI); runs on a ROS install'


def _share():
    from ament_index_python.packages import get_package_share_directory
    return Path(get_package_share_directory('lite_tracker_ros'))


def _include(name, arguments):
    return IncludeLaunchDescription(
        PythonLaunchDescriptionSource(str(_share() / 'launch' / name)),
        launch_arguments=arguments.items())


def _wait_for(topic, msg_type, predicate, timeout_s=90.0):
    rclpy.init()
    try:
        node = rclpy.create_node('launch_test_listener')
        got = []
        node.create_subscription(msg_type, topic, got.append, 10)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and not any(predicate(m) for m in got):
            rclpy.spin_once(node, timeout_sec=0.1)
        node.destroy_node()
        return [m for m in got if predicate(m)]
    finally:
        rclpy.shutdown()


@pytest.fixture(scope='module')
def nanotrack_weights(nanotrack_dir):
    return str(nanotrack_dir / 'nanotrackv2.pth')


if launch_pytest is None:
    def test_demo_launch_tracks_the_sequence():
        pytest.skip(NO_LAUNCH_PYTEST)

    def test_track_launch_serves_the_namespaced_topics():
        pytest.skip(NO_LAUNCH_PYTEST)

    def test_multi_camera_launch_starts_one_tracker_per_namespace():
        pytest.skip(NO_LAUNCH_PYTEST)
else:
    @launch_pytest.fixture
    def demo_launch(sot_dir, nanotrack_weights):
        return LaunchDescription([_include('demo.launch.py', {
            'source': str(sot_dir / 'Deer'), 'model': 'nanotrack_v2', 'backend': 'torch',
            'weights': nanotrack_weights, 'rate_hz': '15.0'}),
            launch_pytest.actions.ReadyToTest()])

    @pytest.mark.launch(fixture=demo_launch)
    def test_demo_launch_tracks_the_sequence():
        tracked = _wait_for('/tracker_node/detections', Detection2DArray,
                            lambda m: len(m.detections) == 1)
        assert tracked, 'demo.launch.py produced no detection'

    @launch_pytest.fixture
    def track_launch(nanotrack_weights):
        return LaunchDescription([_include('track.launch.py', {
            'profile': 'cpu', 'model': 'nanotrack_v2', 'backend': 'torch',
            'weights': nanotrack_weights, 'image_topic': '/launch_test/image',
            'namespace': 'launch_test'}), launch_pytest.actions.ReadyToTest()])

    @pytest.mark.launch(fixture=track_launch)
    def test_track_launch_serves_the_namespaced_topics():
        from diagnostic_msgs.msg import DiagnosticArray
        statuses = _wait_for('/diagnostics', DiagnosticArray,
                             lambda m: any(s.name.startswith('/launch_test/tracker_node')
                                           for s in m.status))
        assert statuses, 'no diagnostics from /launch_test/tracker_node'

    @launch_pytest.fixture
    def multi_camera_launch(nanotrack_weights):
        return LaunchDescription([_include('multi_camera.launch.py', {
            'cameras': 'cam_a,cam_b', 'profile': 'cpu', 'model': 'nanotrack_v2',
            'backend': 'torch', 'weights': nanotrack_weights}),
            launch_pytest.actions.ReadyToTest()])

    @pytest.mark.launch(fixture=multi_camera_launch)
    def test_multi_camera_launch_starts_one_tracker_per_namespace():
        from diagnostic_msgs.msg import DiagnosticArray
        names = set()

        def both_seen(msg):
            names.update(s.name.split(':')[0] for s in msg.status)
            return {'/cam_a/tracker_node', '/cam_b/tracker_node'} <= names
        assert _wait_for('/diagnostics', DiagnosticArray, both_seen), names
