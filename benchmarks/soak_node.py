# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Soak test of the tracker node: a real video, looped, for many frames (20 000 by default).

Three processes over DDS (loopback): ``video_publisher`` plays the video as a camera,
``tracker_node`` tracks, and this script watches: the node's resident memory (from /proc) over
time, frames dropped by the latest-frame policy, and end-to-end latency (arrival of each
Detection2DArray minus its image stamp) early versus late in the run. Not part of the test suite.

    .venv/bin/python benchmarks/soak_node.py --frames 20000 --rate 50

``--resize 1920x1080`` plays the video's first 100 frames scaled to that size (written once as BMP
files, which the publisher reads without decoding work) with the init box scaled alike: with a
high ``--rate`` it is the overload run (frames offered faster than the node can take them).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
import signal
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault('ROS_AUTOMATIC_DISCOVERY_RANGE', 'LOCALHOST')
os.environ.setdefault('FASTDDS_DEFAULT_PROFILES_FILE',
                      str(ROOT / 'scripts' / 'fastdds_loopback.xml'))

import rclpy  # noqa: E402
from diagnostic_msgs.msg import DiagnosticArray  # noqa: E402, I100 - after the environment
from vision_msgs.msg import Detection2DArray  # noqa: E402


def rss_mib(pid: int) -> float:
    for line in Path(f'/proc/{pid}/status').read_text().splitlines():
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024
    return float('nan')


def spawn(module, namespace, params, remaps):
    args = [sys.executable, '-m', module, '--ros-args', '-r', f'__ns:={namespace}']
    for key, value in params.items():
        args += ['-p', f'{key}:={value}']
    for old, new in remaps.items():
        args += ['-r', f'{old}:={new}']
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def scaled_frames(video: Path, init_box: str, size: str, folder: Path, count: int = 100):
    """Write the first ``count`` frames of ``video`` scaled to ``size`` as BMP; scale the box."""
    import cv2
    width, height = (int(v) for v in size.lower().split('x'))
    capture = cv2.VideoCapture(str(video))
    sx = sy = None
    for index in range(count):
        ok, frame = capture.read()
        if not ok:
            break
        sx, sy = width / frame.shape[1], height / frame.shape[0]
        cv2.imwrite(str(folder / f'{index:05d}.bmp'), cv2.resize(frame, (width, height)))
    capture.release()
    x, y, w, h = (float(v) for v in init_box.strip('[]').split(','))
    return folder, f'[{x * sx},{y * sy},{w * sx},{h * sy}]'


