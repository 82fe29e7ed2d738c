# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
From an image point to the direction it was seen from: a unit ray in the camera's optical frame.

The camera model is ROS' ``sensor_msgs/CameraInfo``: intrinsics ``K``, a distortion model
(``plumb_bob``, ``rational_polynomial``, ``equidistant``; empty or all-zero coefficients for
none), and the binning and region of interest that relate the published image to the calibrated
sensor. The optical frame is ROS' (z forward, x right, y down). Normalised image coordinates are
the undistorted ``(X/Z, Y/Z)`` of the ray; the ray is ``(x, y, 1)`` normalised to length 1 (for
``equidistant`` lenses, which can see past 90 degrees, it is built from the angle instead).

Points are in the tracker's convention, pixel ``i`` spanning ``[i, i + 1)``; ``K`` puts pixel
centres on integers, hence the half-pixel shift.
"""

from __future__ import annotations

from dataclasses import dataclass
import math

import numpy as np

from lite_tracker_ros.errors import LiteTrackerError

#: coefficients each supported model reads (missing trailing ones count as zero)
_MODEL_COEFFICIENTS = {'plumb_bob': 5, 'rational_polynomial': 8, 'equidistant': 4, '': 0}


class CameraModelError(LiteTrackerError, ValueError):
    """The camera model cannot be used; the text says what is wrong."""


@dataclass(frozen=True)
class CameraModel:
    """What :func:`bearing` needs from a CameraInfo, checked once when it arrives."""

    frame_id: str
    width: int  # of the images this model applies to (after binning and region of interest)
    height: int
    fx: float
    fy: float
    cx: float
    cy: float
    skew: float
    distortion_model: str
    coefficients: tuple[float, ...]
    binning_x: int = 1
    binning_y: int = 1
    roi_x: int = 0
    roi_y: int = 0

    @classmethod
    def from_camera_info(cls, info) -> CameraModel:
        """Build from a ``sensor_msgs/CameraInfo`` (or look-alike); CameraModelError if bad."""
        k = [float(v) for v in info.k]
        if len(k) != 9 or not all(math.isfinite(v) for v in k) or k[0] <= 0 or k[4] <= 0:
            raise CameraModelError(f'camera_info K {k} needs finite fx > 0 and fy > 0 '
                                   '(an uncalibrated camera publishes zeros)')
        model = str(info.distortion_model)
        d = [float(v) for v in info.d]
        if not all(math.isfinite(v) for v in d):
            raise CameraModelError(f'camera_info D has non-finite coefficients {d}')
        if not any(d):
            model = ''  # no distortion, whatever the model's name
        if model not in _MODEL_COEFFICIENTS:
            raise CameraModelError(
                f'distortion model {model!r} is not supported; use plumb_bob, '
                'rational_polynomial or equidistant')
        wanted = _MODEL_COEFFICIENTS[model]
        if len(d) > wanted and any(d[wanted:]):
            raise CameraModelError(f'{model} takes {wanted} coefficients, D has {len(d)}')
        coefficients = tuple(d[:wanted]) + (0.0,) * (wanted - len(d[:wanted]))
        bx, by = max(int(info.binning_x), 1), max(int(info.binning_y), 1)
        roi = info.roi
        full = int(roi.width) == 0 or int(roi.height) == 0
        width = int(info.width) if full else int(roi.width)
        height = int(info.height) if full else int(roi.height)
        return cls(str(info.header.frame_id), width // bx, height // by, k[0], k[4], k[2], k[5],
                   k[1], model, coefficients, bx, by, 0 if full else int(roi.x_offset),
                   0 if full else int(roi.y_offset))

    def mismatch(self, frame_id: str, width: int, height: int) -> str | None:
        """Say why this model does not describe an image, or None when it does."""
        if frame_id != self.frame_id:
            return f"camera_info frame_id {self.frame_id!r} is not the image's {frame_id!r}"
        if (width, height) != (self.width, self.height):
            return (f'camera_info describes {self.width}x{self.height} images, the image is '
                    f'{width}x{height}')
        return None


def normalised_coordinates(model: CameraModel, u: float, v: float) -> tuple[float, float]:
    """Undistorted ``(X/Z, Y/Z)`` of image point ``(u, v)``; for equidistant, of its ray."""
    ray = bearing(model, u, v)
    if ray[2] <= 0:
        raise ValueError(f'point ({u}, {v}) looks 90 degrees or more off the optical axis')
    return ray[0] / ray[2], ray[1] / ray[2]


def bearing(model: CameraModel, u: float, v: float) -> tuple[float, float, float]:
    """Return the unit ray, in the optical frame, through image point ``(u, v)``."""
    # to sensor pixels with integer pixel centres (K's convention)
    su = model.roi_x + (u * model.binning_x) - 0.5
    sv = model.roi_y + (v * model.binning_y) - 0.5
    yd = (sv - model.cy) / model.fy
    xd = (su - model.cx - model.skew * yd) / model.fx
    if model.distortion_model == 'equidistant':
        return _fisheye_ray(model.coefficients, xd, yd)
    x, y = _undistort(model.coefficients, xd, yd) if model.distortion_model else (xd, yd)
    norm = math.sqrt(x * x + y * y + 1.0)
    return x / norm, y / norm, 1.0 / norm


def _distort(c: tuple[float, ...], x: float, y: float) -> tuple[float, float]:
    k1, k2, p1, p2, k3 = c[:5]
    k4, k5, k6 = c[5:8] if len(c) >= 8 else (0.0, 0.0, 0.0)
    r2 = x * x + y * y
    radial = (1 + r2 * (k1 + r2 * (k2 + r2 * k3))) / (1 + r2 * (k4 + r2 * (k5 + r2 * k6)))
    return (x * radial + 2 * p1 * x * y + p2 * (r2 + 2 * x * x),
            y * radial + p1 * (r2 + 2 * y * y) + 2 * p2 * x * y)


def _undistort(c: tuple[float, ...], xd: float, yd: float) -> tuple[float, float]:
    """Solve distort(x, y) = (xd, yd) by Newton's method (numerical Jacobian), from (xd, yd)."""
    x, y = xd, yd
    for _ in range(50):
        fx, fy = _distort(c, x, y)
        ex, ey = fx - xd, fy - yd
        if ex * ex + ey * ey < 1e-26:
            break
        h = 1e-7
        ax, ay = _distort(c, x + h, y)
        bx, by = _distort(c, x, y + h)
        jacobian = np.array([[(ax - fx) / h, (bx - fx) / h], [(ay - fy) / h, (by - fy) / h]])
        try:
            dx, dy = np.linalg.solve(jacobian, [ex, ey])
        except np.linalg.LinAlgError:
            break
        x, y = x - float(dx), y - float(dy)
    return x, y


def _fisheye_ray(c: tuple[float, ...], xd: float, yd: float) -> tuple[float, float, float]:
    """Equidistant model: theta_d = theta (1 + k1 theta^2 + ... + k4 theta^8); solve theta."""
    theta_d = math.hypot(xd, yd)
    if theta_d < 1e-12:
        return 0.0, 0.0, 1.0
    k1, k2, k3, k4 = c
    theta = theta_d
    for _ in range(50):
        t2 = theta * theta
        f = theta * (1 + t2 * (k1 + t2 * (k2 + t2 * (k3 + t2 * k4)))) - theta_d
        df = 1 + t2 * (3 * k1 + t2 * (5 * k2 + t2 * (7 * k3 + t2 * 9 * k4)))
        if df == 0:
            break
        step = f / df
        theta -= step
        if abs(step) < 1e-14:
            break
    s = math.sin(theta) / theta_d
    return xd * s, yd * s, math.cos(theta)
