# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
``lite-tracker demo``: a video through the real tracker node, written back annotated.

Three processes over DDS: ``video_publisher`` plays the source as a camera and sends the first
ground-truth box as init, ``tracker_node`` tracks, and this process records frames and
detections, then writes ``annotated.mp4``, ``strip.png`` and ``summary.md``/``summary.json``.
"""

from __future__ import annotations

import os
from pathlib import Path
import signal
import subprocess
import sys
import time

from lite_tracker_ros.backends.registry import backend_names, describe_backends

# models in the order the demo prefers them when none is named: the product's trackers first
PREFERRED_MODELS = ('litetrack_b4', 'litetrack_b6', 'litetrack_b8', 'litetrack_b9', 'mvt',
                    'compresstracker_4', 'fartrack', 'nanotrack_v2', 'nanotrack_v3',
                    'nanotrack_v1')


def add_arguments(parser) -> None:
    parser.add_argument('--source', type=Path,
                        help='video file or image-sequence folder (default: the sample video '
                             'of the registry, fetched once; offline: a generated sample)')
    parser.add_argument('--init-box', help='x,y,w,h in pixels (default: first ground-truth line)')
    parser.add_argument('--model', help='model name (default: the first installed one)')
    parser.add_argument('--backend', default='onnxruntime', choices=backend_names(),
                        help=describe_backends())
    parser.add_argument('--weights', default='', help='weights file (default: the model cache)')
    parser.add_argument('--rate', type=float, default=30.0, help='camera rate in Hz')
    parser.add_argument('--max-frames', type=int, default=0, help='stop after N frames (0: all)')
    parser.add_argument('--out', type=Path, default=Path('out/demo'), help='output folder')
    parser.add_argument('--offline', action='store_true',
                        help='never download: no default model, no sample video')


def _first_installed_model() -> str | None:
    from lite_tracker_ros import model_registry as mr
    registry = mr.load_registry()
    for name in PREFERRED_MODELS:
        try:
            mr.find_file(registry[name], 'checkpoint')
            return name
        except mr.RegistryError:
            continue
    return None


def _spawn(module: str, namespace: str, params: dict, remaps: dict) -> subprocess.Popen:
    args = [sys.executable, '-m', module, '--ros-args', '-r', f'__ns:={namespace}']
    for key, value in params.items():
        if isinstance(value, bool):
            value = 'true' if value else 'false'
        elif isinstance(value, (list, tuple)):
            value = '[' + ','.join(str(float(v)) for v in value) + ']'
        args += ['-p', f'{key}:={value if value != "" else chr(39) * 2}']
    for old, new in remaps.items():
        args += ['-r', f'{old}:={new}']
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _stop(process: subprocess.Popen) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    try:
        out, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        out, _ = process.communicate()
    return out or ''


def run(args) -> int:
    from lite_tracker_ros.launch_arguments import ArgumentError, parse_box
    from lite_tracker_ros.model_registry import RegistryError
    from lite_tracker_ros.sources import first_groundtruth_box, open_frame_source
    from lite_tracker_ros.tools import first_run
    from lite_tracker_ros.tools.demo_recorder import DemoRecorder, write_outputs
    from lite_tracker_ros.tools.sample_sequence import write_sample_sequence

    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    model = args.model or _first_installed_model()
    if model is None:
        try:
            first_run.ensure_model(first_run.DEFAULT_MODEL, args.offline)
        except RegistryError as error:
            print(f'demo: {error}', file=sys.stderr)
            return 1
        model = first_run.DEFAULT_MODEL
    source, sample_box = args.source, None
    if source is None:
        sample = first_run.sample_video(args.offline)
        if sample is not None:
            source, sample_box = first_run.sample_video_path(sample), list(sample.init_box)
            print(f'demo: no --source given, using the sample video {source} ({sample.license})')
        else:
            source = out / 'sample'
            if not (source / 'groundtruth.txt').is_file():
                write_sample_sequence(source)
            print(f'demo: no --source given, using the generated sample {source}')
    gt_file = source / 'groundtruth.txt' if source.is_dir() else None
    if args.init_box:
        try:
            init_box = parse_box('--init-box', args.init_box, kind='option')
        except ArgumentError as error:
            print(f'demo: {error}', file=sys.stderr)
            return 1
    elif sample_box is not None:
        init_box = sample_box
    elif gt_file is not None and gt_file.is_file():
        init_box = list(first_groundtruth_box(gt_file).as_tuple())
    else:
        print('demo: give --init-box x,y,w,h for a source without groundtruth.txt',
              file=sys.stderr)
        return 1
    open_frame_source(source)  # fail early, in one line, if it cannot be read

    namespace = f'/demo_{os.getpid()}'
    tracker = _spawn('lite_tracker_ros.ros.tracker_node', namespace,
                     {'model': model, 'backend': args.backend, 'weights': args.weights},
                     {'image': f'{namespace}/camera/image'})
    recorder = DemoRecorder(namespace)
    if not recorder.wait_for_tracker(tracker, timeout_s=120.0):
        print(f'demo: the tracker node did not start:\n{_stop(tracker)}', file=sys.stderr)
        recorder.close()
        return 1
    publisher = _spawn('lite_tracker_ros.ros.video_publisher', namespace,
                       {'source': str(source), 'rate_hz': args.rate, 'init_box': init_box,
                        'max_frames': args.max_frames, 'wait_for_subscribers': 2},
                       {'image': f'{namespace}/camera/image',
                        'init': f'{namespace}/tracker_node/init'})
    print(f'demo: {model} on {args.backend}, {source} at {args.rate:g} Hz ...')
    started = time.monotonic()
    recorder.record_until(lambda: publisher.poll() is not None)
    recorder.record_for(2.0)  # the last frames' results are still on their way
    logs = _stop(publisher) + _stop(tracker)
    recorder.close()
    summary = write_outputs(recorder, out, model=model, backend=args.backend,
                            groundtruth=gt_file, wall_s=time.monotonic() - started)
    (out / 'node_log.txt').write_text(logs)
    print(summary['text'])
    print(f'demo: wrote {out / "annotated.mp4"}, {out / "strip.png"}, {out / "summary.md"}')
    return 0 if summary['values']['frames_with_result'] > 0 else 1
