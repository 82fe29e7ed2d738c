# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
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

from lite_tracker_ros.ros.bounded_text import bounded

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


class TopicWindow:
    """
    One topic's events and stamp delays between two reports.

    Counted as diagnostic_updater's FrequencyStatus and TimeStampStatus count them, so that
    their keys and messages apply.
    """

    #: a stamp further ahead of the clock than this is reported (clocks of two machines differ)
    EARLIEST_ACCEPTABLE_DELAY_S = -1.0

    def __init__(self, now: float):
        self._window_start = now
        self._events = 0
        self._total = 0
        self._min_delay: float | None = None
        self._max_delay: float | None = None
        self._zero_seen = False
        self._late = self._early = self._zero = 0

    def tick(self, delay_s: float | None) -> None:
        """Count an event; ``delay_s`` is its stamp's age, None for a zero stamp."""
        self._events += 1
        self._total += 1
        if delay_s is None:
            self._zero_seen = True
        elif math.isfinite(delay_s):
            self._min_delay = delay_s if self._min_delay is None else min(self._min_delay,
                                                                          delay_s)
            self._max_delay = delay_s if self._max_delay is None else max(self._max_delay,
                                                                          delay_s)

    def report(self, now: float, latest_acceptable_s: float) -> tuple[Level, str, dict]:
        """Summarise the window since the last report and start a new one."""
        duration = max(now - self._window_start, 1e-9)
        level, messages = Level.OK, []
        if self._events == 0:
            level, messages = Level.WARN, ['No events recorded.']
        if self._min_delay is not None and self._min_delay < self.EARLIEST_ACCEPTABLE_DELAY_S:
            level, self._early = Level.WARN, self._early + 1
            messages.append('Timestamps too far in future seen.')
        if self._max_delay is not None and self._max_delay > latest_acceptable_s:
            level, self._late = Level.WARN, self._late + 1
            messages.append('Timestamps too far in past seen.')
        if self._zero_seen:
            level, self._zero = Level.WARN, self._zero + 1
            messages.append('Zero timestamp seen.')
        values = {
            'Events in window': f'{self._events:d}',
            'Events since startup': f'{self._total:d}',
            'Duration of window (s)': f'{duration:f}',
            'Actual frequency (Hz)': f'{self._events / duration:f}',
            'Earliest timestamp delay:': f'{self._min_delay or 0.0:f}',
            'Latest timestamp delay:': f'{self._max_delay or 0.0:f}',
            'Earliest acceptable timestamp delay:': f'{self.EARLIEST_ACCEPTABLE_DELAY_S:f}',
            'Latest acceptable timestamp delay:': f'{latest_acceptable_s:f}',
            'Late diagnostic update count:': f'{self._late:d}',
            'Early diagnostic update count:': f'{self._early:d}',
            'Zero seen diagnostic update count:': f'{self._zero:d}',
        }
        self._window_start, self._events = now, 0
        self._min_delay = self._max_delay = None
        self._zero_seen = False
        return level, ' '.join(messages) or 'Timestamps are reasonable.', values


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
    ``processing_timeout_s`` > 0 is the watchdog: a frame waiting that long with none taken up
    by the worker (stuck, or gone) is an ERROR. ``clock`` is the monotonic time source
    (replaceable in tests). Every text kept for the report is bounded in length.
    """

    def __init__(self, static_values: dict[str, str], lag_warn_s: float = 0.25,
                 image_timeout_s: float = 5.0, processing_timeout_s: float = 10.0,
                 clock: Callable[[], float] = time.monotonic):
        self._lock = threading.Lock()
        self._clock = clock
        self._static = {key: bounded(value) for key, value in static_values.items()}
        self.lag_warn_s = lag_warn_s
        self.image_timeout_s = image_timeout_s
        self.processing_timeout_s = processing_timeout_s
        self._waiting_since: float | None = None  # oldest frame not yet taken by the worker
        self._worker_stopped = ''
        self._events: Counter[str] = Counter()
        self._started = clock()
        self._last_image: float | None = None
        self.image_hint = ''  # what the node found out about a silent input
        self.idle_hint = ''  # what an idle node waits for (said in the status message)
        self._counts: Counter[str] = Counter()
        self._bad_input: Counter[str] = Counter()
        self._latency = {stage: LatencyWindow() for stage in STAGES}
        self._input_rate = RateMeter()
        self._output_rate = RateMeter()
        self._state = 'idle'
        self._last_error = ''
        self._backend_failed = False
        self._topics = {'input': TopicWindow(self._started), 'output': TopicWindow(self._started)}

    def topic_event(self, topic: str, delay_s: float | None) -> None:
        """Count a message on ``input`` or ``output``; ``delay_s``: its stamp's age, None if 0."""
        with self._lock:
            self._topics[topic].tick(delay_s)

    def topic_reports(self) -> dict[str, HealthReport]:
        """Summarise each topic since the last call (diagnostic_updater's topic status)."""
        with self._lock:
            now = self._clock()
            return {topic: HealthReport(*window.report(now, self.lag_warn_s))
                    for topic, window in self._topics.items()}

    def frame_received(self, for_worker: bool = True) -> None:
        """Count an image; ``for_worker``: it waits for the worker (not paused)."""
        with self._lock:
            now = self._clock()
            self._counts['frames_received'] += 1
            self._input_rate.tick(now)
            self._last_image = now
            if for_worker and self._waiting_since is None:
                self._waiting_since = now

    def frame_taken(self) -> None:
        """Note that the worker took up the waiting frame (whatever comes of it)."""
        with self._lock:
            self._waiting_since = None

    def frame_error(self, stage: str, detail: str) -> None:
        """Count a per-frame failure that is neither the input's fault nor the backend's."""
        with self._lock:
            self._counts[f'frame_errors.{stage}'] += 1
            self._last_error = bounded(f'{stage}: {detail}')

    def event(self, name: str, n: int = 1) -> None:
        """Count something worth seeing in diagnostics (inits_coalesced, ...)."""
        with self._lock:
            self._events[name] += n

    def worker_stopped(self, reason: str) -> None:
        """Report that the worker thread ended unexpectedly: the node no longer tracks."""
        with self._lock:
            self._worker_stopped = bounded(reason) or 'unknown reason'

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
            self._last_error = bounded(f'{kind}: {detail}')

    def backend_error(self, detail: str) -> None:
        with self._lock:
            self._counts['backend_errors'] += 1
            self._backend_failed = True
            self._last_error = bounded(f'backend: {detail}')

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
            return self._counts[name] + self._bad_input[name] + self._events[name]

    def _stalled(self, now: float) -> float | None:
        if self._waiting_since is None or self.processing_timeout_s <= 0:
            return None
        waited = now - self._waiting_since
        return waited if waited > self.processing_timeout_s else None

    def report(self) -> HealthReport:
        with self._lock:
            now = self._clock()
            values = dict(self._static)
            values['state'] = self._state
            values['input_rate_hz'] = f'{self._input_rate.rate(now):.2f}'
            values['output_rate_hz'] = f'{self._output_rate.rate(now):.2f}'
            for name in ('frames_received', 'frames_processed', 'frames_dropped',
                         'backend_errors'):
                values[name] = str(self._counts[name])
            for name in sorted(k for k in self._counts if k.startswith('frame_errors.')):
                values[name] = str(self._counts[name])
            values['bad_input_total'] = str(sum(self._bad_input.values()))
            for kind, n in sorted(self._bad_input.items()):
                values[f'bad_input.{kind}'] = str(n)
            for name, n in sorted(self._events.items()):
                values[name] = str(n)
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
            stalled = self._stalled(now)
            level, message = Level.OK, self._state
            if self._state == 'idle' and self.idle_hint:
                message = f'idle: {self.idle_hint}'
            if self._worker_stopped:
                level, message = Level.ERROR, 'worker stopped, no frame is processed: ' + \
                    self._worker_stopped
            elif stalled is not None:
                level, message = Level.ERROR, (f'no frame processed for {stalled:.0f} s while '
                                               'frames arrive (processing_timeout_s)')
            elif self._backend_failed:
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
