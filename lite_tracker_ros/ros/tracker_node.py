"""
The tracker node: camera images and an initial box in, Detection2D and diagnostics out.

Threads: the executor only stores the newest image (latest-frame policy: a frame that arrives
while the previous one is still waiting is dropped and counted, so no queue ever builds up) and
queues init requests; one worker thread owns the tracker and does all the computing.
"""

from __future__ import annotations

import sys
import threading
import time

import cv2
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from rcl_interfaces.msg import SetParametersResult
from rclpy.exceptions import ParameterException
from rclpy.node import Node
from rclpy.qos import (qos_profile_sensor_data, QoSHistoryPolicy, QoSProfile,
                       QoSReliabilityPolicy)
from sensor_msgs.msg import CompressedImage, Image
from std_srvs.srv import SetBool, Trigger
from vision_msgs.msg import Detection2D, Detection2DArray

try:  # Iron and later
    from rclpy.event_handler import PublisherEventCallbacks, SubscriptionEventCallbacks
except ImportError:  # Humble
    from rclpy.qos_event import PublisherEventCallbacks, SubscriptionEventCallbacks

from lite_tracker_ros.core.types import ChannelOrder, TrackState
from lite_tracker_ros.ros.detection_conversion import (
    box_from_detection, detection_array, detection_from_result)
from lite_tracker_ros.ros.health import NodeHealth
from lite_tracker_ros.ros.image_conversion import (
    compressed_to_frame, frame_to_image_fields, image_to_frame, ImageConversionError)
from lite_tracker_ros.ros.init_request import (
    checked_init_box, InitError, is_stop_request, StampedBuffer)
from lite_tracker_ros.ros.long_term_diagnostics import long_term_values
from lite_tracker_ros.ros.node_main import run_node
from lite_tracker_ros.ros.node_parameters import declare_tracker_parameters, TrackerParameters


class StartupError(RuntimeError):
    """The node cannot start; the message is one line that names the fix."""


def stamp_ns(header) -> int:
    return header.stamp.sec * 1_000_000_000 + header.stamp.nanosec


