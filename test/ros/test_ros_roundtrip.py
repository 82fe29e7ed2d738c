# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""Messages survive a trip through real DDS to a second process and back, field by field."""

import array
import os
from pathlib import Path
import subprocess
import sys
import time

import pytest

import rclpy  # a hard dependency (package.xml): missing is an error, not a skip
from rclpy.qos import QoSProfile, ReliabilityPolicy  # noqa: E402
from sensor_msgs.msg import Image  # noqa: E402
from vision_msgs.msg import (  # noqa: E402
    Detection2D, Detection2DArray, ObjectHypothesisWithPose)

ECHO = Path(__file__).with_name('echo_node.py')


@pytest.fixture
def node():
    context = rclpy.Context()
    rclpy.init(context=context)
    node = rclpy.create_node('roundtrip_test', context=context)
    yield node
    node.destroy_node()
    rclpy.shutdown(context=context)


def round_trip(node, msg, timeout_s=60.0):
    """Publish ``msg`` to an echo process until it comes back; return what came back."""
    msg_type = type(msg)
    suffix = f'{os.getpid()}_{time.monotonic_ns()}'
    topic_in, topic_out = f'rt_in_{suffix}', f'rt_out_{suffix}'
    echo = subprocess.Popen([sys.executable, str(ECHO), msg_type.__module__.rsplit('.', 1)[0],
                             msg_type.__name__, topic_in, topic_out])
    received = []
    qos = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
    pub = node.create_publisher(msg_type, topic_in, qos)
    sub = node.create_subscription(msg_type, topic_out, received.append, qos)
    executor = rclpy.executors.SingleThreadedExecutor(context=node.context)
    executor.add_node(node)
    try:
        deadline = time.monotonic() + timeout_s
        while not received and time.monotonic() < deadline:
            assert echo.poll() is None, 'echo process died'
            if pub.get_subscription_count() and sub.get_publisher_count():
                pub.publish(msg)
            executor.spin_once(timeout_sec=0.1)
        assert received, f'no echo of {msg_type.__name__} within {timeout_s} s'
        return received[0]
    finally:
        executor.remove_node(node)
        node.destroy_publisher(pub)
        node.destroy_subscription(sub)
        echo.terminate()
        try:
            echo.wait(timeout=10)
        except subprocess.TimeoutExpired:
            echo.kill()
            echo.wait()


def make_detection_array():
    out = Detection2DArray()
    out.header.stamp.sec, out.header.stamp.nanosec = 1_700_000_123, 456_789_012
    out.header.frame_id = 'camera_optical'
    for i in range(3):
        det = Detection2D()
        det.header = out.header
        det.id = f'track-{i}'
        det.bbox.center.position.x = 320.25 + i
        det.bbox.center.position.y = 240.5 - i
        det.bbox.center.theta = 0.125 * i
        det.bbox.size_x, det.bbox.size_y = 64.75, 48.0 + i
        hyp = ObjectHypothesisWithPose()
        hyp.hypothesis.class_id = 'target'
        hyp.hypothesis.score = 0.5 + 0.125 * i
        hyp.pose.pose.position.x = float(i)
        hyp.pose.covariance[0] = 0.25 * i
        det.results.append(hyp)
        out.detections.append(det)
    return out


def test_detection2d_array_round_trip(node):
    sent = make_detection_array()
    got = round_trip(node, sent)
    assert got == sent
    assert got.header.frame_id == 'camera_optical'
    assert (got.header.stamp.sec, got.header.stamp.nanosec) == (1_700_000_123, 456_789_012)
    assert [d.id for d in got.detections] == ['track-0', 'track-1', 'track-2']
    assert [d.bbox.center.position.x for d in got.detections] == [320.25, 321.25, 322.25]
    assert [d.bbox.size_y for d in got.detections] == [48.0, 49.0, 50.0]
    assert [d.results[0].hypothesis.score for d in got.detections] == [0.5, 0.625, 0.75]
    assert got.detections[2].results[0].pose.covariance[0] == 0.5


def test_image_640x480_round_trip(node):
    sent = Image()
    sent.header.frame_id = 'camera'
    sent.header.stamp.sec = 42
    sent.height, sent.width, sent.encoding = 480, 640, 'rgb8'
    sent.step = 640 * 3
    sent.is_bigendian = 0
    # a pattern where every byte position matters, so a reordering or truncation shows
    pattern = bytes((i * 7 + i // 640) % 256 for i in range(480 * 640 * 3))
    sent.data = array.array('B', pattern)
    got = round_trip(node, sent)
    assert got == sent
    assert (got.height, got.width, got.step, got.encoding) == (480, 640, 1920, 'rgb8')
    assert bytes(got.data) == pattern
