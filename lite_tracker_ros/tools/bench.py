# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
``lite-tracker bench MODEL [MODEL...]``: per-stage latency, fps, peak memory and FLOP efficiency.

For every model and backend: template-path (``init``) and search-path (``update``) latency with
mean, p50 and p95, the search path's stages, fps, peak resident memory (and CUDA memory on a
CUDA device), FLOPs per path, and the achieved fraction of the machine's SGEMM peak measured in
the same run. Prints a markdown fragment; ``--out FILE`` writes it too. Measures, never judges.
"""

from __future__ import annotations

from pathlib import Path
import shlex
import sys
import tempfile

from lite_tracker_ros.evaluation.weights_option import (
    add_model_arguments, backend_list, weights_per_model, write_untrained_weights)


def add_arguments(parser) -> None:
    add_model_arguments(parser)
    parser.add_argument('--untrained', action='store_true',
                        help='models without --weights get default-initialised weights: '
                             'latency and FLOPs before any download (never for accuracy)')
    parser.add_argument('--threads', type=int, default=0,
                        help='CPU threads for the backends and the SGEMM peak (0: defaults)')
    parser.add_argument('--source', type=Path,
                        help='one sequence folder to take frames from (default: a generated '
                             'frame)')
    parser.add_argument('--iters', type=int, default=50, help='timed updates per model')
    parser.add_argument('--template-iters', type=int, default=20, help='timed inits per model')
    parser.add_argument('--warmup', type=int, default=5, help='untimed init+update pairs first')
    parser.add_argument('--sgemm-size', type=int, default=1024,
                        help='side of the square matmul measuring the SGEMM peak (0: skip)')
    parser.add_argument('--in-process', action='store_true',
                        help='run every model in this process (peak RSS then accumulates)')
    parser.add_argument('--out', type=Path, help='also write the markdown to this file')


def _command(args) -> str:
    words = ['lite-tracker', 'bench', *args.models, '--backend', args.backend]
    for flag, value, default in (('--device', args.device, 'cpu'),
                                 ('--threads', args.threads, 0),
                                 ('--source', args.source, None),
                                 ('--iters', args.iters, 50),
                                 ('--template-iters', args.template_iters, 20),
                                 ('--warmup', args.warmup, 5),
                                 ('--sgemm-size', args.sgemm_size, 1024)):
        if value != default:
            words += [flag, str(value)]
    for value in args.weights or ():
        words += ['--weights', value]
    if args.untrained:
        words.append('--untrained')
    if args.in_process:
        words.append('--in-process')
    if args.out:
        words += ['--out', str(args.out)]
    return shlex.join(words)


def run(args) -> int:
    try:
        weights = weights_per_model(args.weights, args.models)
    except ValueError as error:
        print(f'lite-tracker bench: {error}', file=sys.stderr)
        return 2
    if min(args.iters, args.template_iters) < 1 or args.warmup < 0:
        print('lite-tracker bench: --iters and --template-iters must be >= 1, --warmup >= 0',
              file=sys.stderr)
        return 2
    untrained = [m for m in args.models if args.untrained and weights[m] is None]
    if not untrained:
        return _bench(args, weights, untrained)
    with tempfile.TemporaryDirectory(prefix='lite_tracker_untrained_') as folder:
        from lite_tracker_ros.factory import TrackerCreationError
        try:
            for model in untrained:
                weights[model] = write_untrained_weights(model, Path(folder))
        except TrackerCreationError as error:
            print(f'lite-tracker bench: {error}', file=sys.stderr)
            return 1
        return _bench(args, weights, untrained)


def _bench(args, weights: dict, untrained: list) -> int:
    from lite_tracker_ros.evaluation.bench import bench_isolated, bench_one, BenchConfig
    from lite_tracker_ros.evaluation.bench_report import bench_markdown
    from lite_tracker_ros.evaluation.sequences import SequenceError
    from lite_tracker_ros.evaluation.sgemm import measure_sgemm_peak
    from lite_tracker_ros.factory import TrackerCreationError

    backends = backend_list(args.backend)
    configs = [BenchConfig(model, backend, args.device,
                           str(weights[model]) if weights[model] else '', args.threads, args.iters,
                           args.template_iters, args.warmup,
                           str(args.source) if args.source else '')
               for model in args.models for backend in backends]
    peaks = []

    def measure_peak() -> None:
        if args.sgemm_size > 0:
            print(f'bench: measuring the SGEMM peak ({args.sgemm_size}^2) ...', file=sys.stderr)
            peaks.append(measure_sgemm_peak(args.sgemm_size, repeats=10, threads=args.threads,
                                            device=args.device))
    measure_peak()
    results, failed = [], []
    for config in configs:
        print(f'bench: {config.model}/{config.backend} ...', file=sys.stderr)
        try:
            results.append(bench_one(config) if args.in_process else bench_isolated(config))
        except (TrackerCreationError, SequenceError, FileNotFoundError) as error:
            failed.append(f'{config.model}/{config.backend}: {error}')
    for message in failed:
        print(f'lite-tracker bench: {message}', file=sys.stderr)
    if not results:
        return 1
    measure_peak()  # again: load from other processes may have lowered the first one
    text = bench_markdown(results, peaks, _command(args), isolated=not args.in_process)
    if untrained:
        text += (f'\nWeights of {", ".join(untrained)}: untrained (default initialisation, '
                 'seed 0); the times and FLOPs hold for the trained weights too.\n')
    print(text, end='')
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    return 1 if failed else 0
