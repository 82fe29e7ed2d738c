# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
The one fake tracker of the suite: template matching, small enough to check by eye.

``init`` keeps the pixels under the box (as RGB); ``update`` finds the best match of them in
the new frame and reports it with a score of 1 for an exact match, falling with the mean squared
colour difference. So a node test can tell which frame an init was taken from (the template
shows it) and where the target went, without a model. It follows the Tracker protocol of
lite_tracker_ros.core.tracker; ``update_delay_s`` and ``fail_updates`` let tests make it slow
or make it fail.
"""

from __future__ import annotations

import time

import cv2
import numpy as np

from lite_tracker_ros.core.types import BoxXYWH, ChannelOrder, TrackResult, TrackState

#: score under which the target counts as lost when ``lost_threshold`` is None
DEFAULT_LOST_THRESHOLD = 0.5


def rgb_pixels(frame) -> np.ndarray:
    if frame.order is ChannelOrder.BGR:
        return np.ascontiguousarray(frame.pixels[..., ::-1])
    if frame.order is ChannelOrder.MONO:
        return np.repeat(frame.pixels[..., None], 3, axis=2)
    return np.ascontiguousarray(frame.pixels)


class FakeTracker:
    """Template matching behind the Tracker interface."""

    def __init__(self, update_delay_s: float = 0.0):
        self.lost_threshold: float | None = None
        self.update_delay_s = update_delay_s
        self.fail_updates = 0  # the next n updates raise, as a broken backend would
        self.init_templates: list[np.ndarray] = []
        self.updates = 0
        self._state = TrackState.IDLE
        self._track_id = 0
        self._template: np.ndarray | None = None
        self._size = (0.0, 0.0)

    @property
    def state(self) -> TrackState:
        return self._state

    def init(self, frame, box: BoxXYWH) -> None:
        x, y = int(round(box.x)), int(round(box.y))
        w, h = max(1, int(round(box.w))), max(1, int(round(box.h)))
        self._template = rgb_pixels(frame)[y:y + h, x:x + w].copy()
        self.init_templates.append(self._template)
        self._size = (float(w), float(h))
        self._track_id += 1
        self._state = TrackState.TRACKING

    def update(self, frame) -> TrackResult:
        self.updates += 1
        if self.update_delay_s:
            time.sleep(self.update_delay_s)
        if self.fail_updates > 0:
            self.fail_updates -= 1
            raise RuntimeError('fake backend failure')
        t0 = time.perf_counter()
        pixels = rgb_pixels(frame).astype(np.float32)
        template = self._template.astype(np.float32)
        costs = cv2.matchTemplate(pixels, template, cv2.TM_SQDIFF)
        _, _, best, _ = cv2.minMaxLoc(costs)  # (x, y) of the lowest cost
        mean_square = costs[best[1], best[0]] / (template.size * 255.0 ** 2)
        score = float(1.0 - np.sqrt(max(mean_square, 0.0)))
        threshold = DEFAULT_LOST_THRESHOLD if self.lost_threshold is None \
            else self.lost_threshold
        self._state = TrackState.TRACKING if score >= threshold else TrackState.LOST
        box = BoxXYWH(float(best[0]), float(best[1]), *self._size)
        elapsed = time.perf_counter() - t0
        return TrackResult(box, score, self._state, self._track_id,
                           {'preprocess': 0.0, 'inference': elapsed, 'postprocess': 0.0})

    def reset(self) -> None:
        self._state = TrackState.IDLE
        self._template = None
