# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Search cost of the long-term mode's tiles on ONNX Runtime: one batched call or one call each.

For each family, the exported graph pair (default-initialised weights: the cost does not depend
on them) runs ``search_many`` over ``--tiles`` search crops against one template, once with the
backend's batch (one call) and once with ``max_batch`` forced to 1 (one call per crop), the two
taking turns round after round so that a change in the machine's load falls on both alike.
Prints the median milliseconds of each and their ratio.

    python benchmarks/bench_batched_search.py --threads 2 --tiles 4 --rounds 15
"""

from __future__ import annotations

import argparse
from pathlib import Path
import statistics
import tempfile
import time

import numpy as np

MODELS = ('litetrack_b4', 'mvt', 'compresstracker_2', 'fartrack')


def _backend(model: str, folder: Path, threads: int):
    import torch

    from lite_tracker_ros.backends.onnxruntime_backend import OnnxRuntimeBackend
    from lite_tracker_ros.export.onnx_export import export_onnx, example_inputs
    from lite_tracker_ros.factory import build_network

    torch.manual_seed(0)
    network = build_network(model).eval()
    graphs = export_onnx(network, folder / model)
    template = {k: v.numpy() for k, v in example_inputs(network, 'template').items()}
    return OnnxRuntimeBackend(graphs.template, graphs.search, num_threads=threads), template


def main() -> None:
    from lite_tracker_ros.core.batched_search import search_many
    from lite_tracker_ros.specs import get_spec

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument('--models', default=','.join(MODELS))
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--tiles', type=int, default=4)
    parser.add_argument('--rounds', type=int, default=15)
    args = parser.parse_args()
    print(f'ONNX Runtime CPU, {args.threads} threads, {args.tiles} tiles, {args.rounds} rounds')
    print('| model | batched, one call (ms, median) | one call per tile | '
          'batched / one per call |')
    print('|---|---|---|---|')
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as folder:
        for model in args.models.split(','):
            backend, template = _backend(model, Path(folder), args.threads)
            backend.set_template(template)
            spec = get_spec(model)
            size = spec.search.size
            crops = [{spec.search_inputs[-1]: rng.standard_normal((1, 3, size, size))
                      .astype(np.float32)} for _ in range(args.tiles)]
            batch = backend.max_batch
            times: dict[int, list[float]] = {batch: [], 1: []}
            for round_ in range(args.rounds + 1):
                for limit in (batch, 1):
                    backend.max_batch = limit
                    start = time.perf_counter()
                    search_many(backend, crops)
                    if round_:  # the first round warms both shapes up
                        times[limit].append(time.perf_counter() - start)
            one, many = (1e3 * statistics.median(times[k]) for k in (batch, 1))
            print(f'| {model} | {one:.1f} | {many:.1f} | {one / many:.2f} |', flush=True)


if __name__ == '__main__':
    main()
