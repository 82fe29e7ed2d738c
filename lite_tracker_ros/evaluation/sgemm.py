# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
The machine's attainable float32 matrix-multiply rate (SGEMM peak), measured, not looked up.

A square ``size x size`` float32 product costs ``2 size^3`` FLOPs; the peak is the best rate over
``repeats`` timed products after one warm-up product. With torch the thread count is set first
(``torch.set_num_threads``), and a CUDA device is synchronised around each product; without
torch numpy's BLAS runs with whatever thread count it was started with.
"""

from __future__ import annotations

from dataclasses import dataclass
import time

import numpy as np


@dataclass(frozen=True)
class SgemmPeak:
    """The best measured SGEMM rate and how it was measured."""

    gflops: float
    size: int
    repeats: int
    threads: int
    library: str
    device: str

    def describe(self) -> str:
        threads = f'{self.threads} threads' if self.threads else 'BLAS default threads'
        return (f'{self.gflops:.1f} GFLOP/s ({self.library} {self.size}x{self.size} float32 '
                f'matmul on {self.device}, {threads}, best of {self.repeats})')


def _torch_peak(size: int, repeats: int, threads: int, device: str) -> SgemmPeak:
    import torch
    if threads > 0:
        torch.set_num_threads(threads)
    generator = torch.Generator().manual_seed(0)
    a = torch.rand(size, size, generator=generator).to(device)
    b = torch.rand(size, size, generator=generator).to(device)
    is_cuda = torch.device(device).type == 'cuda'

    def once() -> float:
        if is_cuda:
            torch.cuda.synchronize()
        start = time.perf_counter()
        torch.mm(a, b)
        if is_cuda:
            torch.cuda.synchronize()
        return time.perf_counter() - start
    once()
    best = min(once() for _ in range(repeats))
    return SgemmPeak(2.0 * size ** 3 / best / 1e9, size, repeats, torch.get_num_threads(),
                     f'torch {torch.__version__}', device)


def _numpy_peak(size: int, repeats: int) -> SgemmPeak:
    rng = np.random.default_rng(0)
    a = rng.random((size, size), dtype=np.float32)
    b = rng.random((size, size), dtype=np.float32)

    def once() -> float:
        start = time.perf_counter()
        np.matmul(a, b)
        return time.perf_counter() - start
    once()
    best = min(once() for _ in range(repeats))
    return SgemmPeak(2.0 * size ** 3 / best / 1e9, size, repeats, 0, f'numpy {np.__version__}',
                     'cpu')


def measure_sgemm_peak(size: int = 1024, repeats: int = 5, threads: int = 0,
                       device: str = 'cpu') -> SgemmPeak:
    """Measure the peak with torch when it is installed, else with numpy (CPU only)."""
    if size < 1 or repeats < 1:
        raise ValueError(f'size and repeats must be positive, got {size} and {repeats}')
    try:
        import torch  # noqa: F401 - the preferred library when present
    except ImportError:
        if device != 'cpu':
            raise ValueError(f'measuring SGEMM on {device} needs torch; use --device cpu')
        return _numpy_peak(size, repeats)
    return _torch_peak(size, repeats, threads, device)
