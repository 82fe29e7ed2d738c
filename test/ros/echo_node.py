# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
A separate ROS process for the round-trip tests: republishes what it receives, unchanged.

Run as ``python echo_node.py <msg_module> <msg_class> <in_topic> <out_topic>``.
"""

import importlib
import sys

import rclpy
from rclpy.executors import ExternalShutdownException
from rclpy.qos import QoSProfile, ReliabilityPolicy


def main() -> None:
    module, cls, in_topic, out_topic = sys.argv[1:5]
    msg_type = getattr(importlib.import_module(module), cls)
    rclpy.init()
    node = rclpy.create_node('echo')
    qos = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
    pub = node.create_publisher(msg_type, out_topic, qos)
    node.create_subscription(msg_type, in_topic, pub.publish, qos)
    try:
        rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        node.destroy_node()
        rclpy.try_shutdown()


if __name__ == '__main__':
    main()
