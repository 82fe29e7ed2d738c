# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""``lite-tracker convert SRC DST``: a checkpoint to safetensors, read without running code."""

from __future__ import annotations

from pathlib import Path
import sys


def add_arguments(parser) -> None:
    parser.add_argument('src', type=Path, help='checkpoint (.pth/.pth.tar, zip format)')
    parser.add_argument('dst', type=Path, help='output .safetensors file')


def run(args) -> int:
    from lite_tracker_ros.networks import checkpoint
    try:
        checkpoint.convert_to_safetensors(args.src, args.dst)
    except checkpoint.CheckpointError as error:
        print(f'lite-tracker convert: {error}', file=sys.stderr)
        return 1
    print(args.dst)
    return 0
