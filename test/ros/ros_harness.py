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

from pathlib import Path
import signal
import subprocess
import sys
import time

import cv2
import numpy as np
import rclpy
from rclpy.executors import SingleThreadedExecutor
from sensor_msgs.msg import Image

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
