# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
LiteTrack-B4 search path on this CPU: torch eager against ONNX Runtime, at equal thread counts.

One run measures, for each thread count:

* the search path (``forward_search`` on a cached template: 2 search-only blocks, 2 interaction
  blocks, the centre head) in torch eager (``inference_mode``) and through
  ``OnnxRuntimeBackend`` (ORT_ENABLE_ALL) with and without spin-waiting threads;
* the machine's SGEMM peak at the same thread count: the best of a 2048^3 float32 matmul in
  torch (its BLAS) and in ONNX Runtime (MLAS, a one-node MatMul graph);
* the FLOPs of the search path (``torch.utils.flop_counter.FlopCounterMode``: matmuls, linears
  and convolutions, 2 per multiply-add), hence the achieved GFLOP/s and fraction of peak.

Variants are timed interleaved (round-robin, rotating order) so that the load of a shared
machine affects them alike. ``--profile`` adds ONNX Runtime's per-operator profile and the ops
left after its graph optimisations; ``--write FILE`` writes the results as a markdown fragment.
Weights: the conformance pack's when ../shared is present (timing does not depend on them),
else seeded random ones. Nothing is asserted: this measures.

    .venv/bin/python benchmarks/bench_backends_cpu.py --iters 30 --threads 1 2 --profile \
        --write docs/bench_backends_cpu.md
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import json
import os
from pathlib import Path
import platform
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from timing import interleaved  # benchmarks/timing.py
import torch
from torch.utils.flop_counter import FlopCounterMode

from lite_tracker_ros.backends.onnxruntime_backend import OnnxRuntimeBackend, session_options
from lite_tracker_ros.export.onnx_export import export_onnx
from lite_tracker_ros.factory import load_network
from lite_tracker_ros.networks.litetrack import LiteTrackNetwork
from lite_tracker_ros.specs import get_spec

MODEL = 'litetrack_b4'
#: ``--write`` replaces the measured part of the file and keeps everything after this line
ANALYSIS_MARKER = '<!-- analysis: kept by bench_backends_cpu.py --write -->'
SHARED = Path(__file__).resolve().parents[2] / 'shared' / 'conformance'


def build_network() -> tuple[LiteTrackNetwork, str]:
    network = LiteTrackNetwork(get_spec(MODEL)).eval()
    if (SHARED / f'{MODEL}.npz').is_file():
        spec = importlib.util.spec_from_file_location('synth_weights', SHARED / 'synth_weights.py')
        synth = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(synth)
        seed = json.loads(str(np.load(SHARED / f'{MODEL}.npz')['meta']))['seed']
        state = synth.make_state_dict(synth.read_manifest(SHARED / f'{MODEL}.manifest.tsv'), seed)
        network = load_network(MODEL, {k: torch.from_numpy(v) for k, v in state.items()})
        return network, 'conformance pack weights'
    torch.manual_seed(0)
    for p in network.parameters():
        torch.nn.init.normal_(p, std=0.02)
    return network, 'seeded random weights'


def matmul_graph(n: int) -> bytes:
    h = onnx.helper
    graph = h.make_graph([h.make_node('MatMul', ['a', 'b'], ['c'])], 'sgemm',
                         [h.make_tensor_value_info(x, onnx.TensorProto.FLOAT, [n, n])
                          for x in 'ab'],
                         [h.make_tensor_value_info('c', onnx.TensorProto.FLOAT, [n, n])])
    model = h.make_model(graph, opset_imports=[h.make_opsetid('', 17)], ir_version=8)
    return model.SerializeToString()


def sgemm_peaks(threads: int, n: int = 2048, reps: int = 10) -> dict[str, float]:
    """Best GFLOP/s of an n^3 float32 matmul: torch's BLAS and ONNX Runtime's MLAS."""
    torch.set_num_threads(threads)
    a, b = torch.randn(n, n), torch.randn(n, n)
    session = ort.InferenceSession(matmul_graph(n), session_options(threads),
                                   providers=['CPUExecutionProvider'])
    feed = {'a': a.numpy(), 'b': b.numpy()}
    with torch.inference_mode():
        times = interleaved({'torch': lambda: torch.mm(a, b),
                             'ort': lambda: session.run(None, feed)}, reps, 2)
    return {name: 2 * n ** 3 / t.min() / 1e9 for name, t in times.items()}


