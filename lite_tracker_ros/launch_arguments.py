# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Launch arguments and node parameters checked with a one-line error that names them.

Used by launch/*.launch.py (where every argument arrives as a string) and by video_publisher
(typed parameters). No launch or rclpy import: the checks run and are tested anywhere.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

from lite_tracker_ros.errors import LiteTrackerError


BOX = 'x,y,w,h: four numbers in pixels with w and h > 0 (e.g. 100,80,60,60)'


class ArgumentError(LiteTrackerError, ValueError):
    """A launch argument or parameter value that cannot be used; the message says which."""


def _fail(name: str, value: object, expected: str, kind: str) -> ArgumentError:
    shown = value if isinstance(value, str) else repr(value)
    return ArgumentError(f'{kind} {name}:={shown}: expected {expected}')


def parse_box(name: str, text: str, kind: str = 'launch argument') -> list[float] | None:
    """``'x,y,w,h'`` in pixels as four floats (w, h > 0), or None for an empty string."""
    if not text.strip():
        return None
    try:
        values = [float(part) for part in text.split(',')]
    except ValueError:
        raise _fail(name, text, BOX + ', or empty', kind) from None
    return check_box(name, values, kind, text, BOX + ', or empty')


def check_box(name: str, values: Sequence[float], kind: str = 'parameter',
              shown: object = None, expected: str = '') -> list[float] | None:
    """Four finite numbers with positive size; all zeros (the parameter default) means none."""
    expected = expected or BOX
    values = [float(v) for v in values]
    if kind == 'parameter' and values and not any(values):
        return None
    shown = values if shown is None else shown
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise _fail(name, shown, expected, kind)
    if values[2] <= 0 or values[3] <= 0:
        raise _fail(name, shown, expected, kind)
    return values


def parse_rate(name: str, text: str, kind: str = 'launch argument') -> float:
    """Read a rate in Hz: a finite number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise _fail(name, text, 'a rate in Hz, a number > 0 (e.g. 30.0)', kind) from None
    return check_rate(name, value, kind, text)


def check_rate(name: str, value: float, kind: str = 'parameter', shown: object = None) -> float:
    if not (math.isfinite(value) and value > 0):
        raise _fail(name, value if shown is None else shown,
                    'a rate in Hz, a number > 0 (e.g. 30.0)', kind)
    return float(value)


def parse_bool(name: str, text: str, kind: str = 'launch argument') -> bool:
    """true/false (also 1/0, yes/no, any case), as ROS launch files spell booleans."""
    lowered = text.strip().lower()
    if lowered in ('true', '1', 'yes'):
        return True
    if lowered in ('false', '0', 'no', ''):
        return False
    raise _fail(name, text, 'true or false', kind)


def parse_choice(name: str, text: str, choices: Sequence[str], allow_empty: bool = False,
                 kind: str = 'launch argument') -> str:
    if text in choices or (allow_empty and text == ''):
        return text
    raise _fail(name, text, 'one of ' + ', '.join(choices), kind)


def existing_file(name: str, text: str, what: str, allow_empty: bool = False,
                  kind: str = 'launch argument') -> str:
    """Check that a path exists (``what``: what it should be); '' passes with ``allow_empty``."""
    if allow_empty and text == '':
        return text
    if not text:
        raise _fail(name, "''", what, kind)
    if not Path(text).expanduser().exists():
        raise ArgumentError(f'{kind} {name}:={text}: no such file; expected {what}')
    return str(Path(text).expanduser())


def check_count(name: str, value: int, kind: str = 'parameter') -> int:
    if value < 0:
        raise _fail(name, value, 'a count >= 0 (0: no limit)', kind)
    return value
