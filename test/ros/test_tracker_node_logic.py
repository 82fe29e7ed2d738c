# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
The tracker node's logic in-process: the README interface table, promise by promise.

The node runs in this process against the suite's FakeTracker (template matching) with a real
executor and real messages over DDS (test/ros/node_harness.py), a fresh Context per test. What
only the real model over a separate process can show is in test_tracker_node.py.
"""

from __future__ import annotations

import threading
import time

import cv2
import numpy as np
import pytest
from sensor_msgs.msg import CompressedImage, Image

from lite_tracker_ros.core.types import BoxXYWH
from lite_tracker_ros.ros import tracker_node as tracker_node_module
from lite_tracker_ros.ros.tracker_node import StartupError
from fake_tracker import FakeTracker  # noqa: I100, I201 - sibling test helper modules
from node_harness import InProcessTracker, rgb_image, set_stamp, stamp_of

H, W, SIDE = 120, 160, 20
RED, BLUE, GREEN = (255, 0, 0), (0, 0, 255), (0, 200, 0)
LEFT, RIGHT, MIDDLE = (20, 50), (120, 50), (70, 80)  # top-left corners of the squares


def scene(*squares) -> np.ndarray:
    """Draw SIDE x SIDE squares, (colour, (x, y)) pairs, on a dark RGB frame."""
    pixels = np.full((H, W, 3), 30, np.uint8)
    for colour, (x, y) in squares:
        pixels[y:y + SIDE, x:x + SIDE] = colour
    return pixels


def box_at(corner) -> BoxXYWH:
    return BoxXYWH(float(corner[0]), float(corner[1]), float(SIDE), float(SIDE))


def centre_of(detection) -> tuple[float, float]:
    return detection.bbox.center.position.x, detection.bbox.center.position.y


def expected_centre(corner) -> tuple[float, float]:
    return corner[0] + SIDE / 2, corner[1] + SIDE / 2


class Clock:
    """Distinct, increasing stamps near the present (receive delays stay small)."""

    def __init__(self):
        self._last = 0

    def __call__(self, age_s: float = 0.0) -> int:
        self._last = max(self._last + 1000, time.time_ns() - int(age_s * 1e9))
        return self._last


@pytest.fixture
def stamps():
    return Clock()


@pytest.fixture
def trackers():
    made = []

    def factory(params):
        made.append(FakeTracker())
        return made[-1]
    factory.made = made
    return factory


@pytest.fixture
def start(trackers):
    """Start the node in-process with the fake tracker and given parameters, connected."""
    started = []

    def make(factory=trackers, connect=True, **params):
        node = InProcessTracker(factory, **params)
        started.append(node)
        if connect:
            node.wait_connected()
        return node
    yield make
    for node in started:
        node.close()


def start_track(node, stamps, corner=LEFT, colour=RED):
    """Send a frame, wait for its result, init on it and wait for the tracker to take it."""
    first = rgb_image(scene((colour, corner)), stamps())
    node.send_and_wait(first)
    node.send_init(box_at(corner), stamp_of(first))
    node.wait_tracking()


def tracked(node, msg):
    """Send a frame until a tracked result comes back for it; return its detection."""
    for _ in range(5):
        array = node.send_and_wait(msg)
        if array.detections:
            return array.detections[0]
        set_stamp(msg, stamp_of(msg) + 1)
    raise AssertionError('no detection')


# -- outputs ------------------------------------------------------------------------------

def test_detection_follows_the_target_in_image_pixels_with_the_header(start, stamps):
    node = start()
    start_track(node, stamps)
    msg = rgb_image(scene((RED, MIDDLE), (BLUE, LEFT)), stamps(), 'cam_optical')
    array = node.send_and_wait(msg)
    [det] = array.detections
    assert centre_of(det) == expected_centre(MIDDLE)
    assert (det.bbox.size_x, det.bbox.size_y) == (SIDE, SIDE)
    assert stamp_of(det) == stamp_of(array) == stamp_of(msg)
    assert det.header.frame_id == array.header.frame_id == 'cam_optical'
    assert det.results[0].hypothesis.class_id == 'target'
    assert det.results[0].hypothesis.score == pytest.approx(1.0)
    assert node.wait_for(lambda: any(stamp_of(d) == stamp_of(msg) for d in node.detections))


def test_class_id_and_a_new_track_id_per_init(start, stamps):
    node = start(class_id='deer')
    start_track(node, stamps)
    first = tracked(node, rgb_image(scene((RED, MIDDLE)), stamps()))
    assert first.results[0].hypothesis.class_id == 'deer'
    assert node.set_parameter('class_id', 'person').successful
    second = tracked(node, rgb_image(scene((RED, MIDDLE)), stamps()))
    assert second.results[0].hypothesis.class_id == 'person'
    assert second.id == first.id
    start_track(node, stamps, RIGHT, BLUE)
    third = tracked(node, rgb_image(scene((BLUE, MIDDLE)), stamps()))
    assert third.id != first.id and third.results[0].hypothesis.class_id == 'person'


def test_lost_target_publishes_an_empty_array_and_no_detection(start, stamps):
    node = start()
    start_track(node, stamps)
    gone = rgb_image(scene((GREEN, MIDDLE)), stamps())
    array = node.send_and_wait(gone)
    assert array.detections == []
    time.sleep(0.2)
    assert not any(stamp_of(d) == stamp_of(gone) for d in node.detections)
    values, status = node.diagnostics(predicate=lambda s: s.message == 'target lost')
    assert status.level == b'\x01' and values['state'] == 'lost'


# -- init ---------------------------------------------------------------------------------

def test_init_applies_to_the_frame_of_its_stamp_not_the_newest(start, stamps, trackers):
    node = start()
    older = rgb_image(scene((RED, LEFT), (BLUE, RIGHT)), stamps())
    newer = rgb_image(scene((BLUE, LEFT), (RED, RIGHT)), stamps())
    node.send_and_wait(older)
    node.send_and_wait(newer)
    node.send_init(box_at(LEFT), stamp_of(older))  # drawn on the older frame: the red square
    node.wait_tracking()
    det = tracked(node, rgb_image(scene((RED, MIDDLE), (BLUE, LEFT)), stamps()))
    assert centre_of(det) == expected_centre(MIDDLE)
    assert tuple(trackers.made[-1].init_templates[-1][0, 0]) == RED


def test_init_with_a_zero_stamp_takes_the_newest_frame(start, stamps, trackers):
    node = start()
    node.send_and_wait(rgb_image(scene((RED, LEFT)), stamps()))
    node.send_and_wait(rgb_image(scene((BLUE, LEFT)), stamps()))
    node.send_init(box_at(LEFT), 0)
    node.wait_tracking()
    det = tracked(node, rgb_image(scene((RED, RIGHT), (BLUE, MIDDLE)), stamps()))
    assert centre_of(det) == expected_centre(MIDDLE)
    assert tuple(trackers.made[-1].init_templates[-1][0, 0]) == BLUE


def test_zero_size_box_stops_tracking(start, stamps):
    node = start()
    start_track(node, stamps)
    tracked(node, rgb_image(scene((RED, MIDDLE)), stamps()))
    node.send_init(BoxXYWH(10.0, 10.0, 0.0, 0.0), stamps())
    assert node.wait_for(lambda: node.node.tracker.state.value == 'idle', 5.0)
    array = node.send_and_wait(rgb_image(scene((RED, MIDDLE)), stamps()))
    assert array.detections == []
    values, _ = node.diagnostics()
    assert values['state'] == 'idle'


def test_reset_service_returns_to_idle(start, stamps):
    node = start()
    start_track(node, stamps)
    tracked(node, rgb_image(scene((RED, MIDDLE)), stamps()))
    assert node.reset().success
    assert node.wait_for(lambda: node.node.tracker.state.value == 'idle', 5.0)
    assert node.send_and_wait(rgb_image(scene((RED, MIDDLE)), stamps())).detections == []


# -- services and outputs on demand -------------------------------------------------------

def test_enable_false_ignores_images_until_enabled_again(start, stamps, trackers):
    node = start()
    start_track(node, stamps)
    assert node.enable(False).success
    before = trackers.made[-1].updates
    paused = [rgb_image(scene((RED, MIDDLE)), stamps()) for _ in range(10)]
    for msg in paused:
        node.image_pub.publish(msg)
        time.sleep(0.02)
    time.sleep(0.5)
    assert trackers.made[-1].updates == before
    assert not any(node.array_for(stamp_of(m)) for m in paused)
    values, _ = node.diagnostics()
    assert int(values['frames_received']) >= int(values['frames_processed']) + 5
    assert node.enable(True).success
    tracked(node, rgb_image(scene((RED, MIDDLE)), stamps()))


def test_debug_image_is_drawn_and_only_while_someone_subscribes(start, stamps, monkeypatch):
    calls = []
    real_draw = tracker_node_module.draw_result

    def counting_draw(frame, result):
        calls.append(1)
        return real_draw(frame, result)
    monkeypatch.setattr(tracker_node_module, 'draw_result', counting_draw)
    node = start()
    start_track(node, stamps)
    for _ in range(3):
        tracked(node, rgb_image(scene((RED, MIDDLE)), stamps()))
    assert calls == []  # nobody subscribes: nothing is drawn
    images = []
    node.client.create_subscription(Image, node.topic('debug_image'), images.append, 10)
    assert node.wait_for(lambda: node.node._debug_pub.get_subscription_count() > 0)
    pixels = scene((RED, MIDDLE))
    msg = rgb_image(pixels, stamps())
    tracked(node, msg)
    assert node.wait_for(lambda: any(stamp_of(i) == stamp_of(msg) for i in images))
    debug = next(i for i in images if stamp_of(i) == stamp_of(msg))
    drawn = np.frombuffer(bytes(debug.data), np.uint8).reshape(debug.height, debug.step)
    drawn = drawn[:, :debug.width * 3].reshape(debug.height, debug.width, 3)
    if debug.encoding == 'bgr8':
        drawn = drawn[..., ::-1]
    changed = np.any(drawn != pixels, axis=2)
    assert changed.any(), 'the debug image is the input frame: no box drawn'
    # the box outline is drawn on the tracked box's edges; below it nothing changed
    x0, y0, x1, y1 = MIDDLE[0], MIDDLE[1], MIDDLE[0] + SIDE, MIDDLE[1] + SIDE
    for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1), ((x0 + x1) // 2, y1)):
        assert changed[y, x], f'no outline at ({x}, {y})'
    assert not changed[y1 + 3:].any() and not changed[:, :x0 - 3].any()


def test_compressed_input_through_the_node(start, stamps):
    node = start(use_compressed=True)

    def jpeg(pixels, stamp):
        ok, data = cv2.imencode('.jpg', pixels[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 95])
        msg = CompressedImage(format='jpeg', data=data.tobytes())
        msg.header.frame_id = 'cam'
        return set_stamp(msg, stamp)
    first = jpeg(scene((RED, LEFT)), stamps())
    node.send_and_wait(first)
    node.send_init(box_at(LEFT), stamp_of(first))
    node.wait_tracking()
    det = tracked(node, jpeg(scene((RED, MIDDLE), (BLUE, LEFT)), stamps()))
    assert centre_of(det) == pytest.approx(expected_centre(MIDDLE), abs=1.0)


# -- diagnostics --------------------------------------------------------------------------

def test_diagnostics_rates_and_receive_delay(start, stamps):
    node = start()
    began = time.monotonic()
    start_track(node, stamps)  # its frame is counted too (5 s window)
    period = 0.05
    seen = len(node.statuses)
    sent = []
    next_at = time.monotonic()
    for _ in range(30):  # 20 Hz, each stamped 0.3 s before it is sent
        node.image_pub.publish(rgb_image(scene((RED, MIDDLE)), stamps(age_s=0.3)))
        sent.append(time.monotonic())
        next_at += period
        time.sleep(max(0.0, next_at - time.monotonic()))
    values, _ = node.diagnostics()
    # the rates are held to what was really sent (a loaded machine sends slower than 20 Hz) and
    # read from the statuses published while the frames flowed: a rate is counted up to the
    # moment it is reported, so one reported well after the last frame is lower by design
    fastest_hz = (len(sent) - 1) / (sent[-1] - sent[0])  # the stream alone
    slowest_hz = len(sent) / (sent[-1] - began)  # with start_track's frame before it
    rates = [{kv.key: float(kv.value) for kv in s.values if kv.key.endswith('_rate_hz')}
             for s in node.statuses[seen:]]
    assert 0.75 * slowest_hz <= max(r['input_rate_hz'] for r in rates) <= 1.25 * fastest_hz
    assert 0.65 * slowest_hz <= max(r['output_rate_hz'] for r in rates) <= 1.35 * fastest_hz
    delay_ms = float(values['latency_ms.receive_delay.p50'])
    assert 300.0 <= delay_ms < 400.0
    assert float(values['latency_ms.end_to_end.p50']) >= delay_ms


def test_lag_warns_and_lag_warn_s_changes_at_run_time(start, stamps):
    slow = []

    def factory(params):
        slow.append(FakeTracker(update_delay_s=0.06))
        return slow[-1]
    node = start(factory=factory, lag_warn_s=0.02)
    start_track(node, stamps)
    for _ in range(4):
        tracked(node, rgb_image(scene((RED, MIDDLE)), stamps()))
    _, status = node.diagnostics(predicate=lambda s: s.message.startswith('lagging'))
    assert status.level == b'\x01' and '> 20 ms' in status.message
    assert node.set_parameter('lag_warn_s', 5.0).successful
    _, status = node.diagnostics(predicate=lambda s: s.message == 'tracking')
    assert status.level == b'\x00'


def hint_of(status) -> str:
    return {kv.key: kv.value for kv in status.values}.get('image_hint', '')


def test_silent_input_warns_with_the_reason_and_image_timeout_s_changes_at_run_time(
        start, capfd):
    node = start(image_timeout_s=0.0)
    time.sleep(0.6)
    _, status = node.diagnostics()
    assert status.level == b'\x00'  # 0: never warns
    assert node.set_parameter('image_timeout_s', 0.3).successful
    values, status = node.diagnostics(predicate=lambda s: s.level == b'\x01')
    assert status.message.startswith('no image for')
    assert '1 publisher(s) on' in values['image_hint']  # ours, sending nothing
    node.send_and_wait(rgb_image(scene((RED, LEFT)), time.time_ns()))
    values, status = node.diagnostics()
    assert status.level == b'\x00' and 'image_hint' not in values
    node.camera.destroy_publisher(node.image_pub)
    values, _ = node.diagnostics(predicate=lambda s: 'no publisher on' in hint_of(s))
    assert 'image_topic:=' in values['image_hint']
    err = capfd.readouterr().err
    assert 'no image for' in err and 'image_topic:=' in err


def test_reliable_node_says_a_best_effort_publisher_cannot_serve_it(start):
    node = start(connect=False, reliable_qos=True, image_timeout_s=0.3)
    values, _ = node.diagnostics(predicate=lambda s: 'cannot serve this reliable' in hint_of(s))
    assert 'set reliable_qos false' in values['image_hint']
    values, _ = node.diagnostics(predicate=lambda s: any(
        kv.key == 'bad_input.incompatible_qos' for kv in s.values))


def test_backend_failure_is_an_error_and_the_node_keeps_serving(start, stamps, trackers):
    node = start()
    start_track(node, stamps)
    trackers.made[-1].fail_updates = 1
    node.image_pub.publish(rgb_image(scene((RED, MIDDLE)), stamps()))
    values, status = node.diagnostics(predicate=lambda s: s.level == b'\x02')
    assert status.message == 'backend failed on the last frame'
    assert values['backend_errors'] == '1' and 'fake backend failure' in values['last_error']
    tracked(node, rgb_image(scene((RED, MIDDLE)), stamps()))
    _, status = node.diagnostics(predicate=lambda s: s.level == b'\x00')
    assert status.message == 'tracking'


# -- latest-frame policy ------------------------------------------------------------------

def test_latest_frame_policy_keeps_results_within_two_frame_periods(start, stamps):
    work_s = 0.2  # long against scheduling noise on a loaded 2-core machine (0.1 flaked once)

    def factory(params):
        return FakeTracker(update_delay_s=work_s)
    node = start(factory=factory)
    start_track(node, stamps)
    sent = []
    next_at = time.monotonic()
    for _ in range(24):  # frames come 1.5 times as fast as the tracker takes them
        msg = rgb_image(scene((RED, MIDDLE)), stamps())
        node.image_pub.publish(msg)
        sent.append(stamp_of(msg))
        next_at += work_s / 1.5
        time.sleep(max(0.0, next_at - time.monotonic()))
    time.sleep(3 * work_s)
    values, _ = node.diagnostics()
    processed = [s for s in sent if s in node.arrival_ns]
    age_s = np.array([(node.arrival_ns[s] - s) / 1e9 for s in processed])
    assert int(values['frames_dropped']) > 0 and len(processed) < len(sent)
    # the frame taken is the newest: it waited under a frame period, then one processing
    # time (about 1.3 work_s in all); a queue of frames would have it wait its turn behind
    # the older ones (a 3-deep one: about 3 work_s). The later half is the steady state.
    later = age_s[len(age_s) // 2:]
    assert np.median(later) < 2 * work_s, (age_s, work_s)


# -- lifecycle ----------------------------------------------------------------------------

def fake_unless_missing(made):
    """Fail as the model factory does for a missing file, else give the fake tracker."""
    def factory(params):
        if params.weights.startswith('/nonexistent'):
            raise StartupError(f'weights {params.weights}: no such file')
        made.append(FakeTracker())
        return made[-1]
    return factory


def test_failed_configure_keeps_the_node_alive_to_be_configured_after_a_fix(start, stamps):
    made = []
    node = start(factory=fake_unless_missing(made), connect=False, autostart_node=False,
                 weights='/nonexistent/model.onnx')
    assert node.lifecycle_state() == 'unconfigured'
    assert node.client.count_subscribers(f'{node.namespace}/image') == 0
    assert not node.transition('configure')
    assert node.lifecycle_state() == 'unconfigured'
    assert 'no such file' in node.node.configure_error
    assert node.set_parameter('weights', '/models/fixed.onnx').successful
    assert node.transition('configure') and node.lifecycle_state() == 'inactive'
    assert len(made) == 1
    # configure-time parameters are now fixed until cleanup
    refused = node.set_parameter('weights', '/models/other.onnx')
    assert not refused.successful and 'unconfigured' in refused.reason
    assert node.set_parameter('class_id', 'x').successful  # run-time ones still change
    assert node.transition('activate') and node.lifecycle_state() == 'active'
    node.wait_connected()
    start_track(node, stamps)


@pytest.mark.parametrize('params,expected', [
    ({'weights': '/nonexistent/litetrack_b4.pth.tar'}, 'no such file'),
    ({'backend': 'tensorrt'}, 'unavailable; available: torch'),
    ({'model': 'no_such_model', 'weights': ''}, 'unknown model'),
])
def test_model_factory_error_fails_configure_with_its_one_line_reason(start, params, expected,
                                                                      capfd):
    # the real model factory: these fail before any weights are read
    node = start(factory=None, connect=False, autostart_node=False, **params)
    assert not node.transition('configure')
    assert node.lifecycle_state() == 'unconfigured'
    reason = node.node.configure_error
    assert expected in reason and '\n' not in reason
    assert f'configure failed: {reason}' in capfd.readouterr().err


def test_long_term_parameters_reach_the_model_factory(start, monkeypatch):
    from lite_tracker_ros import factory
    options = {}

    def record(model, **given):
        options.update(given)
        raise factory.TrackerCreationError('recorded')
    monkeypatch.setattr(factory, 'create_tracker', record)
    node = start(factory=None, connect=False, autostart_node=False, long_term=True,
                 long_term_patient=False)
    assert not node.transition('configure')
    assert node.node.configure_error == 'recorded'
    assert options['long_term'] is True and options['long_term_patient'] is False


def test_long_term_patient_of_the_wrong_type_or_while_active_is_refused(start, stamps):
    node = start()
    start_track(node, stamps)
    wrong_type = node.set_parameter('long_term_patient', 'yes')
    assert not wrong_type.successful
    while_active = node.set_parameter('long_term_patient', False)
    assert not while_active.successful and 'configure' in while_active.reason
    assert node.node.params.long_term_patient is True
    assert tracked(node, rgb_image(scene((RED, MIDDLE)), stamps()))  # still tracking


def test_deactivate_and_activate_while_frames_flow(start, stamps, trackers):
    node = start()
    start_track(node, stamps)
    stop = threading.Event()

    def camera():
        while not stop.is_set():
            node.image_pub.publish(rgb_image(scene((RED, MIDDLE)), stamps()))
            time.sleep(0.02)
    thread = threading.Thread(target=camera)
    thread.start()
    try:
        assert node.wait_for(lambda: len(node.arrays) > 5)
        assert node.transition('deactivate') and node.lifecycle_state() == 'inactive'
        assert node.client.count_subscribers(f'{node.namespace}/image') == 0
        time.sleep(0.3)  # anything already in flight arrives
        count, updates = len(node.arrays), trackers.made[-1].updates
        time.sleep(0.5)
        assert len(node.arrays) == count and trackers.made[-1].updates == updates
        assert node.transition('activate') and node.lifecycle_state() == 'active'
        assert node.wait_for(lambda: len(node.arrays) > count + 5)
    finally:
        stop.set()
        thread.join()
    assert node.arrays[-1].detections  # the track went on after activate
    assert len(trackers.made) == 1


def test_cleanup_frees_the_tracker_and_shutdown_works_from_any_state(start, stamps, trackers):
    import weakref
    node = start()
    start_track(node, stamps)
    tracker = weakref.ref(trackers.made[-1])
    trackers.made.clear()
    assert node.transition('deactivate') and node.transition('cleanup')
    assert node.lifecycle_state() == 'unconfigured' and node.node.tracker is None
    assert tracker() is None, 'the tracker outlived cleanup'
    assert node.transition('configure') and node.transition('activate')
    node.wait_connected()
    start_track(node, stamps)
    assert node.transition('shutdown') and node.lifecycle_state() == 'finalized'
    assert node.node.tracker is None
    assert node.client.count_subscribers(f'{node.namespace}/image') == 0


def test_autostart_false_waits_unconfigured_without_loading(start):
    made = []
    node = start(factory=fake_unless_missing(made), connect=False, autostart_node=False)
    assert node.lifecycle_state() == 'unconfigured'
    assert made == [] and node.node.tracker is None


# -- diagnostics for diagnostic_updater tools ---------------------------------------------

def analyzer_matches(analyzer: dict, name: str) -> bool:
    """diagnostic_aggregator's GenericAnalyzer matching (contains, startswith, name)."""
    return (any(text in name for text in analyzer.get('contains', []))
            or any(name.startswith(text) for text in analyzer.get('startswith', []))
            or name in analyzer.get('name', []))


