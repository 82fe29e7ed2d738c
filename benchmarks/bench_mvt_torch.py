# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Latency and FLOPs of the MVT network's two paths in PyTorch (CPU by default).

The template path (MobileViT stem on the 128x128 template, once per init) and the search path
(per frame: search stem, fused MobileViT stages, neck, correlation, centre head) are timed
separately, for each requested thread count. Weights are the default initialisation: latency
does not depend on their values. Prints a markdown table; it measures, it asserts nothing.

    .venv/bin/python benchmarks/bench_mvt_torch.py --iters 50 --threads 1 2
"""

from __future__ import annotations

import argparse
import platform
import statistics

from timing import gflops, latencies_ms, percentile  # benchmarks/timing.py
import torch

from lite_tracker_ros.networks.mvt import MVTNetwork
from lite_tracker_ros.specs.mvt import SPECS


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument('--iters', type=int, default=50, help='timed calls per path')
    parser.add_argument('--warmup', type=int, default=5, help='untimed calls first')
    parser.add_argument('--threads', type=int, nargs='+', default=[1, 2])
    parser.add_argument('--device', default='cpu')
    args = parser.parse_args(argv)

    spec = SPECS['mvt']
    device = torch.device(args.device)
    net = MVTNetwork(spec).eval().to(device)
    template = torch.rand(1, 3, spec.template.size, spec.template.size, device=device)
    search = torch.rand(1, 3, spec.search.size, spec.search.size, device=device)

    def sync():
        if device.type == 'cuda':
            torch.cuda.synchronize()

    with torch.inference_mode():
        cache = net.forward_template(template=template)

        def run_template():
            net.forward_template(template=template)
            sync()

        def run_search():
            net.forward_search(cache, search=search)
            sync()

        flops = {'template': gflops(run_template), 'search': gflops(run_search)}
        print(f'torch {torch.__version__}, {platform.processor() or platform.machine()}, '
              f'device {device}, {args.iters} timed calls after {args.warmup} warm-up\n')
        print('| path | threads | GFLOPs | mean ms | p50 ms | p95 ms |')
        print('|---|---|---|---|---|---|')
        for threads in args.threads:
            torch.set_num_threads(threads)
            for path, fn in (('template', run_template), ('search', run_search)):
                ms = latencies_ms(fn, args.warmup, args.iters)
                print(f'| {path} | {threads} | {flops[path]:.3f} | {statistics.fmean(ms):.2f} '
                      f'| {percentile(ms, 0.5):.2f} | {percentile(ms, 0.95):.2f} |')


if __name__ == '__main__':
    main()
