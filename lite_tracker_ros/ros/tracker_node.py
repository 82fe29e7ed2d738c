# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
The tracker node: camera images and an initial box in, Detection2D and diagnostics out.

A managed (lifecycle) node: the constructor only declares parameters; ``configure`` builds the
tracker (checkpoint load, ONNX export, TensorRT engine build: the slow part), ``activate``
creates the subscriptions, publishers, services and the worker, ``deactivate`` removes them,
``cleanup`` frees the backend. With ``autostart`` (the default) ``main`` goes through configure
and activate by itself, so the node also runs without a lifecycle manager.

Threads: the executor only stores the newest image (latest-frame policy: a frame that arrives
while the previous one is still waiting is dropped and counted, so no queue ever builds up) and
the newest init request; one worker thread owns the tracker and does all the computing. A
failure on one frame is counted and costs that frame only; the worker cannot end unreported.
"""

from __future__ import annotations

import gc
import sys
import threading
import time

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from rcl_interfaces.msg import ParameterDescriptor, SetParametersResult
from rclpy.clock import Clock, ClockType
from rclpy.exceptions import ParameterException
from rclpy.lifecycle import LifecycleNode, TransitionCallbackReturn
from rclpy.publisher import Publisher
from rclpy.qos import (qos_profile_sensor_data, QoSHistoryPolicy, QoSProfile,
                       QoSReliabilityPolicy)
from rclpy.service import Service
from rclpy.subscription import Subscription
from rclpy.timer import Timer
from sensor_msgs.msg import CompressedImage, Image
from std_srvs.srv import SetBool, Trigger
from vision_msgs.msg import Detection2D, Detection2DArray

try:  # Iron and later
    from rclpy.event_handler import PublisherEventCallbacks, SubscriptionEventCallbacks
except ImportError:  # Humble
    from rclpy.qos_event import PublisherEventCallbacks, SubscriptionEventCallbacks

from lite_tracker_ros.core.types import TrackState
from lite_tracker_ros.errors import first_line, LiteTrackerError
from lite_tracker_ros.ros.bounded_text import bounded
from lite_tracker_ros.ros.compressed_input import CompressedInput
from lite_tracker_ros.ros.debug_overlay import draw_result
from lite_tracker_ros.ros.detection_conversion import (
    box_from_detection, detection_array, detection_from_result)
from lite_tracker_ros.ros.guarded_worker import GuardedWorker
from lite_tracker_ros.ros.health import NodeHealth
from lite_tracker_ros.ros.image_conversion import (
    compressed_to_frame, frame_to_image_fields, image_to_frame, ImageConversionError)
from lite_tracker_ros.ros.init_request import (
    checked_init_box, InitError, InitMailbox, is_stop_request, StampedBuffer)
from lite_tracker_ros.ros.long_term_diagnostics import long_term_values
from lite_tracker_ros.ros.node_main import run_node
from lite_tracker_ros.ros.node_parameters import declare_tracker_parameters, TrackerParameters
from lite_tracker_ros.ros.resolution_guard import ResolutionGuard, SizeVerdict
from lite_tracker_ros.ros.servo_outputs import ServoOutputs

#: frames of one new size in a row after which the stream counts as resized (a glitch is 1-2)
RESOLUTION_CHANGE_STOP_FRAMES = 5


class StartupError(LiteTrackerError, RuntimeError):
    """The node cannot start; the message is one line that names the fix."""


def stamp_ns(header) -> int:
    return header.stamp.sec * 1_000_000_000 + header.stamp.nanosec


class TrackerNode(LifecycleNode):
    """Single-object tracker over a camera stream, as a managed node."""

    def __init__(self, tracker_factory=None, **kwargs):
        """
        Declare the parameters; nothing is loaded before ``configure``.

        ``tracker_factory(params) -> tracker`` replaces the model factory (tests use a fake).
        """
        super().__init__('tracker_node', **kwargs)
        self._tracker_factory = tracker_factory
        try:
            self.params: TrackerParameters = declare_tracker_parameters(self)
        except (ValueError, ParameterException) as error:
            raise StartupError(f'bad parameter: {bounded(error)}') from None
        self.autostart = self.declare_parameter('autostart', True, ParameterDescriptor(
            description='configure and activate at start, without a lifecycle manager',
            read_only=True)).value
        self.tracker = None
        self.health = None
        self.configure_error = ''  # the one-line reason of the last failed configure
        self._configured = False
        self._autostarting = False  # autostart prints a failed configure's reason itself
        self._worker = None
        self._interfaces = []  # what _create_interfaces made, destroyed on deactivate
        self._cond = threading.Condition()
        self._running = False
        self._image_topic = ''
        self.add_on_set_parameters_callback(self._on_set_parameters)
        # Iron and later apply accepted changes in a post-set callback; Humble has none, so there
        # the on-set callback applies them itself once they are validated (its last step)
        self._apply_in_on_set = not hasattr(self, 'add_post_set_parameters_callback')
        if not self._apply_in_on_set:
            self.add_post_set_parameters_callback(self._apply_parameters)

    # -- lifecycle transitions -------------------------------------------------------------

    def on_configure(self, state) -> TransitionCallbackReturn:
        try:
            self.tracker = self._create_tracker()
        except StartupError as error:
            self.configure_error = str(error)
            if not self._autostarting:
                self.get_logger().error(f'configure failed: {error}')
            return TransitionCallbackReturn.FAILURE
        self.configure_error = ''
        image_topic = 'image/compressed' if self.params.use_compressed else 'image'
        self._image_topic = self.resolve_topic_name(image_topic)  # remapped, for messages
        self.health = NodeHealth(
            {'model': self.params.model, 'backend': self.params.backend,
             'device': self.params.device, 'image_topic': self._image_topic},
            lag_warn_s=self.params.lag_warn_s, image_timeout_s=self.params.image_timeout_s,
            processing_timeout_s=self.params.processing_timeout_s)
        self.health.idle_hint = f'waiting for an init box on {self.resolve_topic_name("~/init")}'
        self._frames = StampedBuffer(self.params.init_buffer_size,
                                     self.params.init_buffer_max_bytes)
        self._latest = None  # (message, receive delay in s) waiting for the worker
        self._inits = InitMailbox(self.params.init_wait_s)
        self._init_arrived = False
        self._size_guard = ResolutionGuard(RESOLUTION_CHANGE_STOP_FRAMES)
        self._enabled = True
        self._stop_reason = ''  # set: the worker stops the track, and logs why
        self._hint_logged_at = 0.0
        self._configured = True
        self.get_logger().info(
            f'configured: {self.params.model} on {self.params.backend}/{self.params.device}')
        return TransitionCallbackReturn.SUCCESS

    def on_activate(self, state) -> TransitionCallbackReturn:
        with self._cond:
            self._latest = None
            self._running = True
        self.health.frame_taken()
        self._create_interfaces()
        self._worker = GuardedWorker(self._work_step, self._on_worker_error,
                                     self._on_worker_exit, name='tracker')
        self._worker.start()
        self.get_logger().info(
            f'tracking with {self.params.model} on {self.params.backend}/{self.params.device}; '
            f'waiting for images on {self._image_topic} and a box on '
            f'{self.resolve_topic_name("~/init")}')
        return TransitionCallbackReturn.SUCCESS

    def on_deactivate(self, state) -> TransitionCallbackReturn:
        # the track is kept (like ~/enable false): activate resumes it
        self._stop_worker()
        self._destroy_interfaces()
        with self._cond:
            self._latest = None
        self.health.frame_taken()
        self.get_logger().info('deactivated: no image is taken and nothing is published')
        return TransitionCallbackReturn.SUCCESS

    def on_cleanup(self, state) -> TransitionCallbackReturn:
        self._release_tracker()
        return TransitionCallbackReturn.SUCCESS

    def on_shutdown(self, state) -> TransitionCallbackReturn:
        self._stop_worker()
        self._destroy_interfaces()
        self._release_tracker()
        return TransitionCallbackReturn.SUCCESS

    def on_error(self, state) -> TransitionCallbackReturn:
        # a transition raised: drop everything and go back to unconfigured
        self.get_logger().error(f'lifecycle transition failed from {state.label}: resources '
                                'released, configure again')
        return self.on_shutdown(state)

    def _create_interfaces(self) -> None:
        """Create every subscription, publisher, service and timer the active node uses."""
        params = self.params
        image_topic = 'image/compressed' if params.use_compressed else 'image'
        qos = qos_profile_sensor_data if not params.reliable_qos else QoSProfile(
            depth=1, history=QoSHistoryPolicy.KEEP_LAST,
            reliability=QoSReliabilityPolicy.RELIABLE)
        sub_events = SubscriptionEventCallbacks(incompatible_qos=self._on_incompatible_qos)
        pub_events = PublisherEventCallbacks(incompatible_qos=self._on_incompatible_qos)
        self._detection_pub = self.create_publisher(Detection2D, '~/detection', 10,
                                                    event_callbacks=pub_events)
        self._detections_pub = self.create_publisher(Detection2DArray, '~/detections', 10,
                                                     event_callbacks=pub_events)
        self._debug_pub = self.create_publisher(Image, '~/debug_image', 1)
        self._diag_pub = self.create_publisher(DiagnosticArray, '/diagnostics', 10)
        self._interfaces = [
            self._detection_pub, self._detections_pub, self._debug_pub, self._diag_pub,
            self.create_subscription(CompressedImage if params.use_compressed else Image,
                                     image_topic, self._on_image, qos,
                                     event_callbacks=sub_events),
            self.create_subscription(Detection2D, '~/init', self._on_init, 10,
                                     event_callbacks=sub_events),
            self.create_service(Trigger, '~/reset', self._on_reset),
            self.create_service(SetBool, '~/enable', self._on_enable),
            # Health is reported on the steady clock: with use_sim_time and no /clock a ROS-time
            # timer never fires, and a silent camera would go unreported. Stamps stay ROS time.
            self.create_timer(params.diagnostics_period_s, self._publish_diagnostics,
                              clock=Clock(clock_type=ClockType.STEADY_TIME)),
        ]
        self._compressed = CompressedInput(params.reduced_decode_margin,
                                           params.use_compressed and params.region_decode)
        self._servo = ServoOutputs(self, params, self.health, self._image_topic)
        self._interfaces += self._servo.entities
        if params.long_term:
            self._interfaces.append(self.create_subscription(
                Detection2DArray, '~/candidates', self._on_candidates, 1,
                event_callbacks=sub_events))

    def _destroy_interfaces(self) -> None:
        # through the node, which also forgets them (the executor must not wait on them)
        destroy = {Publisher: self.destroy_publisher, Subscription: self.destroy_subscription,
                   Service: self.destroy_service, Timer: self.destroy_timer}
        for entity in self._interfaces:
            destroy[type(entity)](entity)
        self._interfaces = []

    def _stop_worker(self) -> None:
        worker, self._worker = self._worker, None
        if worker is None:
            return
        worker.stop()
        with self._cond:
            self._running = False
            self._cond.notify()
        worker.join(timeout_s=5.0)

    def _release_tracker(self) -> None:
        """Drop the tracker and its backend, GPU memory included."""
        self.tracker = None
        self._configured = False
        if getattr(self, '_frames', None) is not None:
            self._frames = StampedBuffer(self.params.init_buffer_size,
                                         self.params.init_buffer_max_bytes)
        with self._cond:
            self._latest = None
        gc.collect()
        torch = sys.modules.get('torch')  # only when a backend brought it in
        if torch is not None and torch.cuda.is_available():
            torch.cuda.empty_cache()

    # -- setup -----------------------------------------------------------------------------

    def _create_tracker(self):
        """Build the tracker from the parameters; StartupError (one line) if that fails."""
        if self._tracker_factory is not None:
            return self._tracker_factory(self.params)
        from lite_tracker_ros.factory import create_tracker
        try:
            return create_tracker(self.params.model, backend=self.params.backend,
                                  device=self.params.device, weights=self.params.weights or None,
                                  precision=self.params.precision,
                                  num_threads=self.params.num_threads,
                                  lost_threshold=self.params.tracker_lost_threshold,
                                  long_term=self.params.long_term,
                                  long_term_patient=self.params.long_term_patient)
        except LiteTrackerError as error:
            # the first line names the problem and the fix; a key report may follow it
            raise StartupError(first_line(error)) from None
        except Exception as error:  # noqa: B902 - configure fails, the node stays alive
            raise StartupError(f'{type(error).__name__}: {bounded(error)}') from None

    def _on_set_parameters(self, changes) -> SetParametersResult:
        """Validate only; an accepted change is applied by ``_apply_parameters``."""
        try:
            self.params.updated(changes, configure_time=not self._configured)
        except ValueError as error:
            return SetParametersResult(successful=False, reason=str(error))
        if self._apply_in_on_set:
            self._apply_parameters(changes)
        return SetParametersResult(successful=True)

    def _apply_parameters(self, changes) -> None:
        updated = self.params.updated(changes, configure_time=not self._configured)
        self.params = updated
        if self.tracker is not None:
            self.tracker.lost_threshold = updated.tracker_lost_threshold
        if self.health is not None:
            self.health.lag_warn_s = updated.lag_warn_s
            self.health.image_timeout_s = updated.image_timeout_s
            self.health.processing_timeout_s = updated.processing_timeout_s
        if self._configured:
            self._inits.wait_s = updated.init_wait_s

    def _on_incompatible_qos(self, event) -> None:
        self.get_logger().error(
            f'incompatible QoS with a peer (policy {event.last_policy_kind}); images are '
            f'best-effort by default: set reliable_qos:=true for a reliable-only publisher')
        self.health.bad_input('incompatible_qos', f'policy {event.last_policy_kind}')

    # -- executor callbacks: store and return --------------------------------------------

    def _on_image(self, msg) -> None:
        self.health.frame_received(for_worker=self._enabled)
        delay_s = (self.get_clock().now().nanoseconds - stamp_ns(msg.header)) / 1e9
        self.health.topic_event('input', delay_s if stamp_ns(msg.header) else None)
        with self._cond:
            if self._latest is not None:
                self.health.frame_dropped()
            self._latest = (msg, delay_s)
            self._frames.push(stamp_ns(msg.header), msg, len(msg.data))
            self._cond.notify()

    def _on_init(self, msg: Detection2D) -> None:
        stop = is_stop_request(box_from_detection(msg))
        with self._cond:
            if stop:  # newest wins: a stop cancels the init still waiting
                self._inits.clear()
                self._stop_reason = 'zero-size init box: tracking stopped'
            else:
                coalesced = self._inits.coalesced
                self._inits.put(msg, stamp_ns(msg.header))
                if self._inits.coalesced > coalesced:
                    self.health.event('inits_coalesced')
                self._init_arrived = True
            self._cond.notify()

    def _on_candidates(self, msg: Detection2DArray) -> None:
        """Detector boxes: verified with the template on the next searching frame."""
        # the tracker drops unusable boxes (NaN, empty) and keeps the first few
        self.tracker.propose([box_from_detection(d) for d in msg.detections])

    def _on_reset(self, request, response):
        with self._cond:
            self._inits.clear()
            self._stop_reason = 'reset service: tracking stopped'
            self._cond.notify()
        response.success, response.message = True, 'tracking stopped; send a new box to ~/init'
        return response

    def _on_enable(self, request, response):
        with self._cond:
            self._enabled = bool(request.data)
            if not self._enabled:
                self._latest = None
                self.health.frame_taken()  # nothing waits for the worker while paused
        response.success = True
        response.message = 'enabled' if request.data else 'disabled: images are ignored'
        return response

    # -- worker thread ---------------------------------------------------------------------

    def _has_work(self) -> bool:
        return (not self._running or bool(self._stop_reason) or self._init_arrived
                or self._latest is not None)

    def _work_step(self) -> bool:
        """Wait for work, then stop or start a track and process the newest frame."""
        init_error = ready = None
        with self._cond:
            # a held init wakes the worker when its wait is over, to report it
            self._cond.wait_for(self._has_work, timeout=self._inits.seconds_left())
            if not self._running:
                return False
            stop, self._stop_reason = self._stop_reason, ''
            self._init_arrived = False
            latest, self._latest = (self._latest, None) if self._enabled else (None, None)
            if latest is not None:
                self.health.frame_taken()
            try:
                ready = self._inits.take(self._frames)
            except InitError as error:
                init_error = error
            frames_buffered = len(self._frames)
        if stop:
            self._stop_track()
            self.get_logger().info(stop, throttle_duration_sec=1.0)
        if init_error is not None:
            self._init_refused(init_error)
        if ready is not None:
            self._apply_init(*ready, frames_buffered)
        if latest is not None:
            self._process(*latest)
        return True

    def _on_worker_error(self, error: Exception) -> None:
        self.health.frame_error('worker', f'{type(error).__name__}: {error}')
        self.get_logger().error(f'unexpected error on one frame, continuing: '
                                f'{type(error).__name__}: {bounded(error)}',
                                throttle_duration_sec=1.0)

    def _on_worker_exit(self, reason: str) -> None:
        self.health.worker_stopped(reason)
        self.get_logger().error(f'the tracking thread stopped ({bounded(reason)}): no frame will '
                                'be processed; restart the node')

    def _stop_track(self) -> None:
        self.tracker.reset()
        self._size_guard.clear()
        self.health.set_state('idle')

    def _to_frame(self, msg):
        limit = self.params.max_image_pixels
        return image_to_frame(msg, limit) if isinstance(msg, Image) \
            else compressed_to_frame(msg, limit)

    def _init_refused(self, error: Exception) -> None:
        kind = getattr(error, 'kind', 'init_image_invalid')
        if kind.startswith('image_'):  # the buffered frame could not be read
            kind = 'init_' + kind
        self.health.bad_input(kind, str(error))
        self.get_logger().warning(f'init ignored: {bounded(error)}', throttle_duration_sec=1.0)

    def _apply_init(self, msg: Detection2D, found, frames_buffered: int) -> None:
        box = box_from_detection(msg)
        try:
            if found is None:
                if not frames_buffered:
                    raise InitError('init_before_image', 'no image received yet (waited '
                                    f'init_wait_s = {self._inits.wait_s:g} s)')
                raise InitError('init_stamp_too_new',
                                'init stamp is newer than every received image, and no frame '
                                f'with it came within init_wait_s = {self._inits.wait_s:g} s')
            frame = self._to_frame(found[1])
            self.tracker.init(frame, checked_init_box(box, frame.width, frame.height))
        except (InitError, ImageConversionError) as error:
            self._init_refused(error)
            return
        except Exception as error:  # noqa: B902 - a backend failure must not kill the node
            self.health.backend_error(f'init: {error}')
            self.get_logger().error(f'backend failed during init: {bounded(error)}',
                                    throttle_duration_sec=1.0)
            return
        self._size_guard.start((frame.width, frame.height))
        self.health.set_state(self.tracker.state.value)
        self.health.event('inits_applied')
        # an init storm must not flood the log: one line a second at most
        self.get_logger().info(f'tracking {box} from the frame stamped {found[0] / 1e9:.3f}',
                               throttle_duration_sec=1.0)

    def _process(self, msg, receive_delay_s: float) -> None:
        t0 = time.perf_counter()
        try:
            frame = self._frame_for_update(msg)
        except ImageConversionError as error:
            self.health.bad_input(error.kind, str(error))
            self.get_logger().warning(f'image dropped: {bounded(error)}',
                                      throttle_duration_sec=1.0)
            return
        except Exception as error:  # noqa: B902 - e.g. MemoryError while decoding
            self.health.frame_error('conversion', f'{type(error).__name__}: {error}')
            self.get_logger().error(f'image conversion failed: {type(error).__name__}: '
                                    f'{bounded(error)}', throttle_duration_sec=1.0)
            return
        conversion_s = time.perf_counter() - t0
        result = None
        if self.tracker.state is not TrackState.IDLE and \
                self._check_size(frame) is SizeVerdict.REJECT:
            return  # the track goes on with the next frame of its size
        if self.tracker.state is not TrackState.IDLE:
            try:
                result = self.tracker.update(frame)
            except Exception as error:  # noqa: B902 - one bad frame must not kill the node
                self.health.backend_error(str(error))
                self.get_logger().error(f'tracking failed on one frame: {bounded(error)}',
                                        throttle_duration_sec=1.0)
                return
        result = self._servo.on_result(msg.header, frame, result, self.params.class_id)
        self._publish_result(msg.header, frame, result)
        stages = {'receive_delay': receive_delay_s, 'conversion': conversion_s}
        if result is not None:
            stages.update(result.timings_s)
        now_ns = self.get_clock().now().nanoseconds
        stages['end_to_end'] = (now_ns - stamp_ns(msg.header)) / 1e9
        self.health.topic_event('output',
                                stages['end_to_end'] if stamp_ns(msg.header) else None)
        self.health.frame_processed(self.tracker.state.value, stages)

    def _check_size(self, frame) -> SizeVerdict:
        """Check the frame's size against the track's; stop the track if the size changed."""
        size = (frame.width, frame.height)
        tracked = self._size_guard.tracked
        verdict = self._size_guard.check(size)
        if verdict is SizeVerdict.ACCEPT:
            return verdict
        detail = (f'{size[0]}x{size[1]} frame while tracking on {tracked[0]}x{tracked[1]} '
                  'frames')
        self.health.bad_input('resolution_changed', detail + ': skipped')
        if verdict is SizeVerdict.STOP_TRACK:
            self._stop_track()
            self.health.event('tracks_stopped_resolution_changed')
            self.get_logger().warning(
                f'{detail}, {RESOLUTION_CHANGE_STOP_FRAMES} in a row: the stream changed size, '
                'tracking stopped; send a new box to ~/init', throttle_duration_sec=1.0)
        else:
            self.get_logger().warning(f'{detail}: skipped', throttle_duration_sec=1.0)
        return verdict

    def _publish_result(self, header, frame, result) -> None:
        """Publish the detection(s) and the debug image; a failure costs this frame only."""
        try:
            tracked = result is not None and result.state is TrackState.TRACKING
            detection = detection_from_result(header, result, self.params.class_id) \
                if tracked else None
            if detection is not None:
                self._detection_pub.publish(detection)
            self._detections_pub.publish(detection_array(header, detection))
        except Exception as error:  # noqa: B902 - e.g. a value the message type refuses
            self.health.frame_error('publish', f'{type(error).__name__}: {error}')
            self.get_logger().error(f'publishing a result failed: {bounded(error)}',
                                    throttle_duration_sec=1.0)
        if self._debug_pub.get_subscription_count() > 0:
            try:
                pixels, order = draw_result(frame, result)
                self._debug_pub.publish(Image(header=header,
                                              **frame_to_image_fields(pixels, order)))
            except Exception as error:  # noqa: B902 - the debug view must not cost a frame
                self.health.frame_error('debug_image', f'{type(error).__name__}: {error}')
                self.get_logger().error(f'debug image failed: {bounded(error)}',
                                        throttle_duration_sec=1.0)

    def _frame_for_update(self, msg):
        if isinstance(msg, Image):
            return self._to_frame(msg)
        # while tracking, a JPEG is decoded only as finely as the next search crop reads it
        resampling = getattr(self.tracker, 'search_resampling', lambda: None)()
        region = getattr(self.tracker, 'search_region', lambda: None)()
        return self._compressed.to_frame(msg, resampling, self.params.max_image_pixels, region)

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
        # named as diagnostic_updater names its tasks ('<node>: <task>', '<topic> topic
        # status' for a topic's frequency and stamps), with the full node name: cameras differ
        node = self.get_fully_qualified_name()
        topics = self.health.topic_reports()
        tracker = self.health.report()
        tracker.values.update(self._servo.diagnostic_values())
        if self.params.long_term:  # read when reported: seconds_lost keeps counting
            tracker.values.update(long_term_values(self.tracker.log))
        if self.params.use_compressed:
            tracker.values['decode.frames_by_scale'] = ', '.join(
                f'1/{s}: {n}' for s, n in sorted(dict(self._compressed.frames_by_scale).items()))
            decoder = self._compressed.region_decoder
            tracker.values['decode.region_frames'] = (
                str(self._compressed.region_frames) if decoder is not None
                else 'off' if not self.params.region_decode else 'off (no libturbojpeg)')
        statuses = [(f'{node}: tracker', tracker),
                    (f'{node}: {self._image_topic} topic status', topics['input']),
                    (f'{node}: {self.resolve_topic_name("~/detections")} topic status',
                     topics['output'])]
        array = DiagnosticArray()
        for name, report in statuses:
            status = DiagnosticStatus(level=bytes([int(report.level)]), message=report.message,
                                      name=name, hardware_id=self.params.device)
            status.values = [KeyValue(key=k, value=v) for k, v in report.values.items()]
            array.status.append(status)
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
        self._stop_worker()
        return super().destroy_node()


def autostart(node: TrackerNode) -> None:
    """Configure and activate when ``autostart`` is set; StartupError (one line) on failure."""
    if not node.autostart:
        node.get_logger().info('autostart is false: waiting for a lifecycle manager to '
                               'configure and activate this node')
        return
    node._autostarting = True
    try:
        configured = node.trigger_configure()
    finally:
        node._autostarting = False
    if configured != TransitionCallbackReturn.SUCCESS:
        raise StartupError(node.configure_error or 'configure failed')
    if node.trigger_activate() != TransitionCallbackReturn.SUCCESS:
        raise StartupError('activate failed')


def main(args=None) -> int:
    return run_node('tracker_node', TrackerNode, args=args, start=autostart)


if __name__ == '__main__':
    sys.exit(main())