def test_topic_statuses_are_named_and_keyed_as_diagnostic_updater_and_analyzers_match(
        start, stamps):
    import yaml
    from pathlib import Path
    node = start()
    start_track(node, stamps)
    for _ in range(10):
        node.image_pub.publish(rgb_image(scene((RED, MIDDLE)), stamps(age_s=0.1)))
        time.sleep(0.03)
    time.sleep(0.3)
    prefix = f'{node.namespace}/tracker_node: '
    names = {
        'tracker': prefix + 'tracker',
        'input': prefix + f'{node.namespace}/image topic status',
        'output': prefix + f'{node.namespace}/tracker_node/detections topic status'}
    latest = {}

    def every_frame_counted():
        # a status published while the last frames were still on their way counts fewer:
        # wait for a round that has seen them all (a frame the latest-frame policy dropped
        # is never published, so the output counts the frames processed)
        latest.clear()
        for status in node.all_statuses:
            latest[status.name] = status
        if not set(names.values()) <= set(latest):
            return False
        counts = {name: {kv.key: kv.value for kv in status.values}
                  for name, status in latest.items()}
        dropped = int(counts[names['tracker']].get('frames_dropped', '0'))
        return (int(counts[names['input']].get('Events since startup', '0')) >= 10 and
                int(counts[names['output']].get('Events since startup', '0')) >= 10 - dropped)
    assert node.wait_for(every_frame_counted), {n: s.values for n, s in latest.items()}
    assert set(latest) == set(names.values())
    for topic in ('input', 'output'):
        values = {kv.key: kv.value for kv in latest[names[topic]].values}
        for key in ('Events in window', 'Events since startup', 'Duration of window (s)',
                    'Actual frequency (Hz)', 'Earliest timestamp delay:',
                    'Latest timestamp delay:', 'Latest acceptable timestamp delay:',
                    'Zero seen diagnostic update count:'):
            assert key in values, (topic, key)
    # the input's delay is the stamps' age (0.1 s when sent, more by the time a window closes;
    # how much more depends on the machine's load, so only the floor is exact)
    delays = [float({kv.key: kv.value for kv in s.values}['Latest timestamp delay:'])
              for s in node.all_statuses if s.name == names['input']]
    seen = [d for d in delays if d > 0.0]  # 0.0: a window with no frame in it
    assert seen and min(seen) >= 0.1 and min(seen) < 5.0, delays
    config = Path(__file__).resolve().parents[2] / 'config' / 'diagnostics'
    params = yaml.safe_load((config / 'tracker_analyzers.yaml').read_text())
    analyzers = params['analyzers']['ros__parameters']
    assert analyzer_matches(analyzers['trackers'], names['tracker'])
    assert not analyzer_matches(analyzers['trackers'], names['input'])
    for topic in ('input', 'output'):
        assert analyzer_matches(analyzers['topics'], names[topic])
        assert not analyzer_matches(analyzers['topics'], names['tracker'])


