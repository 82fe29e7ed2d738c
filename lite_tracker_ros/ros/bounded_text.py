# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Text from a message or an exception, cut to a bounded length before it is logged or reported.

A publisher controls strings such as an image's encoding: unbounded, one message could put a
megabyte into every diagnostics message and log line that quotes it.
"""

from __future__ import annotations

MAX_CHARS = 200


def bounded(text: object, limit: int = MAX_CHARS) -> str:
    """Return ``str(text)`` if it is at most ``limit`` characters, else its head and its length."""
    text = str(text)
    if len(text) <= limit:
        return text
    return f'{text[:limit]}... ({len(text)} characters)'


def bounded_repr(text: object, limit: int = 40) -> str:
    """``repr`` of a short excerpt: for quoting a field the publisher chose."""
    text = str(text)
    return repr(text) if len(text) <= limit else f'{text[:limit]!r}... ({len(text)} characters)'
