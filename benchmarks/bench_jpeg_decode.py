# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
What decoding a CompressedImage costs, whole versus at reduced scale (OpenCV's DCT scaling).

The node decodes every JPEG whole, while the tracker reads only a crop that it shrinks to 128-256
pixels; this measures how much a reduced decode would save, to decide whether it is worth it.

    .venv/bin/python benchmarks/bench_jpeg_decode.py --iters 30
"""

from __future__ import annotations

import argparse
from pathlib import Path
import sys
import time

import cv2

ROOT = Path(__file__).resolve().parents[1]
FLAGS = (('whole', cv2.IMREAD_COLOR), ('1/2', cv2.IMREAD_REDUCED_COLOR_2),
         ('1/4', cv2.IMREAD_REDUCED_COLOR_4))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--iters', type=int, default=30)
    parser.add_argument('--video', type=Path,
                        default=ROOT.parent / 'shared' / 'data' / 'videos' / 'pysot_bag.avi')
    parser.add_argument('--quality', type=int, default=90)
    args = parser.parse_args()
    ok, frame = cv2.VideoCapture(str(args.video)).read()
    if not ok:
        print(f'cannot read a frame from {args.video}', file=sys.stderr)
        return 1
    print('| image | JPEG KiB | ' + ' | '.join(f'decode {name} ms' for name, _ in FLAGS) + ' |')
    print('|---|---|' + '---|' * len(FLAGS))
    for width, height in ((640, 480), (1280, 720), (1920, 1080)):
        image = cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA)
        data = cv2.imencode('.jpg', image, [cv2.IMWRITE_JPEG_QUALITY, args.quality])[1]
        cells = []
        for _, flag in FLAGS:
            cv2.imdecode(data, flag)
            start = time.perf_counter()
            for _ in range(args.iters):
                cv2.imdecode(data, flag)
            cells.append(f'{(time.perf_counter() - start) / args.iters * 1e3:.2f}')
        print(f'| {width}x{height} | {data.size // 1024} | ' + ' | '.join(cells) + ' |')
    return 0


if __name__ == '__main__':
    sys.exit(main())
