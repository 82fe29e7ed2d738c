# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
``lite-tracker export MODEL``: write the model's template and search ONNX graphs, then check them.

The network is built and its weights loaded strictly (``--weights``, default: the model's
checkpoint in the model cache), the two graphs are written (opset 17, static shapes, weights
embedded, metadata naming the model), and both run in ONNX Runtime against torch on random
inputs; the max difference per output is printed. A float32 export whose relative difference
exceeds ``--max-rel-diff`` fails; float16 differences are reported only. The default output
folder is the one ``create_tracker(..., backend='onnxruntime'|'tensorrt')`` looks in.
"""

from __future__ import annotations

from pathlib import Path
import sys

#: a float32 graph that differs from torch by more than this (relative to the output's
#: magnitude) is wrong, not rounded: the conformance exports differ by about 1e-6
DEFAULT_MAX_REL_DIFF = 1e-3


def add_arguments(parser) -> None:
    parser.add_argument('model', help='model name, e.g. litetrack_b4 (lite-tracker models)')
    parser.add_argument('--weights', type=Path,
                        help='checkpoint (.pth.tar or .safetensors); default: the model cache')
    parser.add_argument('--output', type=Path,
                        help='folder for the .onnx files; default: the model cache folder '
                             'create_tracker reads')
    parser.add_argument('--fp16', action='store_true',
                        help='float16 weights and compute, float32 inputs/outputs (for '
                             'onnxruntime CUDA; TensorRT builds FP16 from the float32 graphs)')
    parser.add_argument('--opset', type=int, default=17, help='ONNX opset (>= 17)')
    parser.add_argument('--no-check', action='store_true', help='skip the comparison with torch')
    parser.add_argument('--max-rel-diff', type=float, default=DEFAULT_MAX_REL_DIFF,
                        help='fail a float32 export above this max |diff| / max |torch|')


def _fail(message: str) -> int:
    print(f'lite-tracker export: {message}', file=sys.stderr)
    return 1


def run(args) -> int:
    from lite_tracker_ros import factory, model_registry
    from lite_tracker_ros.export.graph_store import export_folder
    from lite_tracker_ros.errors import LiteTrackerError
    from lite_tracker_ros.export.onnx_export import compare_with_torch, export_onnx
    from lite_tracker_ros.specs import all_specs

    precision = 'fp16' if args.fp16 else 'fp32'
    try:
        weights = args.weights
        if weights is None and args.model in all_specs():  # unknown: load_network says so
            weights = model_registry.find_file(model_registry.get_entry(args.model),
                                               'checkpoint')
        network = factory.load_network(args.model, weights)
        output = args.output or export_folder(args.model, Path(weights))
        graphs = export_onnx(network, output, precision=precision, opset=args.opset)
    except (LiteTrackerError, FileNotFoundError) as error:
        return _fail(str(error))
    for path in (graphs.template, graphs.search):
        print(f'{path}  ({path.stat().st_size / 2**20:.1f} MiB)')
    print(f'cache passed template -> search: {", ".join(graphs.cache)}')
    if args.no_check:
        return 0
    diffs = compare_with_torch(network, graphs)
    print(f'{"output":<28} {"max |onnx - torch|":>20} {"relative":>10}')
    for name, diff in diffs.items():
        print(f'{name:<28} {diff.max_abs:>20.3e} {diff.relative:>10.2e}')
    worst = max(d.relative for d in diffs.values())
    if precision == 'fp32' and worst > args.max_rel_diff:
        return _fail(f'float32 graphs differ from torch by {worst:.2e} (relative) > '
                     f'{args.max_rel_diff:.0e}: the export is wrong')
    return 0
