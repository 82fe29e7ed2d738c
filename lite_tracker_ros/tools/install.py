# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""``lite-tracker install NAME FILE``: register a manually downloaded checkpoint."""

from __future__ import annotations

from pathlib import Path
import sys

from lite_tracker_ros import model_registry as mr


def add_arguments(parser) -> None:
    parser.add_argument('name', help='registry name, e.g. litetrack_b4')
    parser.add_argument('file', type=Path, help='the downloaded checkpoint')
    parser.add_argument('--role', default='checkpoint', help='which file of the model it is')


def run(args) -> int:
    try:
        print(mr.install(args.name, args.file, args.role))
    except mr.RegistryError as error:
        print(f'lite-tracker install: {error}', file=sys.stderr)
        return 1
    return 0
