# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""The one error a weights file can cause, and how other errors are folded into its message."""

from __future__ import annotations

import reprlib

from lite_tracker_ros.errors import LiteTrackerError

_MAX_DETAIL = 160

#: repr() of values read from a file: bounded in depth and length, so that quoting a hostile
#: value in an error message cannot itself recurse or run for ever
_BOUNDED = reprlib.Repr()
_BOUNDED.maxlevel, _BOUNDED.maxstring, _BOUNDED.maxother = 3, 60, 60


class CheckpointError(LiteTrackerError, ValueError):
    """A weights file that cannot be used; the message says why and what to do."""


def one_line(detail: object) -> str:
    """``Type: message`` of an exception (or any text), on one short line."""
    if isinstance(detail, BaseException):
        detail = f'{type(detail).__name__}: {detail}'
    text = ' '.join(str(detail).split())
    return text if len(text) <= _MAX_DETAIL else text[:_MAX_DETAIL - 3] + '...'


def bounded_repr(value: object) -> str:
    """repr() of a value from a file, cut short."""
    return _BOUNDED.repr(value)
