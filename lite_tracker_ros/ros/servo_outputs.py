# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
What a visual-servoing controller reads besides the box: bearing, velocity, a predicted box.

* ``~/bearing`` (``geometry_msgs/Vector3Stamped``, the image's header): the unit ray through
  the box centre in the camera's optical frame, undistorted with the latest ``CameraInfo`` from
  the image's sibling ``camera_info`` topic. Without camera_info nothing is published; a
  camera_info that does not describe the image (frame_id, size) is refused and counted.
* ``motion_filter``: a constant-velocity Kalman filter over the tracked boxes (image stamps)
  gives the box's image velocity (diagnostics) and ``~/predicted``, the box extrapolated to the
  moment it is published (plus ``predict_ahead_s``), stamped with that moment; the image stamp it
  came from is in diagnostics. ``smooth_box`` publishes the filtered box on the usual topics.
"""

from __future__ import annotations

import dataclasses

from geometry_msgs.msg import Vector3Stamped
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import CameraInfo
from std_msgs.msg import Header
from vision_msgs.msg import Detection2D

from lite_tracker_ros.core.bearing import bearing, CameraModel, CameraModelError
from lite_tracker_ros.core.motion_filter import BoxMotionFilter
from lite_tracker_ros.core.types import TrackResult, TrackState
from lite_tracker_ros.ros.detection_conversion import detection_from_result


def camera_info_topic_for(image_topic: str) -> str:
    """Return the image_transport sibling: ``/cam/image[/compressed]`` -> ``/cam/camera_info``."""
    base = image_topic[:-len('/compressed')] if image_topic.endswith('/compressed') \
        else image_topic
    parent = base.rsplit('/', 1)[0]
    return f'{parent}/camera_info'


class ServoOutputs:
    """Bearing and motion outputs of the tracker node (all work on the worker thread)."""

    def __init__(self, node, params, health, image_topic: str):
        self._node, self._health = node, health
        self._camera: CameraModel | None = None
        self.camera_info_topic = (params.camera_info_topic
                                  or camera_info_topic_for(image_topic))
        self._bearing_pub = node.create_publisher(Vector3Stamped, '~/bearing', 10)
        #: what this made on the node, for the lifecycle node to destroy on deactivate
        self.entities = [node.create_subscription(CameraInfo, self.camera_info_topic,
                                                  self._on_camera_info, qos_profile_sensor_data),
                         self._bearing_pub]
        self._motion = None
        self._predicted_pub = None
        self._smooth = params.smooth_box
        self._ahead_s = params.predict_ahead_s
        self._class_id = params.class_id
        if params.motion_filter:
            self._motion = BoxMotionFilter(params.motion_process_noise,
                                           params.motion_measurement_noise)
            self._predicted_pub = node.create_publisher(Detection2D, '~/predicted', 10)
            self.entities.append(self._predicted_pub)
        self._track_id = None
        self._values: dict[str, str] = {}

    def _on_camera_info(self, msg) -> None:
        try:
            self._camera = CameraModel.from_camera_info(msg)
        except CameraModelError as error:
            self._camera = None
            self._health.bad_input('camera_info_invalid', str(error))
            self._node.get_logger().warning(f'camera_info ignored: {error}',
                                            throttle_duration_sec=5.0)

    def on_result(self, header, frame, result: TrackResult | None,
                  class_id: str) -> TrackResult | None:
        """Publish bearing and prediction for a tracked result; return it (smoothed if asked)."""
        if result is None or result.state is not TrackState.TRACKING:
            return result
        try:
            return self._outputs(header, frame, result, class_id)
        except Exception as error:  # noqa: B902 - an extra output must not cost the box
            self._health.bad_input('servo_output_failed', str(error))
            self._node.get_logger().error(f'bearing/prediction failed: {error}',
                                          throttle_duration_sec=5.0)
            return result

    def _outputs(self, header, frame, result: TrackResult, class_id: str) -> TrackResult:
        self._class_id = class_id
        image_s = header.stamp.sec + header.stamp.nanosec * 1e-9
        if self._motion is not None:
            if result.track_id != self._track_id:
                self._motion.reset()
                self._track_id = result.track_id
            filtered = self._motion.update(result.box, image_s)
            if self._smooth:
                result = dataclasses.replace(result, box=filtered)
            self._publish_prediction(header, result, image_s)
        self._publish_bearing(header, frame, result)
        return result

    def _publish_prediction(self, header, result: TrackResult, image_s: float) -> None:
        now = self._node.get_clock().now()
        target_s = now.nanoseconds * 1e-9 + self._ahead_s
        predicted = dataclasses.replace(result, box=self._motion.predict(target_s))
        # a new header: detection_from_result keeps a reference, and this one is the image's
        stamped = Header(stamp=now.to_msg(), frame_id=header.frame_id)
        detection = detection_from_result(stamped, predicted, self._class_id)
        self._predicted_pub.publish(detection)
        vx, vy, vw, vh = self._motion.velocity
        # a new dict, not an update: the diagnostics timer reads it from another thread
        self._values = {
            'predicted.image_stamp': f'{header.stamp.sec}.{header.stamp.nanosec:09d}',
            'predicted.horizon_ms': f'{(target_s - image_s) * 1e3:.2f}',
            'velocity.px_per_s': f'{vx:.1f}, {vy:.1f}',
            'velocity.size_px_per_s': f'{vw:.1f}, {vh:.1f}'}

    def _publish_bearing(self, header, frame, result: TrackResult) -> None:
        camera = self._camera
        if camera is None:
            return
        problem = camera.mismatch(header.frame_id, frame.width, frame.height)
        if problem is not None:
            self._health.bad_input('camera_info_mismatch', problem)
            self._node.get_logger().warning(f'no bearing: {problem}', throttle_duration_sec=5.0)
            return
        msg = Vector3Stamped(header=header)
        msg.vector.x, msg.vector.y, msg.vector.z = bearing(camera, result.box.cx, result.box.cy)
        self._bearing_pub.publish(msg)

    def diagnostic_values(self) -> dict[str, str]:
        values = dict(self._values)
        values['camera_info'] = self.camera_info_topic if self._camera is not None else 'none'
        return values
