# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""``lite-tracker download NAME``: fetch a model's files into the cache, verified."""

from __future__ import annotations

from pathlib import Path
import sys

from lite_tracker_ros import model_registry as mr


def add_arguments(parser) -> None:
    parser.add_argument('name', help='registry name, e.g. nanotrack_v2')
    parser.add_argument('--cache', type=Path, help='target folder (default: the model cache)')
    parser.add_argument('--timeout', type=float, default=1800.0,
                        help='seconds the whole download may take (default: %(default)s); an '
                             'interrupted download resumes on the next run')


def run(args) -> int:
    try:
        for path in mr.download(args.name, args.cache, timeout_s=args.timeout):
            print(path)
    except mr.RegistryError as error:
        print(f'lite-tracker download: {error}', file=sys.stderr)
        return 1
    return 0
