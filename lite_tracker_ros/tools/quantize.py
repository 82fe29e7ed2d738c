# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
``lite-tracker quantize MODEL --weights W --calibrate SEQUENCES``: static int8 graphs, checked.

1. The float32 pair is exported (or taken from ``--weights`` when it is an export folder).
2. The float32 tracker runs over ``--frames`` frames of the ``--calibrate`` sequences (spread
   over them, each from its first ground-truth box); every graph feed is recorded.
3. The search graph (and with ``--quantize-template`` the template graph) becomes a QDQ int8
   graph calibrated on those feeds (:mod:`lite_tracker_ros.export.int8`); the layers the model
   family keeps in float (measured, see ``KEEP_FLOAT`` and ``OP_TYPES`` there) and
   ``--keep-float`` prefixes stay so.
4. Both trackers run in lockstep on held-back frames: the ``--evaluate`` sequences, or else the
   frames of the calibration sequences after those calibrated on. The report (IoU int8 vs
   fp32 per frame, success AUC of both against the ground truth, score-map error, speed ratio)
   is printed and written beside the graphs. A mean IoU under ``--min-iou`` writes nothing,
   unless ``--force``.

The graphs go to ``--output`` (default: the model-cache folder ``create_tracker`` reads), named
``<model>.template.int8.onnx`` and ``<model>.search.int8.onnx``; ``precision: int8`` loads them.
"""

from __future__ import annotations

import os
from pathlib import Path
import shlex
import shutil
import sys

#: default minimum mean IoU between the int8 and float32 tracks on held-back frames
DEFAULT_MIN_IOU = 0.8
DEFAULT_FRAMES = 64


def add_arguments(parser) -> None:
    parser.add_argument('model', help='model name, e.g. nanotrack_v2 (lite-tracker models)')
    parser.add_argument('--weights', type=Path, required=True,
                        help='checkpoint (.pth/.pth.tar/.safetensors) or an export folder')
    parser.add_argument('--calibrate', type=Path, required=True,
                        help='folder of sequences (or one sequence) to calibrate on')
    parser.add_argument('--calibrate-sequences', default='',
                        help='comma-separated sequence names under --calibrate (default: all)')
    parser.add_argument('--frames', type=int, default=DEFAULT_FRAMES,
                        help='calibration frames in all, spread over the sequences')
    parser.add_argument('--evaluate', type=Path,
                        help='sequences to report on (default: the frames of the calibration '
                             'sequences after the calibration frames)')
    parser.add_argument('--evaluate-sequences', default='',
                        help='comma-separated sequence names under --evaluate (default: all)')
    parser.add_argument('--eval-frames', type=int, default=0,
                        help='at most this many held-back frames per sequence (0: all)')
    parser.add_argument('--output', type=Path,
                        help='folder for the int8 graphs; default: the model cache folder')
    parser.add_argument('--activations', choices=('s8', 'u8'), default='s8',
                        help='s8: symmetric int8, one graph for ONNX Runtime and TensorRT '
                             '(default); u8: faster on x86 ONNX Runtime, refused by TensorRT')
    parser.add_argument('--keep-float', action='append', default=[], metavar='PREFIX',
                        help='keep nodes whose name starts with PREFIX in float32 (repeatable)')
    parser.add_argument('--quantize-all', action='store_true',
                        help='quantize every MatMul/Gemm/Conv, also those the model family '
                             'keeps in float by default (KEEP_FLOAT, OP_TYPES in export/int8.py)')
    parser.add_argument('--quantize-template', action='store_true',
                        help='quantize the template graph too (it runs once per init)')
    parser.add_argument('--min-iou', type=float, default=DEFAULT_MIN_IOU,
                        help='refuse to write when the mean int8/fp32 IoU falls under this')
    parser.add_argument('--force', action='store_true', help='write even under --min-iou')
    parser.add_argument('--threads', type=int, default=0, help='ONNX Runtime CPU threads')


def _fail(message: str) -> int:
    print(f'lite-tracker quantize: {message}', file=sys.stderr)
    return 1


def _names(text: str) -> list[str] | None:
    names = [n.strip() for n in text.split(',') if n.strip()]
    return names or None


def _fp32_pair(model: str, weights: Path):
    from lite_tracker_ros import factory
    from lite_tracker_ros.export.graph_store import resolve_graphs

    return resolve_graphs(model, weights, 'fp32', lambda: factory.load_network(model, weights))


def _segments(args, calibration, sequences):
    from lite_tracker_ros.core.types import BoxXYWH
    from lite_tracker_ros.evaluation.calibration import first_box_index
    from lite_tracker_ros.evaluation.int8_agreement import Segment
    from lite_tracker_ros.evaluation.sequences import discover_sequences

    limit = args.eval_frames if args.eval_frames > 0 else None
    segments = []
    if args.evaluate is not None:
        for sequence in discover_sequences(args.evaluate, _names(args.evaluate_sequences)):
            groundtruth = sequence.groundtruth()
            start = first_box_index(sequence, groundtruth)
            end = sequence.n_frames if limit is None else min(sequence.n_frames, start + limit + 1)
            segments.append(Segment(sequence, start, end,
                                    BoxXYWH(*(float(v) for v in groundtruth[start]))))
        return segments
    for sequence in sequences:
        start = calibration.frames[sequence.name][1]  # first frame not calibrated on
        end = sequence.n_frames if limit is None else min(sequence.n_frames, start + limit + 1)
        if end - start < 2:
            continue
        row = sequence.groundtruth()[start]
        box = BoxXYWH(*(float(v) for v in row)) if all(v == v for v in row) \
            else calibration.last_box[sequence.name]
        segments.append(Segment(sequence, start, end, box))
    return segments


def _keep_float(args, family: str, search_graph: Path) -> tuple[str, ...]:
    import onnx

    from lite_tracker_ros.export.int8 import KEEP_FLOAT
    defaults = () if args.quantize_all else KEEP_FLOAT.get(family, ())
    prefixes = list(args.keep_float) + list(defaults)
    if not prefixes:
        return ()
    names = [n.name for n in onnx.load(str(search_graph), load_external_data=False).graph.node]
    return tuple(n for n in names if any(n.startswith(p) for p in prefixes))


def run(args) -> int:
    from lite_tracker_ros import factory
    from lite_tracker_ros.backends.onnxruntime_backend import OnnxRuntimeBackend
    from lite_tracker_ros.evaluation.calibration import collect_feeds
    from lite_tracker_ros.evaluation.int8_agreement import compare
    from lite_tracker_ros.evaluation.sequences import discover_sequences, SequenceError
    from lite_tracker_ros.export import int8
    from lite_tracker_ros.export.graph_store import is_graph_source
    from lite_tracker_ros.export.metadata import graph_paths, GraphMetadataError
    from lite_tracker_ros.model_registry import RegistryError
    from lite_tracker_ros.specs import all_specs

    if args.model not in all_specs():
        return _fail(f'unknown model {args.model!r}; known models: '
                     f'{", ".join(sorted(all_specs()))}')
    if args.frames < 1:
        return _fail('--frames must be at least 1')
    if not args.weights.exists():
        return _fail(f'weights {args.weights} not found; give a checkpoint or an export folder')
    spec = all_specs()[args.model]
    try:
        template32, search32 = _fp32_pair(args.model, args.weights)
        sequences = discover_sequences(args.calibrate, _names(args.calibrate_sequences))
    except (FileNotFoundError, RegistryError, SequenceError, ValueError) as error:
        return _fail(str(error))
    output = args.output
    if output is None:
        output = args.weights if is_graph_source(args.weights) else template32.parent
        output = output if output.is_dir() else output.parent

    def make_tracker(backend):
        return factory.build_tracker(spec.name, backend)

    fp32 = OnnxRuntimeBackend(template32, search32, num_threads=args.threads)
    print(f'calibrating on {args.frames} frames of {len(sequences)} sequence(s) with the fp32 '
          'tracker', file=sys.stderr)
    try:
        calibration = collect_feeds(make_tracker, fp32, sequences, args.frames)
        segments = _segments(args, calibration, sequences)
    except SequenceError as error:
        return _fail(str(error))
    if not segments:
        return _fail('no held-back frames to check the int8 tracker on: give --evaluate '
                     'sequences or lower --frames')
    scratch = Path(output) / f'.{args.model}.int8.partial'
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    try:
        template8, search8 = graph_paths(scratch, args.model, 'int8')
        source = tuple(calibration.frames)
        excluded = _keep_float(args, spec.family, search32)
        op_types = int8.DEFAULT_OP_TYPES if args.quantize_all \
            else int8.OP_TYPES.get(spec.family, int8.DEFAULT_OP_TYPES)
        try:
            info = int8.quantize_graph(search32, search8, calibration.search_feeds,
                                       args.activations, op_types, excluded, source)
            if args.quantize_template:
                int8.quantize_graph(template32, template8, calibration.template_feeds,
                                    args.activations, source=source)
            else:
                int8.keep_float(template32, template8)
        except (int8.QuantizationError, GraphMetadataError) as error:
            return _fail(str(error))
        print(f'quantized {search32.name}: {info.activations} activations, '
              f'{"/".join(info.op_types)} inputs, {len(info.excluded)} node(s) kept float, '
              f'{info.calibration_feeds} feeds',
              file=sys.stderr)
        quantized = OnnxRuntimeBackend(template8, search8, num_threads=args.threads)
        report = compare(make_tracker, fp32, quantized, segments)
        lines = report.lines()
        print('\n'.join(lines))
        if report.mean_iou < args.min_iou and not args.force:
            return _fail(f'mean IoU int8 vs fp32 {report.mean_iou:.3f} < --min-iou '
                         f'{args.min_iou}: nothing written (keep more layers float with '
                         '--keep-float, calibrate on more frames, or --force)')
        final = graph_paths(output, args.model, 'int8')
        for path, target in zip((template8, search8), final):
            os.replace(path, target)
        command = shlex.join(['lite-tracker', 'quantize'] + sys.argv[2:]) \
            if len(sys.argv) > 1 and sys.argv[1] == 'quantize' else 'lite-tracker quantize'
        report_file = Path(output) / f'{args.model}.int8.report.txt'
        report_file.write_text(f'Command: {command}\n' + '\n'.join(lines) + '\n')
        for path in final + (report_file,):
            print(path)
        return 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
