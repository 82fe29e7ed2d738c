# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
What the ROS node adds on top of the tracker: end-to-end latency minus the tracker's own time.

The tracker node runs in its own process over DDS (loopback, shared memory). This script
publishes frames one at a time (lockstep, so nothing queues or drops) with the publishing time as
stamp, receives the Detection2DArray, and takes end-to-end = arrival - stamp. The node's
/diagnostics give the tracker's update time (preprocess + inference + postprocess) over the
same frames, so overhead = end-to-end - update: transport both ways, image conversion,
message building and thread hand-over.

    .venv/bin/python benchmarks/bench_node_overhead.py --frames 200
    .venv/bin/python benchmarks/bench_node_overhead.py --sizes 1920x1080 --compressed \
        --reduced-decode-margin 2

``--compressed`` publishes each frame as a JPEG (quality 90) on ``image/compressed``; the target
is then a box of a quarter of the image's height, so the search crop is large enough for reduced
decoding to apply (``--reduced-decode-margin 0`` decodes every frame whole, as before);
``--target-px 64`` tracks a small target instead, where only the region decode
(``--region-decode 1``, the default; needs libturbojpeg) saves work.

Run it through the loopback setup (scripts/test.sh sets the same environment):
ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST and
FASTDDS_DEFAULT_PROFILES_FILE=scripts/fastdds_loopback.xml.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
import sys
import time

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'test' / 'ros'))
os.environ.setdefault('ROS_AUTOMATIC_DISCOVERY_RANGE', 'LOCALHOST')
os.environ.setdefault('FASTDDS_DEFAULT_PROFILES_FILE',
                      str(ROOT / 'scripts' / 'fastdds_loopback.xml'))

from diagnostic_msgs.msg import DiagnosticArray  # noqa: E402, I100 - after the environment
from rclpy.qos import qos_profile_sensor_data  # noqa: E402
from ros_harness import image_message, RosClient, stamp_of, TrackerProcess  # noqa: E402
from sensor_msgs.msg import CompressedImage, Image  # noqa: E402
from vision_msgs.msg import Detection2D, Detection2DArray  # noqa: E402

from lite_tracker_ros.sources import open_frame_source  # noqa: E402


