# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""The life cycle every executable of this package shares: start, spin, shut down cleanly."""

from __future__ import annotations

import sys
from typing import Callable, Optional

import rclpy
from rclpy.executors import ExternalShutdownException

from lite_tracker_ros.command_hint import localize
from lite_tracker_ros.errors import first_line, LiteTrackerError


def run_node(program: str, make_node: Callable, startup_errors: tuple[type[Exception], ...] = (),
             args=None, done: Optional[Callable[[object], bool]] = None,
             start: Optional[Callable[[object], None]] = None) -> int:
    """
    Create the node and spin it until Ctrl-C, an external shutdown, or ``done(node)``.

    ``start(node)`` runs once after the node is made (a lifecycle node's autostart). A startup
    error (any :class:`LiteTrackerError`, or one of the extra ``startup_errors``) from either
    prints ``program: message`` on one line and returns 2, so a wrong configuration never ends
    in a traceback.
    """
    rclpy.init(args=args)
    node = None
    try:
        node = make_node()
        if start is not None:
            start(node)
    except (LiteTrackerError, *startup_errors) as error:
        print(f'{program}: {localize(first_line(error))}', file=sys.stderr)
        if node is not None:
            node.destroy_node()
        rclpy.try_shutdown()
        return 2
    try:
        if done is None:
            rclpy.spin(node)
        else:
            while rclpy.ok() and not done(node):
                rclpy.spin_once(node, timeout_sec=0.1)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    except Exception:
        # rclpy 7 (Jazzy) can fail building its wait set once Ctrl-C has shut the context
        # down, instead of raising ExternalShutdownException: that is a shutdown, not an error
        if rclpy.ok():
            raise
    finally:
        node.destroy_node()
        rclpy.try_shutdown()
    return 0