def test_silent_topic_status_warns_no_events():
    from lite_tracker_ros.ros.health import Level, TopicWindow
    window = TopicWindow(now=10.0)
    for delay in (0.01, 0.02, None):
        window.tick(delay)
    level, message, values = window.report(now=11.0, latest_acceptable_s=0.25)
    assert level is Level.WARN and message == 'Zero timestamp seen.'
    assert values['Events in window'] == '3' and values['Actual frequency (Hz)'] == '3.000000'
    assert values['Latest timestamp delay:'] == '0.020000'
    level, message, values = window.report(now=12.0, latest_acceptable_s=0.25)
    assert level is Level.WARN and message == 'No events recorded.'
    assert values['Events since startup'] == '3'
    assert values['Zero seen diagnostic update count:'] == '1'
    window.tick(0.5)
    level, message, _ = window.report(now=13.0, latest_acceptable_s=0.25)
    assert level is Level.WARN and message == 'Timestamps too far in past seen.'
    window.tick(0.1)
    assert window.report(now=14.0, latest_acceptable_s=0.25)[:2] == (
        Level.OK, 'Timestamps are reasonable.')


# -- parameters -----------------------------------------------------------------------------

def test_a_refused_value_changes_nothing_and_an_accepted_one_applies(start, stamps):
    node = start(lag_warn_s=0.5)
    refused = node.set_parameter('class_id', 'c' * 300)
    assert not refused.successful and 'class_id has 300 characters' in refused.reason
    assert node.set_parameter('lag_warn_s', float('nan')).successful is False
    assert node.node.params.class_id == 'target' and node.node.health.lag_warn_s == 0.5
    assert node.set_parameter('lag_warn_s', 0.75).successful
    assert node.node.health.lag_warn_s == 0.75


def test_without_a_post_set_callback_accepted_changes_apply_in_the_on_set_one(
        start, stamps, monkeypatch):
    import rclpy.node
    # Humble's rclpy has no post-set callback: the node must still apply what it accepts
    monkeypatch.delattr(rclpy.node.Node, 'add_post_set_parameters_callback', raising=False)
    node = start()
    assert node.node._apply_in_on_set
    start_track(node, stamps)
    assert node.set_parameter('class_id', 'humble').successful
    det = tracked(node, rgb_image(scene((RED, MIDDLE)), stamps()))
    assert det.results[0].hypothesis.class_id == 'humble'
    assert not node.set_parameter('class_id', 'c' * 300).successful
    assert node.node.params.class_id == 'humble'
