# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Per-frame latency and FLOPs of the CompressTracker and FARTrack networks in PyTorch.

Per frame, CompressTracker runs its search path (the joint ViT over the cached template tokens
and the new search crop, then the centre head); FARTrack runs both paths, because its five
template slots and their masks change every frame (patch embedding of the 5 templates, then the
15-block ViT over 445 tokens). Weights are the default initialisation: latency does not depend
on their values (FARTrack's masks prune 12 tokens in slots 0-3, as in tracking; masking does
not skip any computation). Prints a markdown table; it measures, it asserts nothing.

    .venv/bin/python benchmarks/bench_compresstracker_fartrack_torch.py --iters 30 --threads 1 2
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics

from timing import gflops, latencies_ms, percentile  # benchmarks/timing.py
import torch

from lite_tracker_ros.networks.compresstracker import CompressTrackerNetwork
from lite_tracker_ros.networks.fartrack import FARTrackNetwork
from lite_tracker_ros.specs import compresstracker, fartrack

MODELS = ('compresstracker_2', 'compresstracker_3', 'compresstracker_4', 'compresstracker_6',
          'fartrack')


def _per_frame_call(name: str, device: torch.device, sync):
    """Build the network and return a closure running what one tracked frame runs."""
    if name == 'fartrack':
        spec, params = fartrack.SPECS[name], fartrack.PARAMS
        net = FARTrackNetwork(spec, params).eval().to(device)
        t = spec.template.size
        templates = torch.rand(1, params.num_templates, 3, t, t, device=device)
        mask = torch.ones(1, net.n_z, device=device)
        for slot in range(params.num_templates - 1):
            mask[0, slot * net.n_per_template:slot * net.n_per_template + 12] = 0
        search = torch.rand(1, 3, spec.search.size, spec.search.size, device=device)

        def run():
            cache = net.forward_template(templates=templates, template_mask=mask)
            net.forward_search(cache, search=search)
            sync()
        return run
    spec = compresstracker.SPECS[name]
    net = CompressTrackerNetwork(spec, compresstracker.DISTILL_LAYERS[name]).eval().to(device)
    template = torch.rand(1, 3, spec.template.size, spec.template.size, device=device)
    search = torch.rand(1, 3, spec.search.size, spec.search.size, device=device)
    with torch.inference_mode():
        cache = net.forward_template(template=template)

    def run():
        net.forward_search(cache, search=search)
        sync()
    return run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument('--models', nargs='+', default=list(MODELS), choices=MODELS)
    parser.add_argument('--iters', type=int, default=30, help='timed frames per setting')
    parser.add_argument('--warmup', type=int, default=3, help='untimed frames first')
    parser.add_argument('--threads', type=int, nargs='+', default=[1, 2])
    parser.add_argument('--device', default='cpu')
    args = parser.parse_args(argv)
    device = torch.device(args.device)

    def sync():
        if device.type == 'cuda':
            torch.cuda.synchronize()

    # other processes on a shared machine inflate the 2-thread numbers most; say how busy it was
    print(f'torch {torch.__version__}, {platform.processor() or platform.machine()}, '
          f'{os.cpu_count()} CPUs, device {device}, {args.iters} timed frames after '
          f'{args.warmup} warm-up, load average at start {os.getloadavg()[0]:.1f}\n')
    print('| model | threads | GFLOPs/frame | mean ms | p50 ms | p95 ms |')
    print('|---|---|---|---|---|---|')
    with torch.inference_mode():
        for name in args.models:
            run = _per_frame_call(name, device, sync)
            frame_gflops = gflops(run)
            for threads in args.threads:
                torch.set_num_threads(threads)
                ms = latencies_ms(run, args.warmup, args.iters)
                print(f'| {name} | {threads} | {frame_gflops:.2f} | {statistics.fmean(ms):.1f} '
                      f'| {percentile(ms, 0.5):.1f} | {percentile(ms, 0.95):.1f} |')
    print(f'\nload average at end {os.getloadavg()[0]:.1f}')


if __name__ == '__main__':
    main()