#: (M, K, N) of the search path's matmuls: qkv, attention output, MLP in, MLP out (256 tokens)
BLOCK_GEMMS = ((256, 768, 2304), (256, 768, 768), (256, 768, 3072), (256, 3072, 768))


def block_gemm_rates(threads: int, reps: int = 20) -> dict[str, float]:
    """GFLOP/s of ORT (MLAS) and torch on the block's own GEMM shapes, FLOP-weighted."""
    torch.set_num_threads(threads)
    flops, seconds = 0, {'torch': 0.0, 'ort': 0.0}
    for m, k, n in BLOCK_GEMMS:
        a, b = torch.randn(m, k), torch.randn(k, n)
        h = onnx.helper
        graph = h.make_graph([h.make_node('MatMul', ['a', 'b'], ['c'])], 'gemm',
                             [h.make_tensor_value_info('a', onnx.TensorProto.FLOAT, [m, k]),
                              h.make_tensor_value_info('b', onnx.TensorProto.FLOAT, [k, n])],
                             [h.make_tensor_value_info('c', onnx.TensorProto.FLOAT, [m, n])])
        model = h.make_model(graph, opset_imports=[h.make_opsetid('', 17)], ir_version=8)
        session = ort.InferenceSession(model.SerializeToString(), session_options(threads),
                                       providers=['CPUExecutionProvider'])
        feed = {'a': a.numpy(), 'b': b.numpy()}
        with torch.inference_mode():
            times = interleaved({'torch': lambda: torch.mm(a, b),
                                 'ort': lambda: session.run(None, feed)}, reps, 2)
        flops += 2 * m * k * n
        for name, t in times.items():
            seconds[name] += t.min()
    return {name: flops / s / 1e9 for name, s in seconds.items()}


def search_flops(network, cache, search) -> int:
    counter = FlopCounterMode(display=False)
    with torch.inference_mode(), counter:
        network.forward_search(cache, search)
    return counter.get_total_flops()


def ort_profile(graphs, threads: int, feed: dict, runs: int = 10) -> list[tuple[str, float]]:
    """Return ms per search run spent in each operator type (ONNX Runtime's profiler)."""
    prefix = str(Path(tempfile.mkdtemp()) / 'ort_profile')
    backend = OnnxRuntimeBackend(graphs.template, graphs.search, num_threads=threads,
                                 profile_prefix=prefix)
    backend.set_template(feed['template'])
    for _ in range(runs):
        backend.search(feed['search'])
    _, path = backend.end_profiling()
    totals = collections.Counter()
    for event in json.loads(Path(path).read_text()):
        if event.get('cat') == 'Node' and event['name'].endswith('_kernel_time'):
            totals[event['args']['op_name']] += event['dur'] / 1000 / runs
    return totals.most_common()


def optimised_ops(graphs, threads: int) -> collections.Counter:
    """Operator types (domain-qualified) left in the search graph after ORT_ENABLE_ALL."""
    folder = Path(tempfile.mkdtemp())
    options = session_options(threads)
    options.optimized_model_filepath = str(folder / 'optimised.onnx')
    ort.InferenceSession(str(graphs.search), options, providers=['CPUExecutionProvider'])
    model = onnx.load(options.optimized_model_filepath, load_external_data=False)
    return collections.Counter(f'{n.domain + "." if n.domain else ""}{n.op_type}'
                               for n in model.graph.node)


