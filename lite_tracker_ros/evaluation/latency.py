# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Latency of a tracker's two paths, measured through its public API.

The template path is ``init`` (crop, normalise, the backend's template graph); the search path
is ``update``, split into the stages its ``TrackResult.timings_s`` reports. When the tracker's
backend is reachable (attribute ``backend`` or ``_backend``), its ``set_template`` is timed too
and the inputs it and ``search`` receive are recorded, so FLOPs can be counted on exactly
those inputs (see ``flops``).
"""

from __future__ import annotations

from dataclasses import dataclass
import time
from typing import Any, Callable, Mapping, Optional, Sequence

import numpy as np

from lite_tracker_ros.core.tracker import Tracker
from lite_tracker_ros.core.types import BoxXYWH, Frame


@dataclass(frozen=True)
class LatencyStats:
    """Summary of wall-time samples, in seconds."""

    n: int
    mean_s: float
    p50_s: float
    p95_s: float

    @classmethod
    def of(cls, samples: Sequence[float]) -> LatencyStats:
        values = np.asarray(samples, dtype=np.float64)
        if values.size == 0:
            nan = float('nan')
            return cls(0, nan, nan, nan)
        return cls(int(values.size), float(values.mean()), float(np.percentile(values, 50)),
                   float(np.percentile(values, 95)))


@dataclass(frozen=True)
class PathTimings:
    """The measured latencies of one tracker: both paths and the search path's stages."""

    template: LatencyStats
    template_inference: Optional[LatencyStats]
    search: LatencyStats
    stages: Mapping[str, LatencyStats]

    @property
    def fps(self) -> float:
        """Return updates per second: 1 over the mean search-path (``update``) wall time."""
        return 1.0 / self.search.mean_s if self.search.mean_s > 0 else float('nan')


class BackendProbe:
    """Times a backend's ``set_template`` and keeps the last inputs of both of its paths."""

    def __init__(self, backend: Any):
        self.backend = backend
        self.template_s: list[float] = []
        self.template_inputs: Optional[dict] = None
        self.search_inputs: Optional[dict] = None
        set_template, search = backend.set_template, backend.search

        def timed_set_template(inputs):
            self.template_inputs = {k: np.array(v) for k, v in inputs.items()}
            start = time.perf_counter()
            set_template(inputs)
            self.template_s.append(time.perf_counter() - start)

        def recorded_search(inputs):
            self.search_inputs = {k: np.array(v) for k, v in inputs.items()}
            return search(inputs)
        backend.set_template = timed_set_template
        backend.search = recorded_search

    @classmethod
    def attach(cls, tracker: Tracker) -> Optional[BackendProbe]:
        """Instrument the tracker's backend if it exposes one; None otherwise."""
        backend = getattr(tracker, 'backend', None) or getattr(tracker, '_backend', None)
        if backend is None or not hasattr(backend, 'set_template'):
            return None
        try:
            return cls(backend)
        except AttributeError:  # a backend whose methods cannot be wrapped
            return None


def measure_paths(tracker: Tracker, frames: Sequence[Frame], box: BoxXYWH, iters: int = 50,
                  template_iters: int = 20, warmup: int = 5,
                  probe: Optional[BackendProbe] = None,
                  clock: Callable[[], float] = time.perf_counter) -> PathTimings:
    """
    Time ``template_iters`` inits on ``frames[0]`` and ``iters`` updates over ``frames[1:]``.

    ``warmup`` untimed inits and updates come first. Updates walk through the frames in order;
    when they run out, the tracker is re-initialised on ``frames[0]`` (untimed) and the walk
    starts again. A single frame is tracked against itself.
    """
    following = list(frames[1:]) or [frames[0]]
    for _ in range(max(warmup, 0)):
        tracker.init(frames[0], box)
        tracker.update(following[0])
    if probe is not None:
        probe.template_s.clear()
    template_s = []
    for _ in range(template_iters):
        start = clock()
        tracker.init(frames[0], box)
        template_s.append(clock() - start)
    template_inference = LatencyStats.of(probe.template_s) if probe is not None else None
    tracker.init(frames[0], box)
    search_s, stages = [], {}
    for i in range(iters):
        if i and i % len(following) == 0 and len(following) > 1:
            tracker.init(frames[0], box)
        frame = following[i % len(following)]
        start = clock()
        result = tracker.update(frame)
        search_s.append(clock() - start)
        for stage, seconds in result.timings_s.items():
            stages.setdefault(stage, []).append(seconds)
    return PathTimings(LatencyStats.of(template_s), template_inference, LatencyStats.of(search_s),
                       {k: LatencyStats.of(v) for k, v in stages.items()})
