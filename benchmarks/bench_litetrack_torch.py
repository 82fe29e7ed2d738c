# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Latency and FLOPs of LiteTrack's template and search paths in PyTorch (CPU by default).

Per variant and thread count it times: the template path (once per init: template tokens plus
the per-layer keys/values), the cached search path (per frame), and the official per-frame
forward, which re-projects the template tokens in every interaction block. FLOPs are counted
with ``torch.utils.flop_counter.FlopCounterMode`` for those and for the full reference forward
(template path recomputed every frame). Weights are the default initialisation: latency does not
depend on their values. Prints a markdown table; it measures, it asserts nothing.

    .venv/bin/python benchmarks/bench_litetrack_torch.py --iters 20 --threads 1 2
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics

from timing import gflops, latencies_ms, percentile  # benchmarks/timing.py
import torch

from lite_tracker_ros.networks.litetrack import LiteTrackNetwork
from lite_tracker_ros.specs.litetrack import SPECS


def _paths(net: LiteTrackNetwork, device: torch.device) -> dict:
    spec = net.spec
    gen = torch.Generator().manual_seed(0)
    template = torch.randn(1, 3, spec.template.size, spec.template.size, generator=gen)
    search = torch.randn(1, 3, spec.search.size, spec.search.size, generator=gen)
    template, search = template.to(device), search.to(device)
    template_bb = torch.tensor([[0.25, 0.25, 0.75, 0.75]], device=device)
    cache = net.forward_template(template, template_bb)
    tokens = cache['template_tokens']
    return {
        'template path': lambda: net.forward_template(template, template_bb),
        'search, cached K/V': lambda: net.forward_search(cache, search),
        'search, official (re-projects z)': lambda: net.head(
            net.reference_search_features(tokens, search)),
        'full reference (z recomputed)': lambda: net.reference_forward(
            template, template_bb, search),
    }


TIMED = ('template path', 'search, cached K/V', 'search, official (re-projects z)')


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument('--variants', nargs='+', default=sorted(SPECS))
    parser.add_argument('--iters', type=int, default=20, help='timed calls per path')
    parser.add_argument('--warmup', type=int, default=3, help='untimed calls first')
    parser.add_argument('--threads', type=int, nargs='+', default=[1, 2])
    parser.add_argument('--device', default='cpu')
    args = parser.parse_args(argv)
    device = torch.device(args.device)

    print(f'torch {torch.__version__}, {platform.processor() or platform.machine()}, '
          f'{os.cpu_count()} logical CPUs, device {device}, {args.iters} timed calls after '
          f'{args.warmup} warm-up; load average before: '
          f'{" ".join(f"{v:.1f}" for v in os.getloadavg())}\n')
    print('| variant | path | GFLOPs/call | threads | mean ms | p50 ms | p95 ms |')
    print('|---|---|---|---|---|---|---|')
    for name in args.variants:
        net = LiteTrackNetwork(SPECS[name]).eval().to(device)
        with torch.inference_mode():
            paths = _paths(net, device)
            flops = {label: gflops(fn) for label, fn in paths.items()}
            for threads in args.threads:
                torch.set_num_threads(threads)
                for label in TIMED:
                    ms = latencies_ms(paths[label], args.warmup, args.iters)
                    print(f'| {name} | {label} | {flops[label]:.2f} | {threads} | '
                          f'{statistics.fmean(ms):.1f} | {statistics.median(ms):.1f} | '
                          f'{percentile(ms, 0.95):.1f} |', flush=True)
        full, cached = flops['full reference (z recomputed)'], flops['search, cached K/V']
        official = flops['search, official (re-projects z)']
        print(f'| {name} | full reference (z recomputed) | {full:.2f} | - | - | - | - |')
        print(f'| {name} | per-frame saving of the cache | {full - cached:.2f} '
              f'({100 * (1 - cached / full):.1f}% of full; {official - cached:.2f} = '
              f'{100 * (1 - cached / official):.1f}% of official) | - | - | - | - |', flush=True)
    print(f'\nload average after: {" ".join(f"{v:.1f}" for v in os.getloadavg())}')


if __name__ == '__main__':
    main()
