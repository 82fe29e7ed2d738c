# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""The node's worker loop survives any failing step, and its end is never silent."""

import threading

from lite_tracker_ros.ros.guarded_worker import GuardedWorker


def run(steps, timeout_s=10.0):
    """Run a worker over ``steps`` (callables; returning False ends the loop)."""
    errors, exits, done = [], [], threading.Event()
    queue = list(steps)

    def step():
        return queue.pop(0)()

    def on_exit(reason):
        exits.append(reason)
        done.set()

    worker = GuardedWorker(step, errors.append, on_exit)
    worker.start()
    worker.join(timeout_s)
    assert not worker.is_alive()
    return errors, exits


def fail(error):
    def step():
        raise error
    return step


def test_failing_steps_are_reported_and_the_loop_goes_on():
    ran = []
    errors, exits = run([fail(ValueError('bad frame')), fail(MemoryError()),
                         fail(OverflowError('round(nan)')), lambda: ran.append(1) or True,
                         lambda: False])
    assert [type(e) for e in errors] == [ValueError, MemoryError, OverflowError]
    assert ran == [1]
    assert exits == ['the loop returned']  # ended without stop(): reported


def test_an_end_the_loop_cannot_survive_is_reported_with_its_reason():
    errors, exits = run([lambda: True, fail(SystemExit(3))])
    assert errors == [] and len(exits) == 1 and 'SystemExit' in exits[0]


def test_a_failing_error_handler_ends_the_loop_reported():
    exits = []

    def handler(error):
        raise RuntimeError('logger broke')

    worker = GuardedWorker(fail(KeyError('x')), handler, exits.append)
    worker.start()
    worker.join(10.0)
    assert len(exits) == 1 and 'logger broke' in exits[0]


def test_a_requested_stop_is_not_reported():
    exits, stop = [], threading.Event()
    worker = GuardedWorker(lambda: not stop.wait(0.01), lambda e: None, exits.append)
    worker.start()
    worker.stop()
    stop.set()
    worker.join(10.0)
    assert not worker.is_alive() and exits == []
