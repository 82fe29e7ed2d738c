# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""The text progress bar: one line per update, throttled, complete at the end."""

import io

from lite_tracker_ros.evaluation.progress import ProgressBar


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_one_line_per_throttled_update_and_a_final_line():
    clock, stream = Clock(), io.StringIO()
    bar = ProgressBar(10, stream=stream, width=10, min_interval_s=1.0, clock=clock)
    bar.set_label('m/b Deer')
    for _ in range(9):
        clock.now += 0.25
        bar.advance()
    bar.close()
    lines = stream.getvalue().splitlines()
    # drawn at t=0.25 (first), 1.25 and 2.25 (throttle); close adds nothing new
    assert len(lines) == 3
    assert lines[1].startswith('[#####-----] 5/10  50%') and lines[1].endswith('m/b Deer')
    assert '4.0/s' in lines[1] and 'eta 0:00:01' in lines[1]
    assert lines[-1].startswith('[#########-] 9/10  90%')


def test_completion_draws_once_and_is_clamped():
    clock, stream = Clock(), io.StringIO()
    bar = ProgressBar(3, stream=stream, width=3, min_interval_s=100.0, clock=clock)
    bar.advance()
    bar.advance(5)
    bar.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 and lines[-1].startswith('[###] 3/3 100%')


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_terminal_gets_the_line_redrawn_in_place():
    stream = Terminal()
    bar = ProgressBar(2, stream=stream, min_interval_s=0.0, clock=Clock())
    bar.advance()
    bar.advance()
    bar.close()
    text = stream.getvalue()
    assert text.count('\r') == 2 and text.endswith('\n') and text.count('\n') == 1