def transformer_fused(search_graph: Path) -> Path:
    """Apply onnxruntime.transformers' ViT fusions to the search graph; return the new file."""
    from onnxruntime.transformers.optimizer import optimize_model

    model = optimize_model(str(search_graph), model_type='vit', num_heads=12, hidden_size=768,
                           opt_level=1)
    fused = {k: v for k, v in model.get_fused_operator_statistics().items() if v}
    print(f'transformer fusions applied: {fused}', flush=True)
    path = Path(tempfile.mkdtemp()) / 'search_fused.onnx'
    model.save_model_to_file(str(path))
    return path


def torch_profile(network, cache, search, runs: int = 5) -> list[tuple[str, float]]:
    """Return ms per search run spent in each aten operator (self time, torch's profiler)."""
    from torch.profiler import profile, ProfilerActivity

    with torch.inference_mode(), profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(runs):
            network.forward_search(cache, search)
    rows = [(e.key, e.self_cpu_time_total / 1000 / runs) for e in prof.key_averages()]
    return sorted(rows, key=lambda r: -r[1])


def cpu_name() -> str:
    """Return the CPU model and its widest vector extension, from /proc/cpuinfo."""
    try:
        info = Path('/proc/cpuinfo').read_text()
    except OSError:
        return platform.machine()
    model = next((line.split(':', 1)[1].strip() for line in info.splitlines()
                  if line.startswith('model name')), platform.machine())
    flags = set(next((line.split(':', 1)[1].split() for line in info.splitlines()
                      if line.startswith('flags')), []))
    vector = next((v for v in ('avx512f', 'avx2', 'avx') if v in flags), 'no AVX')
    return f'{model} ({vector})'


