# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Hints name the ``lite-tracker`` command the way it runs where the user is.

A colcon workspace installs it in ``<prefix>/lib/lite_tracker_ros/`` (not on PATH: ``ros2 run
lite_tracker_ros lite-tracker``); pip puts it next to the interpreter, on PATH when the venv is
active. Messages are written with the plain `` `lite-tracker ...` `` form and rewritten here at
the places that print them (the CLI, node startup errors).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
import shutil
import sys
from typing import Iterator, Optional, TextIO

PLAIN = 'lite-tracker'
ROS2_RUN = 'ros2 run lite_tracker_ros lite-tracker'


def _in_workspace_layout(executable: Path) -> bool:
    folder = executable.parent
    return (folder.name == 'lite_tracker_ros' and folder.parent.name == 'lib'
            and (folder / PLAIN).exists())


def lite_tracker_command(argv0: Optional[str] = None, path: Optional[str] = None,
                         python: Optional[str] = None, cwd: Optional[Path] = None) -> str:
    """Return how to run ``lite-tracker`` from here (arguments: tests; default: this process)."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    python = sys.executable if python is None else python
    if argv0 and _in_workspace_layout(Path(os.path.abspath(argv0))):
        return ROS2_RUN  # started from a colcon (or colcon-like) install: ros2 run, launch
    if shutil.which(PLAIN, path=path):
        return PLAIN
    beside_python = Path(python).parent / PLAIN
    if beside_python.exists():  # a venv that is not activated
        cwd = Path.cwd() if cwd is None else cwd
        try:
            return str(beside_python.relative_to(cwd))
        except ValueError:
            return str(beside_python)
    prefixes = os.environ.get('AMENT_PREFIX_PATH', '').split(os.pathsep)
    if any(_in_workspace_layout(Path(p, 'lib', 'lite_tracker_ros', PLAIN)) for p in prefixes if p):
        return ROS2_RUN
    return PLAIN


def localize(text: str, command: Optional[str] = None) -> str:
    """Rewrite every `` `lite-tracker ...` `` hint in ``text`` to the command that works here."""
    command = lite_tracker_command() if command is None else command
    return text if command == PLAIN else text.replace(f'`{PLAIN} ', f'`{command} ')


class _LocalizingWriter:
    def __init__(self, stream: TextIO, command: str):
        self._stream, self._command = stream, command

    def write(self, text: str) -> int:
        return self._stream.write(localize(text, self._command))

    def __getattr__(self, name):
        return getattr(self._stream, name)


@contextlib.contextmanager
def localized_stderr() -> Iterator[None]:
    """Within the block, hints written to stderr name the command that works here."""
    command = lite_tracker_command()
    if command == PLAIN:
        yield
        return
    with contextlib.redirect_stderr(_LocalizingWriter(sys.stderr, command)):
        yield
