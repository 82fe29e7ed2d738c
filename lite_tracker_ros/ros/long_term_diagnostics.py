# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""The long-term mode's key/values in ``/diagnostics``."""

from __future__ import annotations


def long_term_values(log) -> dict[str, str]:
    """Return the long-term mode's diagnostics: time lost, re-acquisitions, time each took."""
    times = ', '.join(f'{s:.2f}' for s in log.reacquire_s[-5:])
    return {'long_term.seconds_lost': f'{log.seconds_lost():.2f}',
            'long_term.lost_events': str(log.lost_events),
            'long_term.reacquisitions': str(log.reacquisitions),
            'long_term.last_reacquire_s': times}
