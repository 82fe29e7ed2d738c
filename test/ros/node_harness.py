# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
The tracker node in the test process: a fresh Context, a real executor, real messages.

``InProcessTracker`` starts ``TrackerNode`` (normally with the suite's FakeTracker) and a test
client node in one new Context, spun by a MultiThreadedExecutor on a background thread; the
test publishes images and inits and reads what comes back, calls the node's services (the
lifecycle ones too) and may look inside the node. Each test gets its own Context, so tests
stay independent.
"""

from __future__ import annotations

import itertools
import os
import threading
import time

from diagnostic_msgs.msg import DiagnosticArray
from lifecycle_msgs.msg import Transition
from lifecycle_msgs.srv import ChangeState, GetState
import numpy as np
from rcl_interfaces.srv import SetParameters
import rclpy
from rclpy.executors import MultiThreadedExecutor
from rclpy.parameter import Parameter
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import CompressedImage, Image
from std_srvs.srv import SetBool, Trigger
from vision_msgs.msg import Detection2D, Detection2DArray

from lite_tracker_ros.core.types import BoxXYWH, ChannelOrder
from lite_tracker_ros.ros.image_conversion import frame_to_image_fields
from lite_tracker_ros.ros.tracker_node import autostart, TrackerNode

_names = itertools.count()

TRANSITIONS = {'configure': Transition.TRANSITION_CONFIGURE,
               'activate': Transition.TRANSITION_ACTIVATE,
               'deactivate': Transition.TRANSITION_DEACTIVATE,
               'cleanup': Transition.TRANSITION_CLEANUP,
               'shutdown': Transition.TRANSITION_ACTIVE_SHUTDOWN}


def set_stamp(msg, stamp_ns: int):
    msg.header.stamp.sec, msg.header.stamp.nanosec = divmod(stamp_ns, 1_000_000_000)
    return msg


def stamp_of(msg) -> int:
    return msg.header.stamp.sec * 1_000_000_000 + msg.header.stamp.nanosec


def rgb_image(pixels: np.ndarray, stamp_ns: int, frame_id: str = 'cam') -> Image:
    msg = Image(**frame_to_image_fields(pixels, ChannelOrder.RGB))
    msg.header.frame_id = frame_id
    return set_stamp(msg, stamp_ns)


def init_message(box: BoxXYWH, stamp_ns: int) -> Detection2D:
    init = set_stamp(Detection2D(), stamp_ns)
    init.bbox.center.position.x, init.bbox.center.position.y = box.cx, box.cy
    init.bbox.size_x, init.bbox.size_y = box.w, box.h
    return init


class InProcessTracker:
    """TrackerNode and a client node in one fresh Context, spun on a background thread."""

    def __init__(self, tracker_factory, autostart_node: bool = True, **params):
        self.namespace = f'/inproc{os.getpid()}_{next(_names)}'
        self.context = rclpy.Context()
        rclpy.init(context=self.context)
        overrides = [Parameter('diagnostics_period_s', value=0.2),
                     Parameter('autostart', value=autostart_node)]
        overrides += [Parameter(k, value=v) for k, v in params.items()]
        self.node = TrackerNode(tracker_factory=tracker_factory, context=self.context,
                                namespace=self.namespace, parameter_overrides=overrides)
        self.client = rclpy.create_node('tracker_test_client', namespace=self.namespace,
                                        context=self.context)
        self.arrays, self.detections, self.debug_images = [], [], []
        self.statuses, self.all_statuses = [], []  # the tracker's status; every status
        self.arrival_ns = {}
        compressed = params.get('use_compressed', False)
        # the camera's publisher lives on a node the executor does not spin, so a test may
        # destroy it mid-run: destroying a publisher of a node being spun races with the
        # executor's wait set (rclpy raises InvalidHandle in the spin thread, which then stops)
        self.camera = rclpy.create_node('tracker_test_camera', namespace=self.namespace,
                                        context=self.context)
        self.image_pub = self.camera.create_publisher(
            CompressedImage if compressed else Image,
            'image/compressed' if compressed else 'image', qos_profile_sensor_data)
        self.init_pub = self.client.create_publisher(Detection2D, self.topic('init'), 10)
        self.client.create_subscription(Detection2DArray, self.topic('detections'),
                                        self._on_array, 100)
        self.client.create_subscription(Detection2D, self.topic('detection'),
                                        self.detections.append, 100)
        self.client.create_subscription(DiagnosticArray, '/diagnostics', self._on_diag, 10)
        self.executor = MultiThreadedExecutor(num_threads=3, context=self.context)
        self.executor.add_node(self.node)
        self.executor.add_node(self.client)
        if autostart_node:
            autostart(self.node)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._spin, daemon=True)
        self._thread.start()

    def _spin(self) -> None:
        # spin until close() asks, so the executor is shut down only once nothing spins it
        # (shutting it down under a spinning thread raced with its wait set: the thread died
        # on a destroyed guard condition)
        while not self._stop.is_set():
            self.executor.spin_once(timeout_sec=0.05)

    def topic(self, name: str) -> str:
        return f'{self.namespace}/tracker_node/{name}'

    def _on_array(self, msg):
        self.arrival_ns[stamp_of(msg)] = time.time_ns()
        self.arrays.append(msg)

    def _on_diag(self, msg):
        mine = [s for s in msg.status if s.name.startswith(f'{self.namespace}/tracker_node: ')]
        self.all_statuses += mine
        self.statuses += [s for s in mine if s.name.endswith(': tracker')]

    # -- waiting ------------------------------------------------------------------------

    @staticmethod
    def wait_for(predicate, timeout_s: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.01)
        return bool(predicate())

    def wait_connected(self, timeout_s: float = 10.0) -> None:
        assert self.wait_for(lambda: self.image_pub.get_subscription_count() > 0
                             and self.init_pub.get_subscription_count() > 0
                             and self.client.count_publishers(self.topic('detections')) > 0,
                             timeout_s), 'the tracker node did not connect'

    def array_for(self, stamp_ns: int):
        return next((a for a in self.arrays if stamp_of(a) == stamp_ns), None)

    def send_and_wait(self, msg, timeout_s: float = 10.0, retries: int = 20):
        """Publish a frame until its Detection2DArray comes back (best effort may drop it)."""
        stamp = stamp_of(msg)
        for _ in range(retries):
            self.image_pub.publish(msg)
            if self.wait_for(lambda: self.array_for(stamp) is not None, timeout_s / retries):
                return self.array_for(stamp)
        raise AssertionError(f'no Detection2DArray for stamp {stamp}')

    def send_init(self, box: BoxXYWH, stamp_ns: int) -> None:
        self.init_pub.publish(init_message(box, stamp_ns))

    def wait_tracking(self, timeout_s: float = 10.0) -> None:
        assert self.wait_for(lambda: self.node.tracker is not None
                             and self.node.tracker.state.value == 'tracking', timeout_s)

    def diagnostics(self, timeout_s: float = 5.0, predicate=lambda status: True):
        """Wait for a new status that satisfies ``predicate``; return (values, status)."""
        seen = len(self.statuses)
        assert self.wait_for(lambda: any(predicate(s) for s in self.statuses[seen:]),
                             timeout_s), (self.statuses[-1:] or 'no diagnostics')
        status = next(s for s in reversed(self.statuses[seen:]) if predicate(s))
        return {kv.key: kv.value for kv in status.values}, status

    # -- services -----------------------------------------------------------------------

    def call(self, srv_type, name: str, request, timeout_s: float = 10.0):
        client = self.client.create_client(srv_type, name)
        try:
            assert client.wait_for_service(timeout_sec=timeout_s), f'no service {name}'
            future = client.call_async(request)
            assert self.wait_for(future.done, timeout_s), f'{name} did not answer'
            return future.result()
        finally:
            self.client.destroy_client(client)

    def transition(self, label: str) -> bool:
        request = ChangeState.Request()
        request.transition.id = TRANSITIONS[label]
        return self.call(ChangeState, self.topic('change_state'), request).success

    def lifecycle_state(self) -> str:
        return self.call(GetState, self.topic('get_state'), GetState.Request()).current_state.label

    def set_parameter(self, name: str, value):
        request = SetParameters.Request(
            parameters=[Parameter(name, value=value).to_parameter_msg()])
        return self.call(SetParameters, self.topic('set_parameters'), request).results[0]

    def enable(self, on: bool):
        return self.call(SetBool, self.topic('enable'), SetBool.Request(data=on))

    def reset(self):
        return self.call(Trigger, self.topic('reset'), Trigger.Request())

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5.0)
        self.executor.shutdown(timeout_sec=5.0)
        self.node.destroy_node()
        self.client.destroy_node()
        self.camera.destroy_node()
        rclpy.try_shutdown(context=self.context)
