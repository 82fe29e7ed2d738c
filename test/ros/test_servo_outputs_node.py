# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
The servo outputs over real DDS, all in one node start (node starts are slow).

NanoTrack v2 (the published ONNX pair from ../shared) on CompressedImage frames large enough
for reduced decoding, with a camera_info sibling and the motion filter on: boxes equal the same
tracker fed offline through the same decoder, ``~/bearing`` equals OpenCV's undistortion of the
box centre, ``~/predicted`` is stamped at publish time, and a camera_info for another frame is
refused and counted.
"""

from __future__ import annotations

import os
from pathlib import Path
import time

import cv2
import numpy as np
import pytest

from diagnostic_msgs.msg import DiagnosticArray  # noqa: I100
from geometry_msgs.msg import Vector3Stamped  # noqa: E402
from rclpy.qos import qos_profile_sensor_data  # noqa: E402
from sensor_msgs.msg import CameraInfo, CompressedImage  # noqa: E402
from vision_msgs.msg import Detection2D, Detection2DArray  # noqa: E402

from lite_tracker_ros.core.types import BoxXYWH  # noqa: E402
from lite_tracker_ros.ros.compressed_input import CompressedInput  # noqa: E402
from ros_harness import RosClient, stamp_of, TrackerProcess  # noqa: E402, I100, I201

UPSCALE = 3  # Deer at 2112x1200: NanoTrack's search crop then reads ~3.8 image px per input px
FRAMES = 12
K = [1500.0, 0.0, 1056.0, 0.0, 1490.0, 600.0, 0.0, 0.0, 1.0]
D = [-0.2, 0.05, 0.001, -0.001, 0.0]


def _camera_info(frame_id):
    info = CameraInfo()
    info.header.frame_id = frame_id
    info.width, info.height = 704 * UPSCALE, 400 * UPSCALE
    info.distortion_model, info.d, info.k = 'plumb_bob', D, K
    return info


def _compressed(pixels, stamp_ns, frame_id):
    msg = CompressedImage(format='jpeg')
    msg.data = cv2.imencode('.jpg', pixels, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()
    msg.header.stamp.sec, msg.header.stamp.nanosec = divmod(stamp_ns, 1_000_000_000)
    msg.header.frame_id = frame_id
    return msg


def _expected_bearing(u, v):
    # OpenCV puts pixel centres on integers; the box centre is in [i, i + 1) pixel coordinates
    point = np.array([[[u - 0.5, v - 0.5]]])
    criteria = (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, 100, 1e-12)
    camera, dist = np.array(K).reshape(3, 3), np.array(D)
    if hasattr(cv2, 'undistortPointsIter'):  # OpenCV 4: the criteria have their own function
        undistorted = cv2.undistortPointsIter(point, camera, dist, None, None, criteria)
    else:
        undistorted = cv2.undistortPoints(point, camera, dist, criteria=criteria)
    (x, y), = undistorted.reshape(-1, 2)
    ray = np.array([x, y, 1.0])
    return ray / np.linalg.norm(ray)


def test_bearing_prediction_and_reduced_decode_over_dds(sot_dir, monkeypatch):
    models = Path(__file__).resolve().parents[2].parent / 'shared' / 'models' / 'nanotrack'
    if not (models / 'nanotrackv2_backbone.onnx').exists():
        pytest.skip(f'NanoTrack v2 ONNX pair not found in {models}')
    monkeypatch.setenv('LITE_TRACKER_MODEL_PATH', str(models))
    paths = sorted((sot_dir / 'Deer' / 'img').glob('*.jpg'))[:FRAMES]
    gt = np.loadtxt(sot_dir / 'Deer' / 'groundtruth.txt', delimiter=',')[0] * UPSCALE
    frames = [cv2.resize(cv2.imread(str(p)), None, fx=UPSCALE, fy=UPSCALE,
                         interpolation=cv2.INTER_CUBIC) for p in paths]
    base = time.time_ns()
    messages = [_compressed(f, base + i * 33_000_000, 'deer_camera') for i, f in enumerate(frames)]
    ns = f'/servo{os.getpid()}_{time.monotonic_ns() % 10**9}'
    tracker = TrackerProcess(ns, {
        'model': 'nanotrack_v2', 'backend': 'onnxruntime', 'num_threads': 1,
        'use_compressed': True, 'reduced_decode_margin': 1.0, 'motion_filter': True,
        'diagnostics_period_s': 0.3})
    client = RosClient(f'servo_test_{os.getpid()}')
    node = client.node
    image_pub = node.create_publisher(CompressedImage, f'{ns}/image/compressed',
                                      qos_profile_sensor_data)
    info_pub = node.create_publisher(CameraInfo, f'{ns}/camera_info', 10)
    init_pub = node.create_publisher(Detection2D, tracker.topic('init'), 10)
    arrays, bearings, predicted, diagnostics = {}, [], [], []
    node.create_subscription(Detection2DArray, tracker.topic('detections'),
                             lambda m: arrays.setdefault(stamp_of(m), m), 100)
    node.create_subscription(Vector3Stamped, tracker.topic('bearing'),
                             bearings.append, 100)
    node.create_subscription(Detection2D, tracker.topic('predicted'),
                             lambda m: predicted.append((m, time.time_ns())), 100)
    node.create_subscription(DiagnosticArray, '/diagnostics', lambda m: diagnostics.extend(
        s for s in m.status if s.name == f'{ns}/tracker_node: tracker'), 10)

    def send(msg, info_frame='deer_camera', want_detection=True):
        for _ in range(30):
            info_pub.publish(_camera_info(info_frame))
            image_pub.publish(msg)
            if client.spin_until(lambda: stamp_of(msg) in arrays, 1.0):
                if arrays[stamp_of(msg)].detections or not want_detection:
                    return arrays[stamp_of(msg)]
                del arrays[stamp_of(msg)]  # the init came after this frame: send it again
        raise AssertionError(f'no result for {stamp_of(msg) - base} '
                             f'{[(k - base, len(a.detections)) for k, a in arrays.items()]}: '
                             f'{tracker.stop()}')

    def latest_diagnostics():
        count = len(diagnostics)
        client.spin_until(lambda: len(diagnostics) > count, 5.0)
        return {kv.key: kv.value for kv in diagnostics[-1].values}

    try:
        assert client.spin_until(lambda: not tracker.alive() or (
            image_pub.get_subscription_count() > 0 and init_pub.get_subscription_count() > 0
            and info_pub.get_subscription_count() > 0), 60.0), 'tracker node did not come up'
        assert tracker.alive(), tracker.stop()[2]
        send(messages[0], want_detection=False)  # idle: decoded whole, the init frame
        init = Detection2D()
        init.header = messages[0].header
        box = BoxXYWH(*gt)
        init.bbox.center.position.x, init.bbox.center.position.y = box.cx, box.cy
        init.bbox.size_x, init.bbox.size_y = box.w, box.h
        init_pub.publish(init)
        online = [send(msg) for msg in messages[1:-2]]
        client.spin_until(lambda: len(bearings) >= len(online), 5.0)
        good = latest_diagnostics()
        # camera_info of another camera: refused, counted, no bearing
        before = len(bearings)
        mismatched = [send(msg, info_frame='other_camera') for msg in messages[-2:]]
        client.spin_for(0.3)
        after = latest_diagnostics()
        bearings_after_mismatch = len(bearings) - before
    finally:
        code, _, err = tracker.stop()
        client.close()
    assert code == 0, err

    # boxes: the offline tracker through the same decoder
    from lite_tracker_ros.factory import create_tracker
    offline = create_tracker('nanotrack_v2', backend='onnxruntime', num_threads=1)
    decoder = CompressedInput(margin=1.0, region_decode=True)  # as the node (its default)
    offline.init(decoder.to_frame(messages[0], None), box)
    for msg, array in zip(messages[1:], online + mismatched):
        expected = offline.update(decoder.to_frame(msg, offline.search_resampling(),
                                                   region=offline.search_region())).box
        [det] = array.detections
        np.testing.assert_allclose(
            [det.bbox.center.position.x, det.bbox.center.position.y, det.bbox.size_x,
             det.bbox.size_y], [expected.cx, expected.cy, expected.w, expected.h], atol=1e-3)
    assert decoder.frames_by_scale[2] > 0, 'the test frames should be decoded at 1/2'
    assert '1/2: ' in good['decode.frames_by_scale']
    # a count where libturbojpeg is present (read before the last frames), 'off (...)' else
    if decoder.region_decoder is not None:
        assert 0 <= int(good['decode.region_frames']) <= decoder.region_frames
    else:
        assert good['decode.region_frames'] == 'off (no libturbojpeg)'

    # bearing: same header as the image, OpenCV's undistorted ray through the box centre
    by_stamp = {stamp_of(b): b for b in bearings}
    for array in online:
        [det] = array.detections
        ray = by_stamp[stamp_of(array)]
        assert ray.header.frame_id == 'deer_camera'
        np.testing.assert_allclose(
            [ray.vector.x, ray.vector.y, ray.vector.z],
            _expected_bearing(det.bbox.center.position.x, det.bbox.center.position.y), atol=1e-7)
    assert good['camera_info'] == f'{ns}/camera_info'
    assert bearings_after_mismatch == 0
    assert int(after['bad_input.camera_info_mismatch']) >= len(mismatched)

    # predicted: stamped when published (after its image, before it arrived here)
    image_stamps = {stamp_of(m) for m in messages}
    assert len(predicted) >= len(online)
    for det, arrived_ns in predicted:
        assert det.header.frame_id == 'deer_camera'
        assert stamp_of(det) not in image_stamps
        assert stamp_of(det) <= arrived_ns
    assert int(good['predicted.image_stamp'].replace('.', '')) in image_stamps
    assert float(good['predicted.horizon_ms']) > 0.0
