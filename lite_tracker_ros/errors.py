# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
The one base of every error this package raises on purpose.

Each such error also keeps the builtin base it always had (``ValueError``, ``LookupError``,
``OSError``...), so code that caught those still does. The command line and the node catch
:class:`LiteTrackerError` alone and print its first line; everything below them keeps the cause
(``raise ... from error``). This module imports nothing, so the core may use it.
"""


class LiteTrackerError(Exception):
    """An error whose message says what went wrong and what to change."""


def first_line(error: BaseException) -> str:
    """Shorten the error's message to its first line, what a boundary prints."""
    lines = str(error).splitlines()
    return lines[0] if lines else type(error).__name__
