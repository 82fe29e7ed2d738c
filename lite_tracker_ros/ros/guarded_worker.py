# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
A worker thread that a failing step cannot end silently.

The tracker node does all per-frame work on one thread. An exception that escaped it would end
the thread while the process, its subscriptions and its diagnostics timer live on: frames would
pile up as "dropped" and nothing would say why. Here every step's exception is handed to
``on_step_error`` and the loop goes on; if the loop still ends other than through ``stop()``
(an error handler that fails, SystemExit), ``on_exit`` is told why.
"""

from __future__ import annotations

import threading
import traceback
from typing import Callable


class GuardedWorker:
    """Runs ``step()`` on a thread until it returns False or ``stop()`` is called."""

    def __init__(self, step: Callable[[], bool], on_step_error: Callable[[Exception], None],
                 on_exit: Callable[[str], None], name: str = 'worker'):
        self._step = step
        self._on_step_error = on_step_error
        self._on_exit = on_exit
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        """Mark the end as intended; the step function must then return False soon."""
        self._stopping = True

    def join(self, timeout_s: float = 5.0) -> None:
        self._thread.join(timeout=timeout_s)

    def _run(self) -> None:
        reason = 'the loop returned'
        try:
            while True:
                try:
                    if not self._step():
                        return
                except Exception as error:  # noqa: B902 - one bad step must not end the loop
                    self._on_step_error(error)
        except BaseException as error:  # noqa: B902 - reported below, nothing else can
            reason = ''.join(traceback.format_exception_only(type(error), error)).strip()
        finally:
            if not self._stopping:
                self._on_exit(reason)
