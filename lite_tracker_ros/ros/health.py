"""
Rates, drops and per-stage latency of the tracker node, and the health level they imply.

ROS-free: the node feeds it and turns ``NodeHealth.report()`` into a DiagnosticStatus.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass
import enum
import math
import threading
import time
from typing import Callable

import numpy as np

# receive_delay: image stamp to the subscription callback (transport and driver delay);
# end_to_end: image stamp to the result being published
STAGES = ('receive_delay', 'conversion', 'preprocess', 'inference', 'postprocess', 'end_to_end',
          'searching')


class Level(enum.IntEnum):
    """Same values as diagnostic_msgs/DiagnosticStatus levels."""

    OK = 0
    WARN = 1
    ERROR = 2


class RateMeter:
    """Events per second over a sliding time window."""

    def __init__(self, window_s: float = 5.0):
        self._window_s = window_s
        self._stamps: deque[float] = deque()

    def tick(self, now: float) -> None:
        self._stamps.append(now)

    def rate(self, now: float) -> float:
        while self._stamps and now - self._stamps[0] > self._window_s:
            self._stamps.popleft()
        if len(self._stamps) < 2:
            return 0.0
        span = now - self._stamps[0]
        return (len(self._stamps) - 1) / span if span > 0 else 0.0


class LatencyWindow:
    """The most recent latency samples of one stage, in seconds."""

    def __init__(self, size: int = 1000):
        self._samples: deque[float] = deque(maxlen=size)

    def add(self, seconds: float) -> None:
        if math.isfinite(seconds):
            self._samples.append(seconds)

    def summary_ms(self) -> dict[str, float] | None:
        if not self._samples:
            return None
        values = np.fromiter(self._samples, float) * 1e3
        p50, p95 = np.percentile(values, [50, 95])
        return {'mean': float(values.mean()), 'p50': float(p50), 'p95': float(p95),
                'max': float(values.max())}


@dataclass(frozen=True)
class HealthReport:
    """What /diagnostics says about the node at one moment."""

    level: Level
    message: str
    values: dict[str, str]


class NodeHealth:
    """
    Thread-safe counters, rates and latency windows of one tracker node.

    ``image_timeout_s`` > 0 turns a silent input into a warning: no image for that long (since
    start or since the last one) is the usual sign of a wrong topic or a QoS mismatch.
    ``clock`` is the monotonic time source (replaceable in tests).
    """

    def __init__(self, static_values: dict[str, str], lag_warn_s: float = 0.25,
                 image_timeout_s: float = 5.0, clock: Callable[[], float] = time.monotonic):
        self._lock = threading.Lock()
        self._clock = clock
        self._static = dict(static_values)
        self.lag_warn_s = lag_warn_s
        self.image_timeout_s = image_timeout_s
        self._started = clock()
        self._last_image: float | None = None
        self.image_hint = ''  # what the node found out about a silent input
        self._counts: Counter[str] = Counter()
        self._bad_input: Counter[str] = Counter()
        self._latency = {stage: LatencyWindow() for stage in STAGES}
        self._input_rate = RateMeter()
        self._output_rate = RateMeter()
        self._state = 'idle'
        self._last_error = ''
        self._backend_failed = False
        self._extra: dict[str, str] = {}

    def frame_received(self) -> None:
        with self._lock:
            now = self._clock()
            self._counts['frames_received'] += 1
            self._input_rate.tick(now)
            self._last_image = now

    def frame_dropped(self) -> None:
        with self._lock:
            self._counts['frames_dropped'] += 1

    def frame_processed(self, state: str, stage_seconds: dict[str, float]) -> None:
        with self._lock:
            self._counts['frames_processed'] += 1
            self._output_rate.tick(self._clock())
            self._state = state
            self._backend_failed = False
            for stage, seconds in stage_seconds.items():
                self._latency[stage].add(seconds)

    def bad_input(self, kind: str, detail: str) -> None:
        with self._lock:
            self._bad_input[kind] += 1
            self._last_error = f'{kind}: {detail}'

    def backend_error(self, detail: str) -> None:
        with self._lock:
            self._counts['backend_errors'] += 1
            self._backend_failed = True
            self._last_error = f'backend: {detail}'

    def set_values(self, values: dict[str, str]) -> None:
        """Replace the extra key/values reported (e.g. the long-term mode's)."""
        with self._lock:
            self._extra = dict(values)

    def set_state(self, state: str) -> None:
        with self._lock:
            self._state = state

    def seconds_without_image(self) -> float | None:
        """Return how long no image has come (since start if none yet), or None if not late."""
        with self._lock:
            return self._image_silence(self._clock())

    def _image_silence(self, now: float) -> float | None:
        silent = now - (self._last_image if self._last_image is not None else self._started)
        return silent if 0 < self.image_timeout_s < silent else None

    def count(self, name: str) -> int:
        with self._lock:
            return self._counts[name] + self._bad_input[name]

    def report(self) -> HealthReport:
        with self._lock:
            now = self._clock()
            values = dict(self._static)
            values['state'] = self._state
            values.update(self._extra)
            values['input_rate_hz'] = f'{self._input_rate.rate(now):.2f}'
            values['output_rate_hz'] = f'{self._output_rate.rate(now):.2f}'
            for name in ('frames_received', 'frames_processed', 'frames_dropped',
                         'backend_errors'):
                values[name] = str(self._counts[name])
            values['bad_input_total'] = str(sum(self._bad_input.values()))
            for kind, n in sorted(self._bad_input.items()):
                values[f'bad_input.{kind}'] = str(n)
            e2e = None
            for stage, window in self._latency.items():
                summary = window.summary_ms()
                for stat, ms in (summary or {}).items():
                    values[f'latency_ms.{stage}.{stat}'] = f'{ms:.3f}'
                if stage == 'end_to_end':
                    e2e = summary
            values['last_error'] = self._last_error
            values['seconds_since_last_image'] = (
                'never' if self._last_image is None else f'{now - self._last_image:.1f}')
            silence = self._image_silence(now)
            level, message = Level.OK, self._state
            if self._backend_failed:
                level, message = Level.ERROR, 'backend failed on the last frame'
            elif silence is not None:
                level, message = Level.WARN, f'no image for {silence:.0f} s'
                values['image_hint'] = self.image_hint
            elif self._state == 'lost':
                level, message = Level.WARN, 'target lost'
            elif self._state == 'searching':
                level, message = Level.WARN, 'target lost, searching'
            elif e2e is not None and e2e['p95'] > self.lag_warn_s * 1e3:
                level, message = Level.WARN, (f'lagging: end-to-end p95 {e2e["p95"]:.0f} ms > '
                                              f'{self.lag_warn_s * 1e3:.0f} ms')
            return HealthReport(level, message, values)
