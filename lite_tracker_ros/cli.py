# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
``lite-tracker``: the command-line entry point.

Each subcommand lives in ``lite_tracker_ros/tools/<name>.py`` and is imported only when used, so
``lite-tracker models`` does not pay for importing torch.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from lite_tracker_ros.errors import first_line, LiteTrackerError

SUBCOMMANDS = {
    'models': 'list the known models, their licences and whether they are installed',
    'download': 'download a model into the cache, verifying its checksum',
    'install': 'put a manually downloaded checkpoint into the cache',
    'convert': 'convert a checkpoint to safetensors (safe and fast to load)',
    'export': 'export a model to ONNX (template and search graphs)',
    'quantize': 'int8 graphs calibrated on your sequences, checked against float32',
    'eval': 'evaluate a model on tracking sequences (success AUC, precision)',
    'bench': 'measure per-stage latency, fps and memory per model and backend',
    'demo': 'play a video through the tracker node and write an annotated video',
}


def _tool(name: str):
    return importlib.import_module(f'lite_tracker_ros.tools.{name}')


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog='lite-tracker', description=__doc__.split('\n')[1])
    commands = parser.add_subparsers(dest='command', metavar='COMMAND', required=True)
    chosen = next((a for a in argv if not a.startswith('-')), None)
    for name, help_text in SUBCOMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        if name == chosen:  # only the chosen tool is imported
            _tool(name).add_arguments(sub)
    args = parser.parse_args(argv)
    from lite_tracker_ros.command_hint import localized_stderr
    with localized_stderr():
        try:
            return int(_tool(args.command).run(args) or 0)
        except LiteTrackerError as error:
            # what a tool did not turn into its own message still ends in one line, not a
            # traceback; the cause stays on the error for a debugger
            print(f'lite-tracker {args.command}: {first_line(error)}', file=sys.stderr)
            return 1


if __name__ == '__main__':
    sys.exit(main())
