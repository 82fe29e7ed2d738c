# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""Timing and FLOP counting shared by the per-family benchmark scripts."""

from __future__ import annotations

import time

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