def trend(stamps, latency, memory, wall_start_ns, parts):
    """Yield one table row per part of the run: latency of its results, RSS at its end."""
    if not stamps:
        return
    t0 = stamps[0]
    span = max(stamps[-1] - t0, 1)
    stamp_array = np.array(stamps)
    rss_times = np.array([wall_start_ns + t * 1e9 for t, _ in memory])
    for part in range(parts):
        lo, hi = t0 + span * part / parts, t0 + span * (part + 1) / parts
        last = part == parts - 1
        upper = (stamp_array <= hi) if last else (stamp_array < hi)
        chosen = latency[(stamp_array >= lo) & upper]
        rss = memory[max(0, int(np.searchsorted(rss_times, hi, side='right')) - 1)][1]
        yield (f'{10 * part}-{10 * (part + 1)} %', str(len(chosen)),
               f'{chosen.mean():.2f}' if len(chosen) else '-',
               f'{np.percentile(chosen, 95):.2f}' if len(chosen) else '-', f'{rss:.0f}')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--frames', type=int, default=20000)
    parser.add_argument('--rate', type=float, default=50.0)
    parser.add_argument('--model', default='nanotrack_v2')
    parser.add_argument('--backend', default='onnxruntime')
    parser.add_argument('--video', type=Path,
                        default=ROOT.parent / 'shared' / 'data' / 'videos' / 'pysot_bag.avi')
    parser.add_argument('--init-box', default='[280.0,180.0,80.0,110.0]')
    parser.add_argument('--resize', default='', help='WIDTHxHEIGHT: scale the frames (and box)')
    args = parser.parse_args()
    if args.resize:
        scratch = tempfile.TemporaryDirectory(prefix='soak_frames_')
        args.video, args.init_box = scaled_frames(args.video, args.init_box, args.resize,
                                                  Path(scratch.name))

    ns = f'/soak_{os.getpid()}'
    tracker = spawn('lite_tracker_ros.ros.tracker_node', ns,
                    {'model': args.model, 'backend': args.backend, 'num_threads': 1},
                    {'image': f'{ns}/camera/image'})
    rclpy.init()
    node = rclpy.create_node('soak_monitor')
    arrivals, diag = {}, {}

    def on_array(msg):
        arrivals[msg.header.stamp.sec * 1_000_000_000 + msg.header.stamp.nanosec] = \
            time.time_ns()

    def on_diag(msg):
        for status in msg.status:
            if status.name == f'{ns}/tracker_node: tracker':
                diag.update({kv.key: kv.value for kv in status.values})

    node.create_subscription(Detection2DArray, f'{ns}/tracker_node/detections', on_array, 100)
    node.create_subscription(DiagnosticArray, '/diagnostics', on_diag, 10)
    while node.count_publishers(f'{ns}/tracker_node/detections') == 0:
        if tracker.poll() is not None:
            print(tracker.stderr.read(), file=sys.stderr)
            return 1
        rclpy.spin_once(node, timeout_sec=0.1)
    publisher = spawn('lite_tracker_ros.ros.video_publisher', ns,
                      {'source': str(args.video), 'rate_hz': args.rate, 'loop': 'true',
                       'max_frames': args.frames, 'init_box': args.init_box,
                       'wait_for_subscribers': 1},
                      {'image': f'{ns}/camera/image', 'init': f'{ns}/tracker_node/init'})
    memory = []  # (seconds since start, RSS MiB)
    start, wall_start_ns = time.monotonic(), time.time_ns()
    next_sample = start
    while publisher.poll() is None:
        rclpy.spin_once(node, timeout_sec=0.05)
        if time.monotonic() >= next_sample:
            memory.append((time.monotonic() - start, rss_mib(tracker.pid)))
            next_sample += 10.0
    end = time.monotonic() + 3.0
    while time.monotonic() < end:
        rclpy.spin_once(node, timeout_sec=0.05)
    memory.append((time.monotonic() - start, rss_mib(tracker.pid)))
    tracker.send_signal(signal.SIGINT)
    tracker.wait(20)
    node.destroy_node()
    rclpy.shutdown()

    stamps = sorted(arrivals)
    latency = np.array([(arrivals[s] - s) / 1e6 for s in stamps])
    k = max(1, min(1000, len(latency) // 4))
    warm = [m for t, m in memory if t >= 30.0] or [m for _, m in memory]
    source = f'{args.video.name} scaled to {args.resize}' if args.resize else args.video.name
    print(f'soak: {args.model} on {args.backend}, {args.frames} frames of {source} at '
          f'{args.rate:g} Hz, {memory[-1][0]:.0f} s\n')
    print(f'- results received: {len(stamps)}; frames dropped by the node: '
          f'{diag.get("frames_dropped", "?")} of {diag.get("frames_received", "?")} received')
    print(f'- node RSS: {memory[0][1]:.0f} MiB at start, {warm[0]:.0f} MiB after 30 s, '
          f'{memory[-1][1]:.0f} MiB at the end (growth after warm-up '
          f'{memory[-1][1] - warm[0]:+.1f} MiB)')
    print(f'- end-to-end latency, first {k} results: mean {latency[:k].mean():.2f} ms, p95 '
          f'{np.percentile(latency[:k], 95):.2f} ms; last {k}: mean {latency[-k:].mean():.2f} '
          f'ms, p95 {np.percentile(latency[-k:], 95):.2f} ms')
    print('\n| part of the run | results | e2e mean ms | p95 ms | node RSS MiB at its end |')
    print('|---|---|---|---|---|')
    for row in trend(stamps, latency, memory, wall_start_ns, parts=10):
        print('| ' + ' | '.join(row) + ' |')
    print()
    print(f'- node diagnostics at the end: inference mean '
          f'{diag.get("latency_ms.inference.mean", "?")} ms, end-to-end p95 '
          f'{diag.get("latency_ms.end_to_end.p95", "?")} ms, bad input '
          f'{diag.get("bad_input_total", "?")}, backend errors {diag.get("backend_errors", "?")}, '
          f'frames processed {diag.get("frames_processed", "?")}, per-frame errors '
          f'{sum(int(v) for k, v in diag.items() if k.startswith("frame_errors.")) or 0}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