class TrackerNode(Node):
    """Single-object tracker over a camera stream."""

    def __init__(self, **kwargs):
        super().__init__('tracker_node', **kwargs)
        try:
            self.params: TrackerParameters = declare_tracker_parameters(self)
        except (ValueError, ParameterException) as error:
            raise StartupError(f'bad parameter: {error}') from None
        self.tracker = self._create_tracker()
        image_topic = 'image/compressed' if self.params.use_compressed else 'image'
        self._image_topic = self.resolve_topic_name(image_topic)  # remapped, for messages
        self.health = NodeHealth(
            {'model': self.params.model, 'backend': self.params.backend,
             'device': self.params.device, 'image_topic': self._image_topic},
            lag_warn_s=self.params.lag_warn_s, image_timeout_s=self.params.image_timeout_s)
        self._frames = StampedBuffer(self.params.init_buffer_size)
        self._cond = threading.Condition()
        self._latest = None  # (message, receive delay in s) waiting for the worker
        self._inits: list[Detection2D] = []
        self._enabled = True
        self._reset_requested = False
        self._running = True
        self._hint_logged_at = 0.0

        qos = qos_profile_sensor_data if not self.params.reliable_qos else QoSProfile(
            depth=1, history=QoSHistoryPolicy.KEEP_LAST,
            reliability=QoSReliabilityPolicy.RELIABLE)
        sub_events = SubscriptionEventCallbacks(incompatible_qos=self._on_incompatible_qos)
        self.create_subscription(CompressedImage if self.params.use_compressed else Image,
                                 image_topic, self._on_image, qos, event_callbacks=sub_events)
        self.create_subscription(Detection2D, '~/init', self._on_init, 10,
                                 event_callbacks=sub_events)
        pub_events = PublisherEventCallbacks(incompatible_qos=self._on_incompatible_qos)
        self._detection_pub = self.create_publisher(Detection2D, '~/detection', 10,
                                                    event_callbacks=pub_events)
        self._detections_pub = self.create_publisher(Detection2DArray, '~/detections', 10,
                                                     event_callbacks=pub_events)
        if self.params.long_term:
            self.create_subscription(Detection2DArray, '~/candidates', self._on_candidates, 1,
                                     event_callbacks=sub_events)
        self._debug_pub = self.create_publisher(Image, '~/debug_image', 1)
        self._diag_pub = self.create_publisher(DiagnosticArray, '/diagnostics', 10)
        self.create_service(Trigger, '~/reset', self._on_reset)
        self.create_service(SetBool, '~/enable', self._on_enable)
        self.add_on_set_parameters_callback(self._on_set_parameters)
        self.create_timer(self.params.diagnostics_period_s, self._publish_diagnostics)

        self._worker = threading.Thread(target=self._work, name='tracker', daemon=True)
        self._worker.start()
        self.get_logger().info(
            f'tracking with {self.params.model} on {self.params.backend}/{self.params.device}; '
            f'waiting for images on {self._image_topic} and a box on '
            f'{self.resolve_topic_name("~/init")}')

    # -- setup -----------------------------------------------------------------------------

    def _create_tracker(self):
        from lite_tracker_ros.factory import create_tracker, TrackerCreationError
        try:
            return create_tracker(self.params.model, backend=self.params.backend,
                                  device=self.params.device, weights=self.params.weights or None,
                                  precision=self.params.precision,
                                  num_threads=self.params.num_threads,
                                  lost_threshold=self.params.tracker_lost_threshold,
                                  long_term=self.params.long_term)
        except TrackerCreationError as error:
            # the first line names the problem and the fix; a key report may follow it
            raise StartupError(str(error).splitlines()[0]) from None

    def _on_set_parameters(self, changes) -> SetParametersResult:
        try:
            updated = self.params.updated(changes)
        except ValueError as error:
            return SetParametersResult(successful=False, reason=str(error))
        self.params = updated
        self.tracker.lost_threshold = updated.tracker_lost_threshold
        self.health.lag_warn_s = updated.lag_warn_s
        self.health.image_timeout_s = updated.image_timeout_s
        return SetParametersResult(successful=True)

    def _on_incompatible_qos(self, event) -> None:
        self.get_logger().error(
            f'incompatible QoS with a peer (policy {event.last_policy_kind}); images are '
            f'best-effort by default: set reliable_qos:=true for a reliable-only publisher')
        self.health.bad_input('incompatible_qos', f'policy {event.last_policy_kind}')

    # -- executor callbacks: store and return --------------------------------------------

    def _on_image(self, msg) -> None:
        self.health.frame_received()
        delay_s = (self.get_clock().now().nanoseconds - stamp_ns(msg.header)) / 1e9
        with self._cond:
            if self._latest is not None:
                self.health.frame_dropped()
            self._latest = (msg, delay_s)
            self._frames.push(stamp_ns(msg.header), msg)
            self._cond.notify()

    def _on_init(self, msg: Detection2D) -> None:
        with self._cond:
            self._inits.append(msg)
            self._cond.notify()

    def _on_candidates(self, msg: Detection2DArray) -> None:
        """Detector boxes: verified with the template on the next searching frame."""
        boxes = [box_from_detection(d) for d in msg.detections]
        self.tracker.propose([b for b in boxes if b.is_finite() and b.w > 0 and b.h > 0])

    def _on_reset(self, request, response):
        with self._cond:
            self._inits.clear()
            self._reset_requested = True
            self._cond.notify()
        response.success, response.message = True, 'tracking stopped; send a new box to ~/init'
        return response

    def _on_enable(self, request, response):
        with self._cond:
            self._enabled = bool(request.data)
            if not self._enabled:
                self._latest = None
        response.success = True
        response.message = 'enabled' if request.data else 'disabled: images are ignored'
        return response

    # -- worker thread ---------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: not self._running or self._reset_requested
                                    or self._inits or self._latest is not None)
                if not self._running:
                    return
                reset, self._reset_requested = self._reset_requested, False
                inits, self._inits = self._inits, []
                latest, self._latest = (self._latest, None) if self._enabled else (None, None)
            if reset:
                self.tracker.reset()
                self.health.set_state('idle')
            for msg in inits:
                self._apply_init(msg)
            if latest is not None:
                self._process(*latest)

    def _apply_init(self, msg: Detection2D) -> None:
        box = box_from_detection(msg)
        if is_stop_request(box):
            self.tracker.reset()
            self.health.set_state('idle')
            self.get_logger().info('zero-size init box: tracking stopped')
            return
        try:
            with self._cond:
                wanted = stamp_ns(msg.header)
                found = self._frames.newest() if wanted == 0 else self._frames.find(wanted)
            if found is None:
                raise InitError('init_before_image' if not len(self._frames) else
                                'init_stamp_too_new',
                                'no image received yet' if not len(self._frames) else
                                'init stamp is newer than every received image')
            frame = image_to_frame(found[1]) if isinstance(found[1], Image) \
                else compressed_to_frame(found[1])
            self.tracker.init(frame, checked_init_box(box, frame.width, frame.height))
        except (InitError, ImageConversionError) as error:
            kind = getattr(error, 'kind', 'init_image_invalid')
            self.health.bad_input(kind, str(error))
            self.get_logger().warning(f'init ignored: {error}', throttle_duration_sec=1.0)
            return
        except Exception as error:  # noqa: B902 - a backend failure must not kill the node
            self.health.backend_error(f'init: {error}')
            self.get_logger().error(f'backend failed during init: {error}',
                                    throttle_duration_sec=1.0)
            return
        self.health.set_state(self.tracker.state.value)
        self.get_logger().info(f'tracking {box} from the frame stamped {found[0] / 1e9:.3f}')

    def _process(self, msg, receive_delay_s: float) -> None:
        t0 = time.perf_counter()
        try:
            frame = image_to_frame(msg) if isinstance(msg, Image) else compressed_to_frame(msg)
        except ImageConversionError as error:
            self.health.bad_input('image_invalid', str(error))
            self.get_logger().warning(f'image dropped: {error}', throttle_duration_sec=1.0)
            return
        conversion_s = time.perf_counter() - t0
        result = None
        if self.tracker.state is not TrackState.IDLE:
            try:
                result = self.tracker.update(frame)
            except Exception as error:  # noqa: B902 - one bad frame must not kill the node
                self.health.backend_error(str(error))
                self.get_logger().error(f'tracking failed on one frame: {error}',
                                        throttle_duration_sec=1.0)
                return
        tracked = result is not None and result.state is TrackState.TRACKING
        detection = detection_from_result(msg.header, result, self.params.class_id) \
            if tracked else None
        if detection is not None:
            self._detection_pub.publish(detection)
        self._detections_pub.publish(detection_array(msg.header, detection))
        if self._debug_pub.get_subscription_count() > 0:
            self._publish_debug(msg.header, frame, result)
        stages = {'receive_delay': receive_delay_s, 'conversion': conversion_s}
        if result is not None:
            stages.update(result.timings_s)
        now_ns = self.get_clock().now().nanoseconds
        stages['end_to_end'] = (now_ns - stamp_ns(msg.header)) / 1e9
        self.health.frame_processed(self.tracker.state.value, stages)
        if self.params.long_term:
            self.health.set_values(long_term_values(self.tracker.log))

    def _publish_debug(self, header, frame, result) -> None:
        pixels = frame.pixels
        if frame.order is ChannelOrder.MONO:
            pixels, order = cv2.cvtColor(pixels, cv2.COLOR_GRAY2RGB), ChannelOrder.RGB
        else:
            pixels, order = pixels.copy(), frame.order
        if result is not None:
            b = result.box
            colour = (0, 255, 0) if result.state is TrackState.TRACKING else (255, 160, 0)
            cv2.rectangle(pixels, (round(b.x), round(b.y)), (round(b.x + b.w), round(b.y + b.h)),
                          colour, 2)
            cv2.putText(pixels, f'{result.state.value} {result.score:.2f}',
                        (round(b.x), max(12, round(b.y) - 4)), cv2.FONT_HERSHEY_SIMPLEX, 0.5,
                        colour, 1)
        image = Image(header=header, **frame_to_image_fields(pixels, order))
        self._debug_pub.publish(image)

    # -- diagnostics -----------------------------------------------------------------------

    def _publish_diagnostics(self) -> None:
        silence = self.health.seconds_without_image()
        if silence is not None:
            hint = self._silent_input_hint()
            now = time.monotonic()
            # a new reason is logged at once, the same one every 10 s
            if hint != self.health.image_hint or now - self._hint_logged_at >= 10.0:
                self.get_logger().warning(f'no image for {silence:.0f} s: {hint}')
                self._hint_logged_at = now
            self.health.image_hint = hint
        report = self.health.report()
        status = DiagnosticStatus(level=bytes([int(report.level)]), message=report.message,
                                  name=f'{self.get_fully_qualified_name()}: tracker',
                                  hardware_id=self.params.device)
        status.values = [KeyValue(key=k, value=v) for k, v in report.values.items()]
        array = DiagnosticArray(status=[status])
        array.header.stamp = self.get_clock().now().to_msg()
        self._diag_pub.publish(array)

    def _silent_input_hint(self) -> str:
        """Say why no image arrives, from what the graph shows about the image topic."""
        topic = self._image_topic
        publishers = self.get_publishers_info_by_topic(topic)
        if not publishers:
            return (f'no publisher on {topic}: start the camera, or remap its topic to this one '
                    '(track.launch.py image_topic:=...)')
        best_effort = [p for p in publishers
                       if p.qos_profile.reliability == QoSReliabilityPolicy.BEST_EFFORT]
        if self.params.reliable_qos and best_effort:
            return (f'{len(best_effort)} best-effort publisher(s) on {topic} cannot serve this '
                    'reliable subscription: set reliable_qos false')
        return (f'{len(publishers)} publisher(s) on {topic} but no image arrives: is the camera '
                f'streaming? (ros2 topic hz {topic})')

    def destroy_node(self):
        worker = getattr(self, '_worker', None)  # absent when __init__ failed
        if worker is not None:
            with self._cond:
                self._running = False
                self._cond.notify()
            worker.join(timeout=5.0)
        return super().destroy_node()


def main(args=None) -> int:
    return run_node('tracker_node', TrackerNode, (StartupError,), args)


if __name__ == '__main__':
    sys.exit(main())
