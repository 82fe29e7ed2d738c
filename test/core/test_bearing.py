# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Image point to unit ray: checked against OpenCV's projection, an independent implementation.

A known 3D direction is projected to a pixel with ``cv2.projectPoints`` (or
``cv2.fisheye.projectPoints``); the bearing of that pixel must be the direction again.
"""

from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from lite_tracker_ros.core.bearing import (bearing, CameraModel, CameraModelError,
                                           normalised_coordinates)

K = [612.3, 0.0, 331.7, 0.0, 615.9, 244.2, 0.0, 0.0, 1.0]
DIRECTIONS = np.array([[0.0, 0.0, 1.0], [0.3, -0.2, 1.0], [-0.45, 0.33, 1.0], [0.5, 0.4, 1.0],
                       [-0.05, 0.6, 1.0]])


def _info(model='plumb_bob', d=(), width=640, height=480, frame_id='cam_optical', binning=(0, 0),
          roi=(0, 0, 0, 0), k=K):
    return SimpleNamespace(
        header=SimpleNamespace(frame_id=frame_id), width=width, height=height,
        distortion_model=model, d=list(d), k=list(k), binning_x=binning[0], binning_y=binning[1],
        roi=SimpleNamespace(x_offset=roi[0], y_offset=roi[1], width=roi[2], height=roi[3]))


def _project(directions, d, fisheye=False):
    points = directions.reshape(-1, 1, 3).astype(np.float64)
    zero = np.zeros(3)
    camera = np.array(K).reshape(3, 3)
    if fisheye:
        pixels, _ = cv2.fisheye.projectPoints(points, zero, zero, camera, np.array(d))
    else:
        pixels, _ = cv2.projectPoints(points, zero, zero, camera, np.array(d))
    return pixels.reshape(-1, 2)


def _unit(rows):
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


@pytest.mark.parametrize('model,d', [
    ('plumb_bob', (0.0, 0.0, 0.0, 0.0, 0.0)),
    ('plumb_bob', (-0.28, 0.07, 0.0012, -0.0007, 0.0)),
    ('plumb_bob', (0.12, -0.25, -0.002, 0.001, 0.1)),
    ('rational_polynomial', (-0.31, 0.11, 0.001, 0.0005, 0.02, 0.05, 0.01, 0.003)),
])
def test_bearing_inverts_opencv_projection(model, d):
    camera = CameraModel.from_camera_info(_info(model, d))
    pixels = _project(DIRECTIONS, d)
    # K has pixel centres on integers; the tracker's pixel i spans [i, i + 1)
    rays = np.array([bearing(camera, u + 0.5, v + 0.5) for u, v in pixels])
    assert np.allclose(rays, _unit(DIRECTIONS), atol=1e-9)
    assert np.allclose(np.linalg.norm(rays, axis=1), 1.0)


def test_equidistant_bearing_inverts_opencv_fisheye_projection():
    d = (0.05, -0.01, 0.003, -0.0004)
    camera = CameraModel.from_camera_info(_info('equidistant', d))
    pixels = _project(DIRECTIONS, d, fisheye=True)
    rays = np.array([bearing(camera, u + 0.5, v + 0.5) for u, v in pixels])
    assert np.allclose(rays, _unit(DIRECTIONS), atol=1e-9)


def test_normalised_coordinates_are_the_undistorted_ray_over_its_depth():
    d = (-0.28, 0.07, 0.0012, -0.0007, 0.0)
    camera = CameraModel.from_camera_info(_info('plumb_bob', d))
    (u, v), = _project(DIRECTIONS[1:2], d)
    assert normalised_coordinates(camera, u + 0.5, v + 0.5) == pytest.approx((0.3, -0.2),
                                                                             abs=1e-9)


def test_binning_and_region_of_interest_map_back_to_the_sensor():
    d = (-0.28, 0.07, 0.0012, -0.0007, 0.0)
    info = _info('plumb_bob', d, width=1280, height=960, binning=(2, 2), roi=(100, 60, 800, 600))
    camera = CameraModel.from_camera_info(info)
    assert (camera.width, camera.height) == (400, 300)
    # sensor pixel (centre convention) -> published image pixel (tracker convention)
    sensor = _project(DIRECTIONS[:3], d)
    rays = np.array([bearing(camera, (su + 0.5 - 100) / 2, (sv + 0.5 - 60) / 2)
                     for su, sv in sensor])
    assert np.allclose(rays, _unit(DIRECTIONS[:3]), atol=1e-9)


@pytest.mark.parametrize('info,message', [
    (_info(k=[0.0] * 9), 'fx > 0'),
    (_info('kannala_brandt', (0.1, 0.0, 0.0, 0.0)), 'not supported'),
    (_info('plumb_bob', (0.1, 0.0, 0.0, 0.0, 0.0, 0.3)), 'takes 5 coefficients'),
    (_info('plumb_bob', (float('nan'), 0.0, 0.0, 0.0, 0.0)), 'non-finite'),
])
def test_unusable_camera_info_is_refused(info, message):
    with pytest.raises(CameraModelError, match=message):
        CameraModel.from_camera_info(info)


def test_mismatch_names_frame_id_and_size():
    camera = CameraModel.from_camera_info(_info())
    assert camera.mismatch('cam_optical', 640, 480) is None
    assert 'frame_id' in camera.mismatch('other_frame', 640, 480)
    assert '640x480' in camera.mismatch('cam_optical', 1280, 960)
