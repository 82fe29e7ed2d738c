# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
A camera stand-in: plays a video file or an image folder as sensor_msgs/Image.

Frames carry the publishing time as stamp and the configured frame_id. Optionally sends an
init box (from a parameter, or the first line of a ground-truth file) stamped like the first
frame, so a tracker starts on exactly that frame.
"""

from __future__ import annotations

from pathlib import Path
import sys
import time

from rclpy.exceptions import InvalidParameterTypeException
from rclpy.node import Node
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import Image
from vision_msgs.msg import Detection2D

from lite_tracker_ros.core.types import BoxXYWH, ChannelOrder
from lite_tracker_ros.launch_arguments import check_box, check_count, check_rate, existing_file
from lite_tracker_ros.ros.image_conversion import frame_to_image_fields
from lite_tracker_ros.ros.node_main import run_node
from lite_tracker_ros.sources import first_groundtruth_box, open_frame_source


class VideoPublisher(Node):
    """Publishes frames at ``rate_hz``; stops (or loops) at the end of the source."""

    def __init__(self, **kwargs):
        super().__init__('video_publisher', **kwargs)
        self.source_path = existing_file(
            'source', self.declare_parameter('source', '').value,
            'a video file or an image folder', kind='parameter')
        rate_hz = check_rate('rate_hz', self.declare_parameter('rate_hz', 30.0).value)
        self.frame_id = self.declare_parameter('frame_id', 'camera').value
        self.loop = self.declare_parameter('loop', False).value
        self.max_frames = check_count('max_frames', self.declare_parameter('max_frames', 0).value)
        init_box = check_box('init_box', self.declare_parameter('init_box', [0.0] * 4).value)
        groundtruth = existing_file(
            'groundtruth', self.declare_parameter('groundtruth', '').value,
            'a ground-truth file (x,y,w,h per line)', allow_empty=True, kind='parameter')
        self.wait_for = self.declare_parameter('wait_for_subscribers', 1).value
        # Discovery completes on the two sides at different moments: a best-effort frame sent the
        # instant our side matches can still be missed by the subscriber, and with it the frame
        # the init box was drawn on.
        self.settle_s = self.declare_parameter('settle_s', 0.5).value
        self._ready_since = None
        self.source = open_frame_source(Path(self.source_path), loop=self.loop)
        self.init_box = None
        if init_box is not None:
            self.init_box = BoxXYWH(*init_box)
        elif groundtruth or self.source.default_groundtruth:
            self.init_box = first_groundtruth_box(Path(groundtruth or
                                                       self.source.default_groundtruth))
        self.init_pub = self.create_publisher(Detection2D, 'init', 10)
        if self.init_box is None:
            self.get_logger().warning(
                f'no init_box parameter and no ground truth for {self.source_path}: publishing '
                f'frames without an init; the tracker stays idle until a box arrives on its init '
                f'topic (here {self.init_pub.topic_name}), e.g. ros2 topic pub --once '
                f'{self.init_pub.topic_name} vision_msgs/msg/Detection2D "{{bbox: {{center: '
                f'{{position: {{x: CX, y: CY}}}}, size_x: W, size_y: H}}}}"')
        self.image_pub = self.create_publisher(Image, 'image', qos_profile_sensor_data)
        self.sent = 0
        self.done = False
        self.timer = self.create_timer(1.0 / rate_hz, self._tick)

    def _ready(self) -> bool:
        needed = self.wait_for
        if needed <= 0:
            return True
        if self.image_pub.get_subscription_count() < needed:
            return False
        # the init goes to the tracker alone, whatever else watches the images
        return self.init_box is None or self.init_pub.get_subscription_count() >= 1

    def _tick(self) -> None:
        if self.sent == 0:
            if not self._ready():
                self._ready_since = None
                return
            now = time.monotonic()
            self._ready_since = self._ready_since or now
            if now - self._ready_since < self.settle_s:
                return
        frame = self.source.read()
        if frame is None or (self.max_frames and self.sent >= self.max_frames):
            self.timer.cancel()
            self.done = True
            self.get_logger().info(f'end of source after {self.sent} frames')
            return
        msg = Image(**frame_to_image_fields(frame, ChannelOrder.BGR))
        msg.header.stamp = self.get_clock().now().to_msg()
        msg.header.frame_id = self.frame_id
        self.image_pub.publish(msg)
        if self.sent == 0 and self.init_box is not None:
            init = Detection2D()
            init.header = msg.header
            b = self.init_box
            init.bbox.center.position.x, init.bbox.center.position.y = b.cx, b.cy
            init.bbox.size_x, init.bbox.size_y = float(b.w), float(b.h)
            self.init_pub.publish(init)
            self.get_logger().info(f'sent init box {b}')
        self.sent += 1


def main(args=None) -> int:
    # InvalidParameterTypeException: a parameter given with the wrong type (rate_hz:=fast); its
    # message names the parameter
    return run_node('video_publisher', VideoPublisher,
                    (ValueError, FileNotFoundError, InvalidParameterTypeException), args,
                    done=lambda node: node.done)


if __name__ == '__main__':
    sys.exit(main())
