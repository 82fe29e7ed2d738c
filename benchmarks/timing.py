# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""Timing and FLOP counting shared by the per-family benchmark scripts."""

from __future__ import annotations

import time

import numpy as np
from torch.utils.flop_counter import FlopCounterMode


def latencies_ms(fn, warmup: int, iters: int) -> list[float]:
    """Call ``fn`` ``warmup`` times, then return the wall time of ``iters`` calls in ms."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(iters):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return times


def interleaved(fns: dict, iters: int, warmup: int) -> dict[str, np.ndarray]:
    """
    Time each callable ``iters`` times, round-robin with a rotating order; seconds.

    On a shared machine a slow spell then costs every variant alike, so their ratios hold.
    """
    names = list(fns)
    for _ in range(warmup):
        for name in names:
            fns[name]()
    times = {name: [] for name in names}
    for i in range(iters):
        for name in names[i % len(names):] + names[:i % len(names)]:
            t0 = time.perf_counter()
            fns[name]()
            times[name].append(time.perf_counter() - t0)
    return {name: np.array(t) for name, t in times.items()}


def percentile(values: list[float], q: float) -> float:
    """Return the nearest-rank ``q`` quantile (0..1) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def gflops(fn) -> float:
    """Return the GFLOPs of one call of ``fn`` (torch FlopCounterMode: 2 per multiply-add)."""
    counter = FlopCounterMode(display=False)
    with counter:
        fn()
    return counter.get_total_flops() / 1e9
