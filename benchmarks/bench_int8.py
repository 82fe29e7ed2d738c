# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
INT8 (QDQ) search graphs against float32 on this CPU: error, speed, and the int8 GEMM peak.

For each model given as ``NAME=EXPORT_FOLDER`` (a float32 pair from ``lite-tracker export``):

* the float32 tracker runs over ``--frames`` frames of the calibration sequences and over as
  many of the held-out sequences, recording every search feed (``evaluation/calibration.py``);
* each variant (``ACT:OPS:KEEP``, e.g. ``s8:MatMul+Gemm+Conv:/box_head``: activation type, op
  types quantized or ``all`` that ONNX Runtime can, node-name prefixes kept float) is quantized
  on the calibration feeds and compared with float32 on the held-out feeds: mean over feeds of
  max|int8 - fp32| / max|fp32| per output;
* float32 and every variant are timed interleaved (round-robin, rotating order: a shared
  machine's load hits them alike) on one held-out feed at each ``--threads`` count; medians;
* the ops left after ONNX Runtime's graph optimisations (which int8 kernels run).

The int8 GEMM peak is measured with a one-node ONNX Runtime graph
(``MatMulInteger``: uint8 x int8 -> int32, what VNNI's ``vpdpbusd`` computes) beside the fp32
``MatMul`` peak of the same runtime and the project's SGEMM peak (``evaluation/sgemm.py``), all
``--gemm-size`` cubed, best of ``--gemm-repeats``.
Nothing is asserted: this measures.

    nice -n 5 .venv/bin/python benchmarks/bench_int8.py litetrack_b4=/tmp/b4 --threads 1 2
"""

from __future__ import annotations

import argparse
import collections
from pathlib import Path
import tempfile
import time

import numpy as np
import onnx
from onnx import helper, TensorProto
import onnxruntime as ort
from timing import interleaved  # benchmarks/timing.py

from lite_tracker_ros import factory
from lite_tracker_ros.backends.onnxruntime_backend import OnnxRuntimeBackend, session_options
from lite_tracker_ros.evaluation.calibration import collect_feeds
from lite_tracker_ros.evaluation.sequences import discover_sequences
from lite_tracker_ros.evaluation.sgemm import measure_sgemm_peak
from lite_tracker_ros.export import int8

SOT = Path(__file__).resolve().parents[2] / 'shared' / 'data' / 'sot'


def gemm_peaks(size: int, repeats: int, threads: int) -> dict[str, float]:
    """Best GOP/s of one-node fp32 MatMul and uint8 x int8 MatMulInteger graphs in ORT."""
    graphs = {
        'fp32 MatMul': (TensorProto.FLOAT, TensorProto.FLOAT, TensorProto.FLOAT, 'MatMul',
                        np.float32, np.float32),
        'int8 MatMulInteger (u8 x s8)': (TensorProto.UINT8, TensorProto.INT8, TensorProto.INT32,
                                         'MatMulInteger', np.uint8, np.int8)}
    rng = np.random.default_rng(0)
    peaks = {}
    for label, (a_type, b_type, out_type, op, a_np, b_np) in graphs.items():
        node = helper.make_node(op, ['a', 'b'], ['c'])
        graph = helper.make_graph([node], 'gemm', [
            helper.make_tensor_value_info('a', a_type, [size, size]),
            helper.make_tensor_value_info('b', b_type, [size, size])],
            [helper.make_tensor_value_info('c', out_type, [size, size])])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17)], ir_version=8)
        session = ort.InferenceSession(model.SerializeToString(), session_options(threads, False),
                                       providers=['CPUExecutionProvider'])
        feed = {'a': (rng.random((size, size)) * 100).astype(a_np),
                'b': (rng.random((size, size)) * 100 - 50).astype(b_np)}
        session.run(None, feed)
        best = min(_timed(lambda: session.run(None, feed)) for _ in range(repeats))
        peaks[label] = 2.0 * size ** 3 / best / 1e9
    return peaks


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def optimised_ops(path: Path, threads: int) -> str:
    with tempfile.TemporaryDirectory() as scratch:
        options = session_options(threads, False)
        options.optimized_model_filepath = str(Path(scratch) / 'optimised.onnx')
        ort.InferenceSession(str(path), options, providers=['CPUExecutionProvider'])
        model = onnx.load(options.optimized_model_filepath, load_external_data=False)
    counts = collections.Counter(n.op_type for n in model.graph.node)
    return ', '.join(f'{op} {n}' for op, n in counts.most_common(8))


def bench_model(name: str, folder: Path, args) -> None:
    template, search = folder / f'{name}.template.onnx', folder / f'{name}.search.onnx'
    fp32 = OnnxRuntimeBackend(template, search, num_threads=1)

    def make_tracker(backend):
        return factory.build_tracker(name, backend)
    calibration = collect_feeds(make_tracker, fp32, discover_sequences(SOT, args.calibrate),
                                args.frames)
    held_out = collect_feeds(make_tracker, fp32, discover_sequences(SOT, args.evaluate),
                             args.frames)
    names = [n.name for n in onnx.load(str(search), load_external_data=False).graph.node]
    variants = {}
    scratch = Path(tempfile.mkdtemp(prefix='bench_int8_'))
    print(f'\n### {name} ({len(calibration.search_feeds)} calibration feeds from '
          f'{",".join(args.calibrate)}; {len(held_out.search_feeds)} held-out feeds from '
          f'{",".join(args.evaluate)})\n')
    reference = ort.InferenceSession(str(search), session_options(1, False),
                                     providers=['CPUExecutionProvider'])
    outputs = [o.name for o in reference.get_outputs()]
    expected = [reference.run(None, feed) for feed in held_out.search_feeds]
    print('| variant | nodes kept float | ' + ' | '.join(f'{o} rel. error' for o in outputs)
          + ' | ops after ORT optimisation (1 thread) |')
    print('|---|---|' + '---|' * len(outputs) + '---|')
    for variant in args.variants:
        activations, ops, keep = variant.split(':')
        prefixes = [p for p in keep.split('+') if p]
        excluded = [n for n in names if any(n.startswith(p) for p in prefixes)]
        path = scratch / f'{len(variants)}.onnx'
        int8.quantize_graph(search, path, calibration.search_feeds, activations,
                            op_types=None if ops == 'all' else ops.split('+'),
                            exclude=excluded)
        session = ort.InferenceSession(str(path), session_options(1, False),
                                       providers=['CPUExecutionProvider'])
        errors = np.mean([[float(np.abs(g - e).max() / max(np.abs(e).max(), 1e-12))
                           for g, e in zip(session.run(None, feed), ref)]
                          for feed, ref in zip(held_out.search_feeds, expected)], axis=0)
        variants[variant] = path
        print(f'| `{variant}` | {len(excluded)} | ' + ' | '.join(f'{e:.4f}' for e in errors)
              + f' | {optimised_ops(path, 1)} |')
    feed = held_out.search_feeds[len(held_out.search_feeds) // 2]
    print('\n| threads | fp32 ms | ' + ' | '.join(f'`{v}` ms (int8/fp32)' for v in variants)
          + ' |')
    print('|---|---|' + '---|' * len(variants))
    for threads in args.threads:
        sessions = {'fp32': ort.InferenceSession(str(search), session_options(threads, False),
                                                 providers=['CPUExecutionProvider'])}
        for variant, path in variants.items():
            sessions[variant] = ort.InferenceSession(str(path), session_options(threads, False),
                                                     providers=['CPUExecutionProvider'])
        times = interleaved({k: (lambda s=s: s.run(None, feed)) for k, s in sessions.items()},
                            args.iters, warmup=2)
        medians = {k: float(np.median(t)) for k, t in times.items()}
        base = medians['fp32']
        print(f'| {threads} | {1e3 * base:.1f} | ' + ' | '.join(
            f'{1e3 * medians[v]:.1f} ({medians[v] / base:.3f})' for v in variants) + ' |')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[1])
    parser.add_argument('models', nargs='*', help='NAME=EXPORT_FOLDER')
    parser.add_argument('--variants', nargs='+', default=['s8:MatMul+Gemm+Conv:'])
    parser.add_argument('--calibrate', type=lambda s: s.split(','),
                        default=['Couple', 'Crossing', 'Deer', 'Diving'])
    parser.add_argument('--evaluate', type=lambda s: s.split(','),
                        default=['Human7', 'Jogging', 'Skiing', 'vot_bag'])
    parser.add_argument('--frames', type=int, default=24)
    parser.add_argument('--threads', type=int, nargs='+', default=[1, 2])
    parser.add_argument('--iters', type=int, default=15)
    parser.add_argument('--gemm-size', type=int, default=1024)
    parser.add_argument('--gemm-repeats', type=int, default=10)
    args = parser.parse_args()
    print(f'onnxruntime {ort.__version__}; medians of {args.iters} interleaved runs')
    for threads in args.threads:
        peaks = gemm_peaks(args.gemm_size, args.gemm_repeats, threads)
        print(f'GEMM peak {args.gemm_size}^3, {threads} thread(s), best of '
              f'{args.gemm_repeats}: ' + '; '.join(f'{k} {v:.1f} GOP/s' for k, v in peaks.items()))
        print(f'SGEMM peak (evaluation/sgemm.py), {threads} thread(s): '
              + measure_sgemm_peak(args.gemm_size, args.gemm_repeats, threads).describe())
    for item in args.models:
        name, folder = item.split('=', 1)
        bench_model(name, Path(folder), args)


if __name__ == '__main__':
    main()
