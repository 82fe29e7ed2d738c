# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Constant-velocity Kalman filter on a box: its image velocity, and the box at a later time.

Each of the box's centre x, centre y, width and height is a position with a velocity, driven by
white-noise acceleration (``process_noise``, in px/s^2 per sqrt(Hz): how fast the target may
change speed) and measured with ``measurement_noise`` px of jitter. A constant-velocity model
follows a target moving at constant speed with no steady lag, so the filtered box smooths
jitter without trailing the target, and :meth:`BoxMotionFilter.predict` extrapolates the box to
when a controller acts on it. Times are seconds (image stamps); a gap over ``max_gap_s`` or a
time going backwards restarts the filter from the new box.
"""

from __future__ import annotations

import math

import numpy as np

from lite_tracker_ros.core.types import BoxXYWH


class BoxMotionFilter:
    """Four independent constant-velocity Kalman filters: centre x, centre y, width, height."""

    def __init__(self, process_noise: float = 1000.0, measurement_noise: float = 2.0,
                 max_gap_s: float = 1.0):
        if not (process_noise > 0 and measurement_noise > 0 and max_gap_s > 0):
            raise ValueError('process_noise, measurement_noise and max_gap_s must be positive, '
                             f'got {process_noise}, {measurement_noise}, {max_gap_s}')
        self._q = float(process_noise) ** 2
        self._r = float(measurement_noise) ** 2
        self._max_gap_s = float(max_gap_s)
        self.reset()

    def reset(self) -> None:
        """Forget the track: the next :meth:`update` starts a new one."""
        self._time: float | None = None
        self._x = np.zeros((4, 2))  # per coordinate: position, velocity
        self._p = np.zeros((4, 2, 2))

    @property
    def started(self) -> bool:
        return self._time is not None

    @property
    def time(self) -> float | None:
        """Time of the latest measurement (seconds), None before the first."""
        return self._time

    def update(self, box: BoxXYWH, time_s: float) -> BoxXYWH:
        """Take the box measured at ``time_s``; return the filtered box at that time."""
        z = np.array([box.cx, box.cy, box.w, box.h], dtype=np.float64)
        if not (np.all(np.isfinite(z)) and math.isfinite(time_s)):
            raise ValueError(f'box {box.as_tuple()} at {time_s} s must be finite')
        dt = None if self._time is None else time_s - self._time
        if dt is None or dt < 0 or dt > self._max_gap_s:
            self._x[:, 0], self._x[:, 1] = z, 0.0
            # position as measured; velocity unknown: a large variance lets the next box set it
            self._p[:] = np.diag([self._r, self._q * self._max_gap_s])
            self._time = time_s
            return self.box
        x, p = self._propagate(dt)
        for i in range(4):
            s = p[i, 0, 0] + self._r
            gain = p[i, :, 0] / s
            x[i] += gain * (z[i] - x[i, 0])
            p[i] -= np.outer(gain, p[i, 0, :])
        self._x, self._p, self._time = x, p, time_s
        return self.box

    @property
    def box(self) -> BoxXYWH:
        """Return the filtered box at the time of the latest measurement."""
        return self._as_box(self._x)

    @property
    def velocity(self) -> tuple[float, float, float, float]:
        """Rates of centre x, centre y, width and height in pixels per second."""
        return tuple(float(v) for v in self._x[:, 1])

    def predict(self, time_s: float) -> BoxXYWH:
        """Return the box extrapolated to ``time_s`` at the estimated velocity (no update)."""
        if self._time is None:
            raise RuntimeError('predict() before any update()')
        x, _ = self._propagate(time_s - self._time)
        return self._as_box(x)

    def _propagate(self, dt: float) -> tuple[np.ndarray, np.ndarray]:
        f = np.array([[1.0, dt], [0.0, 1.0]])
        # white-noise acceleration integrated over dt
        q = self._q * np.array([[dt ** 3 / 3, dt ** 2 / 2], [dt ** 2 / 2, dt]])
        x = self._x @ f.T
        p = f @ self._p @ f.T + q
        return x, p

    @staticmethod
    def _as_box(x: np.ndarray) -> BoxXYWH:
        w, h = max(float(x[2, 0]), 1.0), max(float(x[3, 0]), 1.0)
        return BoxXYWH.from_center(float(x[0, 0]), float(x[1, 0]), w, h)