def stats(t: np.ndarray) -> tuple[float, float, float]:
    return 1e3 * t.mean(), 1e3 * np.percentile(t, 50), 1e3 * np.percentile(t, 95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[1])
    parser.add_argument('--iters', type=int, default=30)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--threads', type=int, nargs='+', default=[1, 2])
    parser.add_argument('--profile', action='store_true', help='add the ORT operator profile')
    parser.add_argument('--write', type=Path, help='write the markdown fragment here')
    args = parser.parse_args()

    network, weights = build_network()
    rng = np.random.default_rng(0)
    feed = {'template': {'template': rng.standard_normal((1, 3, 128, 128), np.float32),
                         'template_bb': np.array([[0.3, 0.3, 0.7, 0.7]], np.float32)},
            'search': {'search': rng.standard_normal((1, 3, 256, 256), np.float32)}}
    with torch.inference_mode():
        cache = network.forward_template(**{k: torch.from_numpy(v)
                                            for k, v in feed['template'].items()})
    search = torch.from_numpy(feed['search']['search'])
    flops = search_flops(network, cache, search)
    graphs = export_onnx(network, tempfile.mkdtemp())
    fused = transformer_fused(graphs.search) if args.profile else None

    lines = []
    rows = []
    for threads in args.threads:
        torch.set_num_threads(threads)
        before = sgemm_peaks(threads)
        variants = {'onnxruntime, spin': {'spin': True}, 'onnxruntime, no spin': {'spin': False}}
        if fused is not None:
            variants['onnxruntime + transformer fusions, no spin'] = {'spin': False,
                                                                      'graph': fused}
        backends = {}
        for name, options in variants.items():
            backend = OnnxRuntimeBackend(graphs.template, options.get('graph', graphs.search),
                                         num_threads=threads, spin=options['spin'])
            backend.set_template(feed['template'])
            backends[name] = backend

        def torch_search():
            with torch.inference_mode():
                network.forward_search(cache, search)

        fns = {'torch eager': torch_search}
        fns.update({name: (lambda b=b: b.search(feed['search'])) for name, b in backends.items()})
        times = interleaved(fns, args.iters, args.warmup)
        after = sgemm_peaks(threads)
        peaks = {k: max(before[k], after[k]) for k in before}
        peak = max(peaks.values())
        base = np.percentile(times['torch eager'], 50)
        for name, t in times.items():
            mean, p50, p95 = stats(t)
            gflops = flops / (p50 / 1e3) / 1e9
            rows.append(f'| {name} | {threads} | {mean:.1f} | {p50:.1f} | {p95:.1f} | '
                        f'{base * 1e3 / p50:.2f}x | {gflops:.0f} | {100 * gflops / peak:.0f} % |')
        lines.append(f'| {threads} | {peaks["torch"]:.0f} | {peaks["ort"]:.0f} |')
        print(f'threads {threads}: SGEMM peak torch {peaks["torch"]:.0f} GFLOP/s, ORT/MLAS '
              f'{peaks["ort"]:.0f} GFLOP/s', flush=True)
        print('\n'.join(rows[-len(fns):]), flush=True)
        del backends

    load = os.getloadavg()
    text = [
        '### LiteTrack-B4 search path on the CPU: torch eager vs ONNX Runtime',
        '',
        'Command (from the repository root):',
        '',
        '```',
        f'.venv/bin/python benchmarks/bench_backends_cpu.py --iters {args.iters} --threads '
        f'{" ".join(map(str, args.threads))}{" --profile" if args.profile else ""}'
        f'{f" --write {args.write}" if args.write else ""}',
        '```',
        '',
        f'Machine: {cpu_name()}, {os.cpu_count()} cores '
        f'(shared VM; load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end '
        f'of the run), torch {torch.__version__}, onnxruntime {ort.__version__}, {weights}. '
        f'Batch 1, float32, {args.iters} interleaved timed calls after {args.warmup} warm-up '
        'calls per row; the template cache is set once.',
        '',
        f'Search path FLOPs ({"FlopCounterMode"}): {flops / 1e9:.2f} GFLOP per frame.',
        '',
        '| threads | SGEMM peak, torch BLAS (GFLOP/s) | SGEMM peak, ORT MLAS (GFLOP/s) |',
        '|---|---|---|',
        *lines,
        '',
        '| backend | threads | mean ms | p50 ms | p95 ms | speed-up vs torch (p50) | '
        'GFLOP/s (p50) | of peak |',
        '|---|---|---|---|---|---|---|---|',
        *rows,
        '',
        'Peak = the better of the two SGEMM rows at that thread count (2048^3, best of 10 '
        'calls, measured before and after the rows, best kept).',
    ]
    if args.profile:
        threads = min(args.threads)
        profile = ort_profile(graphs, threads, feed)
        total = sum(ms for _, ms in profile)
        ops = optimised_ops(graphs, threads)
        text += ['', f'ONNX Runtime operator profile ({threads} threads, ms per search run, '
                 'kernel time only):', '', '| op | ms | share |', '|---|---|---|']
        text += [f'| {op} | {ms:.2f} | {100 * ms / total:.1f} % |' for op, ms in profile[:10]]
        torch.set_num_threads(threads)
        tprofile = torch_profile(network, cache, search)
        ttotal = sum(ms for _, ms in tprofile)
        text += ['', f'torch operator profile ({threads} threads, ms per search run, self CPU '
                 'time):', '', '| op | ms | share |', '|---|---|---|']
        text += [f'| {op} | {ms:.2f} | {100 * ms / ttotal:.1f} % |' for op, ms in tprofile[:8]]
        rates = block_gemm_rates(threads)
        text += ['', f'SGEMM on the block GEMM shapes (M, K, N) = {BLOCK_GEMMS}, '
                 f'{threads} threads, best of 20, FLOP-weighted: ORT MLAS '
                 f'{rates["ort"]:.0f} GFLOP/s, torch BLAS {rates["torch"]:.0f} GFLOP/s.']
        text += ['', 'Operators after ORT_ENABLE_ALL: '
                 + ', '.join(f'{op} {count}' for op, count in sorted(ops.items())) + '.']
    print('\n'.join(text))
    if args.write:
        kept = ''
        if args.write.is_file() and ANALYSIS_MARKER in args.write.read_text():
            kept = args.write.read_text().split(ANALYSIS_MARKER, 1)[1]
        args.write.write_text('\n'.join(text) + f'\n\n{ANALYSIS_MARKER}{kept}')


if __name__ == '__main__':
    main()
