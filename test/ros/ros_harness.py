# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Test-side ROS plumbing: a client node with its own context, and the tracker node as a process.

Every process inherits the loopback-only settings that test/conftest.py puts in the environment.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
import signal
import subprocess
import sys
import time

import cv2
from diagnostic_msgs.msg import DiagnosticArray
import numpy as np
import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import CompressedImage, Image
from vision_msgs.msg import Detection2D, Detection2DArray

from lite_tracker_ros.core.types import BoxXYWH

from lite_tracker_ros.core.types import ChannelOrder
from lite_tracker_ros.ros.image_conversion import frame_to_image_fields


class RosClient:
    """A node in its own context, spun by hand from the test thread."""

    def __init__(self, name: str):
        self.context = rclpy.Context()
        rclpy.init(context=self.context)
        self.node = rclpy.create_node(name, context=self.context)
        self.executor = SingleThreadedExecutor(context=self.context)
        self.executor.add_node(self.node)

    def spin_until(self, predicate, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if predicate():
                return True
            self.executor.spin_once(timeout_sec=0.02)
        return predicate()

    def spin_for(self, seconds: float) -> None:
        self.spin_until(lambda: False, seconds)

    def close(self) -> None:
        self.executor.shutdown()
        self.node.destroy_node()
        rclpy.shutdown(context=self.context)


class TrackerProcess:
    """``tracker_node`` in a child process, in its own namespace."""

    def __init__(self, namespace: str, params: dict, extra_args=()):
        args = [sys.executable, '-m', 'lite_tracker_ros.ros.tracker_node', '--ros-args',
                '-r', f'__ns:={namespace}', *extra_args]
        for key, value in params.items():
            args += ['-p', f'{key}:={_ros_value(value)}']
        self.namespace = namespace
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True)

    def topic(self, name: str) -> str:
        return f'{self.namespace}/tracker_node/{name}'

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout_s: float = 15.0) -> tuple[int, str, str]:
        if self.alive():
            self.process.send_signal(signal.SIGINT)
        try:
            out, err = self.process.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, err = self.process.communicate()
        return self.process.returncode, out, err


def _ros_value(value) -> str:
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, str):
        return value if value else "''"
    return str(value)


def load_sequence(folder: Path, count: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Read the first ``count`` BGR frames of a sequence and its ground truth."""
    paths = sorted((folder / 'img').glob('*.jpg'))[:count]
    frames = [cv2.imread(str(p), cv2.IMREAD_COLOR) for p in paths]
    gt = np.loadtxt(folder / 'groundtruth.txt', delimiter=',')
    return frames, gt


def image_message(pixels: np.ndarray, stamp_ns: int, frame_id: str) -> Image:
    msg = Image(**frame_to_image_fields(pixels, ChannelOrder.BGR))
    msg.header.stamp.sec, msg.header.stamp.nanosec = divmod(stamp_ns, 1_000_000_000)
    msg.header.frame_id = frame_id
    return msg


def stamp_of(msg) -> int:
    return msg.header.stamp.sec * 1_000_000_000 + msg.header.stamp.nanosec


class Session:
    """Publishers and recorders around one tracker process."""

    def __init__(self, client: RosClient, tracker: TrackerProcess, image_qos=None,
                 compressed: bool = False):
        node = client.node
        self.client, self.tracker = client, tracker
        image_type, topic = (CompressedImage, 'image/compressed') if compressed else \
            (Image, 'image')
        self.image_pub = node.create_publisher(image_type, f'{tracker.namespace}/{topic}',
                                               image_qos or qos_profile_sensor_data)
        self.init_pub = node.create_publisher(Detection2D, tracker.topic('init'), 10)
        self.arrays, self.detections, self.diagnostics = [], [], []
        self.arrival = {}
        node.create_subscription(Detection2DArray, tracker.topic('detections'),
                                 self._on_array, 100)
        node.create_subscription(Detection2D, tracker.topic('detection'),
                                 self.detections.append, 100)
        node.create_subscription(DiagnosticArray, '/diagnostics', self._on_diag, 10)

    def _on_array(self, msg):
        self.arrival[stamp_of(msg)] = time.time_ns()
        self.arrays.append(msg)

    def _on_diag(self, msg):
        for status in msg.status:
            if status.name == f'{self.tracker.namespace}/tracker_node: tracker':
                self.diagnostics.append(status)

    def wait_connected(self, timeout_s=60.0):
        ok = self.client.spin_until(
            lambda: not self.tracker.alive() or (
                self.image_pub.get_subscription_count() > 0
                and self.init_pub.get_subscription_count() > 0
                and self.client.node.count_publishers(self.tracker.topic('detections')) > 0),
            timeout_s)
        assert self.tracker.alive(), self.tracker.stop()[2]
        assert ok, 'tracker node did not come up'

    def array_for(self, stamp_ns):
        return next((a for a in self.arrays if stamp_of(a) == stamp_ns), None)

    def send_and_wait(self, msg, timeout_s=60.0, retries=20):
        """Publish a frame until its Detection2DArray comes back (best effort may drop it)."""
        stamp = stamp_of(msg)
        for _ in range(retries):
            self.image_pub.publish(msg)
            if self.client.spin_until(lambda: self.array_for(stamp) is not None,
                                      timeout_s / retries):
                return self.array_for(stamp)
        raise AssertionError(f'no Detection2DArray for stamp {stamp}')

    def start_track(self, first, box: BoxXYWH):
        """Publish ``first``, wait for its (idle) result, then send ``box`` stamped like it."""
        idle = self.send_and_wait(first)
        self.send_init(box, stamp_of(first))
        return idle

    def send_until_tracked(self, msg, attempts=50):
        """Send a frame until its result holds a detection: the init may come after the frame."""
        for _ in range(attempts):
            array = self.send_and_wait(msg)
            if array.detections:
                return array
            self.arrays.remove(array)
        raise AssertionError(f'no detection in {attempts} results for stamp {stamp_of(msg)}')

    def send_init(self, box: BoxXYWH, stamp_ns: int):
        init = Detection2D()
        init.header.stamp.sec, init.header.stamp.nanosec = divmod(stamp_ns, 1_000_000_000)
        init.bbox.center.position.x, init.bbox.center.position.y = box.cx, box.cy
        init.bbox.size_x, init.bbox.size_y = box.w, box.h
        self.init_pub.publish(init)

    def latest_diagnostics(self, timeout_s=5.0):
        count = len(self.diagnostics)
        self.client.spin_until(lambda: len(self.diagnostics) > count, timeout_s)
        assert self.diagnostics, 'no /diagnostics from the tracker node'
        return {kv.key: kv.value for kv in self.diagnostics[-1].values}, self.diagnostics[-1]


def start_tracker(weights_file, **params):
    base = {'model': 'litetrack_b4', 'weights': str(weights_file), 'backend': 'torch',
            'num_threads': 1,
            'diagnostics_period_s': 0.5}
    base.update(params)
    return TrackerProcess(f'/t{os.getpid()}_{time.monotonic_ns() % 10**9}', base)


@contextlib.contextmanager
def tracker_session(client, weights_file, image_qos=None, connect=True, **params):
    """
    Yield a Session around a new tracker node process, and stop the node on leaving.

    The node's (exit code, stdout, stderr) are then in ``session.exit``.
    """
    tracker = start_tracker(weights_file, **params)
    session = Session(client, tracker, image_qos, compressed=params.get('use_compressed', False))
    try:
        if connect:
            session.wait_connected()
        yield session
    finally:
        session.exit = tracker.stop()
