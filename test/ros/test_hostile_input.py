# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Hostile and careless input over real DDS: the node counts it, says so, and keeps tracking.

One tracker node process (NanoTrack v2 on torch, compressed input, ``~/debug_image`` subscribed
throughout) serves every test here in file order, to pay for one start only; each test starts
its own track first. Every hostile message is built here. Best-effort delivery and the
latest-frame policy may lose any one message, so a hostile message is re-sent (with a new
stamp) until the counter it must land in moves.
"""

from __future__ import annotations

import os
import time

import cv2
from diagnostic_msgs.msg import DiagnosticArray
import numpy as np
import pytest
from rcl_interfaces.msg import Log
from rcl_interfaces.srv import SetParameters
from rclpy.parameter import Parameter
from rclpy.qos import QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import CompressedImage, Image

from lite_tracker_ros.core.types import BoxXYWH
from lite_tracker_ros.ros.node_parameters import TrackerParameters
from hostile_images import png_bomb, png_declaring  # noqa: I100, I201 - test helpers
from ros_harness import (  # noqa: I100, I201 - the sibling test helper module
    RosClient, stamp_of, tracker_session)


pytestmark = pytest.mark.slow  # one node process with a real model serves the file


def compressed(data: bytes, fmt: str = 'jpeg') -> CompressedImage:
    msg = CompressedImage(format=fmt, data=data)
    msg.header.frame_id = 'cam'
    stamp = time.time_ns()
    msg.header.stamp.sec, msg.header.stamp.nanosec = divmod(stamp, 1_000_000_000)
    return msg


def decoded(data: bytes) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)


def jpeg(pixels) -> bytes:
    ok, data = cv2.imencode('.jpg', pixels, [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    return data.tobytes()


@pytest.fixture(scope='module')
def deer(sot_dir):
    folder = sot_dir / 'Deer'
    paths = sorted((folder / 'img').glob('*.jpg'))[:12]
    gt = [tuple(float(v) for v in line.split(',')) for line in
          (folder / 'groundtruth.txt').read_text().split()[:12]]
    return [p.read_bytes() for p in paths], gt


@pytest.fixture(scope='module')
def node(nanotrack_dir):
    client = RosClient(f'hostile_input_test_{os.getpid()}')
    with tracker_session(client, nanotrack_dir / 'nanotrackv2.pth', model='nanotrack_v2',
                         use_compressed=True) as session:
        session.debug_images = []
        client.node.create_subscription(Image, session.tracker.topic('debug_image'),
                                        session.debug_images.append, 10)
        session.logs = []
        client.node.create_subscription(
            Log, '/rosout', lambda m: session.logs.append(m) if 'tracker_node' in m.name
            else None, QoSProfile(depth=1000, reliability=ReliabilityPolicy.RELIABLE))
        session.diag_arrays = []
        client.node.create_subscription(DiagnosticArray, '/diagnostics',
                                        session.diag_arrays.append, 10)
        session.setter = client.node.create_client(SetParameters,
                                                   session.tracker.topic('set_parameters'))
        yield session
    client.close()
    code, _, err = session.exit
    assert code == 0, err
    assert 'Traceback' not in err, err


def diagnostics(session) -> dict:
    values, _ = session.latest_diagnostics()
    return values


def counter(session, key) -> int:
    return int(diagnostics(session).get(key, 0))


def send_until_counted(session, make_msg, key, tries=20) -> dict:
    """Send fresh copies of a hostile message until ``key`` in /diagnostics goes up."""
    before = counter(session, key)

    def counted():
        latest = session.diagnostics[-1].values if session.diagnostics else []
        return int({kv.key: kv.value for kv in latest}.get(key, 0)) > before

    for _ in range(tries):
        session.image_pub.publish(make_msg())
        if session.client.spin_until(counted, 1.5):
            return diagnostics(session)
    raise AssertionError(f'{key} never counted; last diagnostics {diagnostics(session)}')


def set_parameter(session, name, value):
    assert session.setter.wait_for_service(timeout_sec=30.0)
    request = SetParameters.Request(
        parameters=[Parameter(name, value=value).to_parameter_msg()])
    future = session.setter.call_async(request)
    assert session.client.spin_until(future.done, 30.0)
    return future.result().results[0]


def start_track(session, frame: bytes, box) -> None:
    first = compressed(frame)
    session.send_and_wait(first)
    session.send_init(BoxXYWH(*box), stamp_of(first))


def assert_tracks(session, frame: bytes):
    array = session.send_until_tracked(compressed(frame))
    assert len(array.detections) == 1
    return array


def test_an_init_sent_just_before_its_frame_waits_for_it(node, deer):
    frames, gt = deer
    session = node
    session.wait_connected()
    session.send_and_wait(compressed(frames[0]))  # the node has a frame, but not the next one
    upcoming = compressed(frames[1])
    session.send_init(BoxXYWH(*gt[1]), stamp_of(upcoming))
    session.client.spin_for(0.03)  # the box is 30 ms ahead of its frame
    session.send_and_wait(upcoming)
    assert_tracks(session, frames[2])
    values = diagnostics(session)
    assert 'bad_input.init_stamp_too_new' not in values
    assert int(values['inits_applied']) == 1


def test_oversized_unknown_and_undecodable_images_are_counted_and_tracking_goes_on(node, deer):
    frames, gt = deer
    session = node
    start_track(session, frames[3], gt[3])
    assert_tracks(session, frames[4])
    header_only = png_declaring(70000, 70000)
    bomb = png_bomb(30000)
    values = send_until_counted(session, lambda: compressed(header_only, 'png'),
                                'bad_input.image_too_large')
    send_until_counted(session, lambda: compressed(bomb, 'png'), 'bad_input.image_too_large')
    send_until_counted(session, lambda: compressed(b'GIF89a' + bytes(64), 'gif'),
                       'bad_input.image_format_unknown')
    # a megabyte-long format string: quoted in the error, never whole
    values = send_until_counted(session, lambda: compressed(b'junk' * 8, 'f' * (1 << 20)),
                                'bad_input.image_format_unknown')
    assert len(values['last_error']) < 400
    assert all(len(v) < 1000 for v in values.values())
    # above OpenCV's own limit, imdecode throws: counted, and the worker lives on
    assert set_parameter(session, 'max_image_pixels', 1 << 40).successful
    send_until_counted(session, lambda: compressed(header_only, 'png'),
                       'bad_input.image_undecodable')
    assert set_parameter(session, 'max_image_pixels',
                         TrackerParameters().max_image_pixels).successful
    assert_tracks(session, frames[5])
    _, status = session.latest_diagnostics()
    assert status.level != b'\x02', status
    assert session.debug_images, 'no debug image while subscribed'
    assert not any(k.startswith('frame_errors.') for k in diagnostics(session))
    assert session.tracker.alive()


def test_an_odd_sized_frame_is_refused_and_a_persisting_new_size_stops_the_track(node, deer):
    frames, gt = deer
    session = node
    start_track(session, frames[6], gt[6])
    assert_tracks(session, frames[7])
    tiny = jpeg(decoded(frames[7])[:1, :1])  # the 1x1 glitch frame
    send_until_counted(session, lambda: compressed(tiny), 'bad_input.resolution_changed')
    assert_tracks(session, frames[8])  # the track survived the glitch
    full = decoded(frames[9])
    half = jpeg(cv2.resize(full, (full.shape[1] // 2, full.shape[0] // 2)))
    values = send_until_counted(session, lambda: compressed(half),
                                'tracks_stopped_resolution_changed')
    assert values['state'] == 'idle'
    # the new size is a stream like any other: a new box starts a new track on it
    start_track(session, half, tuple(v / 2 for v in gt[9]))
    array = assert_tracks(session, half)
    assert array.detections[0].bbox.size_x < full.shape[1] / 2


def test_an_init_storm_is_coalesced_and_logged_once_a_second(node, deer):
    frames, gt = deer
    session = node
    start_track(session, frames[10], gt[10])
    assert_tracks(session, frames[11])
    session.client.spin_for(1.2)  # let the INFO throttle of that init pass
    logs_before = len(session.logs)
    started = time.monotonic()
    for i in range(300):
        session.send_init(BoxXYWH(*gt[10]), 0)  # stamp 0: the newest frame
        if i % 20 == 0:
            session.client.spin_for(0.01)
    session.client.spin_for(1.0)
    storm_s = time.monotonic() - started
    values = diagnostics(session)
    assert int(values['inits_coalesced']) > 0
    applied = [m for m in session.logs[logs_before:] if m.msg.startswith('tracking BoxXYWH')]
    assert len(applied) <= storm_s + 2, [m.msg for m in applied]
    assert_tracks(session, frames[11])


def test_class_id_of_megabytes_is_refused(node):
    result = set_parameter(node, 'class_id', 'c' * (4 << 20))
    assert not result.successful and 'class_id' in result.reason and len(result.reason) < 200


def test_sim_time_without_clock_does_not_silence_diagnostics(node):
    session = node
    assert set_parameter(session, 'use_sim_time', True).successful
    session.client.spin_for(0.6)  # a message from before the switch may still be in flight
    start = len(session.diag_arrays)
    session.client.spin_for(3.0)
    ours = [a for a in session.diag_arrays[start:]
            if any(s.name.startswith(f'{session.tracker.namespace}/tracker_node')
                   for s in a.status)]
    assert len(ours) >= 3, 'no /diagnostics on sim time without /clock'
    # stamps follow the ROS clock: no /clock yet, so sim time is zero
    assert all(a.header.stamp.sec == 0 and a.header.stamp.nanosec == 0 for a in ours)
    assert set_parameter(session, 'use_sim_time', False).successful