def _compressed_message(image):
    msg = CompressedImage(format='jpeg')
    msg.data = cv2.imencode('.jpg', image, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()
    msg.header.frame_id = 'bench'
    return msg


def measure(size, frames, params, source, compressed=False, target_px=None):
    width, height = size
    tracker = TrackerProcess(f'/bench_{width}x{height}_{os.getpid()}', params)
    client = RosClient(f'overhead_{width}x{height}')
    try:
        node = client.node
        pub = node.create_publisher(CompressedImage if compressed else Image,
                                    f'{tracker.namespace}/image'
                                    + ('/compressed' if compressed else ''),
                                    qos_profile_sensor_data)
        init_pub = node.create_publisher(Detection2D, tracker.topic('init'), 10)
        arrivals, diags = {}, []
        node.create_subscription(Detection2DArray, tracker.topic('detections'),
                                 lambda m: arrivals.setdefault(stamp_of(m), time.time_ns()), 100)
        node.create_subscription(
            DiagnosticArray, '/diagnostics',
            lambda m: diags.extend(s for s in m.status
                                   if s.name == f'{tracker.namespace}/tracker_node: tracker'), 10)
        assert client.spin_until(lambda: pub.get_subscription_count() > 0
                                 and node.count_publishers(tracker.topic('detections')) > 0,
                                 120), 'tracker node did not start'
        images = []
        reader = open_frame_source(source, loop=True)
        # distinct frames (then looped): 300, or fewer where they would pass ~1 GiB (4K)
        for _ in range(min(frames, 300, max(10, 2**30 // (width * height * 3 * 2)))):
            images.append(cv2.resize(reader.read(), (width, height)))

        messages = [_compressed_message(image) if compressed else image_message(image, 0, 'bench')
                    for image in images]

        def send(i):
            # stamped just before publishing, as a driver stamps a finished message: building
            # the message is the camera's cost, not the node's
            msg = messages[i % len(messages)]
            msg.header.stamp.sec, msg.header.stamp.nanosec = divmod(time.time_ns(), 10**9)
            pub.publish(msg)
            if not client.spin_until(lambda: stamp_of(msg) in arrivals, 10.0):
                raise RuntimeError('no result within 10 s')
            return msg

        first = send(0)
        init = Detection2D()
        init.header = first.header
        init.bbox.center.position.x, init.bbox.center.position.y = width / 2, height / 2
        side = target_px or (height / 4 if compressed else None)
        init.bbox.size_x, init.bbox.size_y = (side, side) if side else (width / 8, height / 8)
        init_pub.publish(init)
        client.spin_for(1.0)
        for i in range(10):  # warm-up
            send(i)
        stamps = [stamp_of(send(i)) for i in range(len(messages), len(messages) + frames)]
        diags.clear()
        client.spin_until(lambda: diags, 5.0)
    finally:
        client.close()
        tracker.stop()
    e2e_ms = np.array([(arrivals[s] - s) / 1e6 for s in stamps])
    values = {kv.key: float(kv.value) for kv in diags[-1].values
              if kv.key.startswith('latency_ms.')}
    stages = ('preprocess', 'inference', 'postprocess')
    update = sum(values[f'latency_ms.{stage}.mean'] for stage in stages)
    return {
        'size': f'{width}x{height}', 'frames': frames,
        'e2e_mean': e2e_ms.mean(), 'e2e_p50': np.percentile(e2e_ms, 50),
        'e2e_p95': np.percentile(e2e_ms, 95), 'update_mean': update,
        'conversion_mean': values['latency_ms.conversion.mean'],
        'receive_mean': values['latency_ms.receive_delay.mean'],
        'in_node_mean': (values['latency_ms.end_to_end.mean']
                         - values['latency_ms.receive_delay.mean'] - update),
        'overhead_mean': e2e_ms.mean() - update,
        'overhead_p50': np.percentile(e2e_ms, 50) - update,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--frames', type=int, default=200)
    parser.add_argument('--model', default='nanotrack_v2')
    parser.add_argument('--backend', default='onnxruntime')
    parser.add_argument('--weights', default='')
    parser.add_argument('--source', type=Path,
                        default=ROOT.parent / 'shared' / 'data' / 'videos' / 'pysot_bag.avi')
    parser.add_argument('--sizes', default='640x480,1920x1080',
                        help='comma-separated WIDTHxHEIGHT list')
    parser.add_argument('--compressed', action='store_true',
                        help='publish JPEG CompressedImage instead of raw Image')
    parser.add_argument('--reduced-decode-margin', type=float, default=2.0)
    parser.add_argument('--region-decode', type=int, choices=(0, 1), default=1,
                        help='compressed input: decode only the search region (libturbojpeg)')
    parser.add_argument('--target-px', type=float, default=None,
                        help='side of the square target (default: a quarter of the height with '
                             '--compressed, else an eighth of the width and height)')
    args = parser.parse_args()
    params = {'model': args.model, 'backend': args.backend, 'weights': args.weights,
              'num_threads': 1, 'diagnostics_period_s': 0.5}
    if args.compressed:
        params.update(use_compressed=True, reduced_decode_margin=args.reduced_decode_margin,
                      region_decode=bool(args.region_decode))
    sizes = [tuple(int(v) for v in s.split('x')) for s in args.sizes.split(',')]
    rows = [measure(size, args.frames, params, args.source, args.compressed, args.target_px)
            for size in sizes]
    kind = (f'JPEG, reduced_decode_margin {args.reduced_decode_margin:g}, region_decode '
            f'{args.region_decode}' if args.compressed else 'raw bgr8')
    if args.target_px:
        kind += f', target {args.target_px:g} px'

    print(f'model {args.model} on {args.backend}, 1 inference thread, lockstep, '
          f'{args.frames} frames per size, {kind}, '
          f'profile {os.environ["FASTDDS_DEFAULT_PROFILES_FILE"]}\n')
    print('| image | end-to-end mean / p50 / p95 ms | tracker update mean ms | '
          'overhead (e2e - update) mean / p50 ms | of which: image in (stamp to callback) | '
          'in the node besides update | result out | image conversion |')
    print('|---|---|---|---|---|---|---|---|')
    for r in rows:
        print(f'| {r["size"]} | {r["e2e_mean"]:.2f} / {r["e2e_p50"]:.2f} / {r["e2e_p95"]:.2f} | '
              f'{r["update_mean"]:.2f} | {r["overhead_mean"]:.2f} / {r["overhead_p50"]:.2f} | '
              f'{r["receive_mean"]:.2f} | {r["in_node_mean"]:.2f} | '
              f'{r["overhead_mean"] - r["receive_mean"] - r["in_node_mean"]:.2f} | '
              f'{r["conversion_mean"]:.3f} |')
    return 0


if __name__ == '__main__':
    sys.exit(main())
