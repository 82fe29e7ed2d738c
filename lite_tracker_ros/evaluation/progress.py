# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
A text progress bar for long runs: one line per update, on a stream (stderr by default).

On a terminal the line is redrawn in place (carriage return); elsewhere (a log file, a pipe) each
update is its own line. Updates are throttled to ``min_interval_s`` except the last one.
"""

from __future__ import annotations

import sys
import time
from typing import Callable, TextIO


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f'{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}'


class ProgressBar:
    """Counts work units (frames) towards ``total`` and draws ``[####----] n/total``, rate, eta."""

    def __init__(self, total: int, stream: TextIO | None = None, width: int = 24,
                 min_interval_s: float = 0.5, clock: Callable[[], float] = time.monotonic):
        self.total = max(int(total), 0)
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.min_interval_s = min_interval_s
        self.clock = clock
        self.done = 0
        self.label = ''
        self._start = clock()
        self._last_draw = -float('inf')
        self._drawn: int | None = None
        self._in_place = bool(getattr(self.stream, 'isatty', lambda: False)())
        self._closed = False

    def set_label(self, label: str) -> None:
        """Name what is being worked on (e.g. ``model/backend sequence``)."""
        self.label = label

    def advance(self, units: int = 1) -> None:
        self.done = min(self.done + units, self.total)
        now = self.clock()
        if self.done >= self.total or now - self._last_draw >= self.min_interval_s:
            self._draw(now)

    def line(self, now: float | None = None) -> str:
        """Return the bar as one line of text."""
        now = self.clock() if now is None else now
        fraction = self.done / self.total if self.total else 1.0
        filled = int(round(fraction * self.width))
        elapsed = max(now - self._start, 1e-9)
        rate = self.done / elapsed
        eta = (self.total - self.done) / rate if rate > 0 else float('nan')
        eta_text = _clock(eta) if eta == eta else '?'
        return (f'[{"#" * filled}{"-" * (self.width - filled)}] {self.done}/{self.total} '
                f'{100 * fraction:3.0f}% {rate:6.1f}/s eta {eta_text} {self.label}').rstrip()

    def _draw(self, now: float) -> None:
        self._last_draw = now
        self._drawn = self.done
        if self._in_place:
            self.stream.write('\r\x1b[K' + self.line(now))
        else:
            self.stream.write(self.line(now) + '\n')
        self.stream.flush()

    def close(self) -> None:
        """Draw the final state and end the line."""
        if self._closed:
            return
        self._closed = True
        if self._drawn != self.done:
            self._draw(self.clock())
        if self._in_place:
            self.stream.write('\n')
            self.stream.flush()
