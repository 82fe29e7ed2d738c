# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
What rclpy itself costs per camera image, in one process and without DDS.

Splits the Python side of image transport into its steps: filling ``Image.data`` from a numpy
frame (what a Python publisher does), ``serialize_message`` (Python message to CDR, the work
behind ``publish``), ``deserialize_message`` (CDR to a Python message, the work before a
subscription callback) and, for scale, one plain copy of the frame (memory bandwidth).
Whatever end-to-end transport time these do not explain is spent in the RMW and Fast DDS
(shared-memory copies, history, thread wake-ups).

    .venv/bin/python benchmarks/bench_image_serialization.py --iters 100
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from rclpy.serialization import deserialize_message, serialize_message
from sensor_msgs.msg import Image

SIZES = ((640, 480), (1280, 720), (1920, 1080))


def mean_ms(action, iters: int) -> float:
    action()
    start = time.perf_counter()
    for _ in range(iters):
        action()
    return (time.perf_counter() - start) / iters * 1e3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--iters', type=int, default=100)
    args = parser.parse_args()
    print('| image | MiB | fill Image.data ms | serialize_message ms | deserialize_message ms '
          '| numpy copy ms |')
    print('|---|---|---|---|---|---|')
    for width, height in SIZES:
        pixels = np.random.default_rng(0).integers(0, 256, (height, width, 3), dtype=np.uint8)
        msg = Image(height=height, width=width, encoding='bgr8', step=width * 3)
        fill = mean_ms(lambda: setattr(msg, 'data', pixels.tobytes()), args.iters)
        serialized = serialize_message(msg)
        serialize = mean_ms(lambda: serialize_message(msg), args.iters)
        deserialize = mean_ms(lambda: deserialize_message(serialized, Image), args.iters)
        copy = mean_ms(lambda: pixels.copy(), args.iters)
        print(f'| {width}x{height} | {pixels.nbytes / 2**20:.1f} | {fill:.2f} | {serialize:.2f} '
              f'| {deserialize:.2f} | {copy:.2f} |')
    return 0


if __name__ == '__main__':
    sys.exit(main())
