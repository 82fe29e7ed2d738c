# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
One benchmark case: build a tracker, time its paths, count its FLOPs, read its peak memory.

Input frames are the first frames of a real sequence folder (initialised on its first
ground-truth box) or one generated frame with a textured square target. By default each case
runs in a fresh process (``bench_isolated``), so the process's resident-memory high-water mark
(``ru_maxrss``) belongs to that model and backend alone.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
import multiprocessing
from pathlib import Path
import resource
import sys
from typing import Optional

import cv2
import numpy as np

from lite_tracker_ros.core.types import BoxXYWH, ChannelOrder, Frame
from lite_tracker_ros.evaluation.flops import FlopCount, path_flops
from lite_tracker_ros.evaluation.latency import BackendProbe, measure_paths, PathTimings

GENERATED_SIZE = (640, 480)


@dataclass(frozen=True)
class BenchConfig:
    """What to benchmark and how long; ``source`` '' means a generated frame."""

    model: str
    backend: str
    device: str = 'cpu'
    weights: str = ''
    threads: int = 0
    iters: int = 50
    template_iters: int = 20
    warmup: int = 5
    source: str = ''
    max_source_frames: int = 100


@dataclass(frozen=True)
class BenchResult:
    """The measurements of one model on one backend."""

    config: BenchConfig
    timings: PathTimings
    flops: FlopCount
    peak_rss_mib: float
    cuda_peak_mib: Optional[float]
    frame_size: tuple[int, int]
    n_frames: int


def generated_frame(size: tuple[int, int] = GENERATED_SIZE) -> tuple[Frame, BoxXYWH]:
    """Return a deterministic BGR frame (smooth noise, a checkered square) and the square's box."""
    width, height = size
    rng = np.random.default_rng(7)
    noise = rng.integers(0, 256, (height // 8 + 1, width // 8 + 1, 3), dtype=np.uint8)
    pixels = cv2.resize(noise, (width, height), interpolation=cv2.INTER_LINEAR)
    side = min(width, height) // 6
    x, y = (width - side) // 2, (height - side) // 2
    checks = (np.indices((side, side)).sum(axis=0) // 8 % 2).astype(np.uint8)
    target = np.stack([checks * 230, 40 + checks * 100, 200 - checks * 150], axis=-1)
    pixels[y:y + side, x:x + side] = target
    return Frame(pixels, ChannelOrder.BGR), BoxXYWH(float(x), float(y), float(side), float(side))


def source_frames(folder: Path, limit: int) -> tuple[list[Frame], BoxXYWH]:
    """Return up to ``limit`` frames of a sequence, from its first ground-truth box on."""
    from lite_tracker_ros.evaluation.runner import read_frame
    from lite_tracker_ros.evaluation.sequences import discover_sequences, SequenceError

    sequences = discover_sequences(folder)
    if len(sequences) != 1:
        raise SequenceError(f'{folder} holds {len(sequences)} sequences; pass one sequence '
                            'folder to --source')
    sequence = sequences[0]
    gt = sequence.groundtruth()
    valid = np.flatnonzero(np.all(np.isfinite(gt), axis=1) & (gt[:, 2] > 0) & (gt[:, 3] > 0))
    if not len(valid):
        raise SequenceError(f'{folder} has no ground-truth box to initialise on')
    first = int(valid[0])
    frames = [read_frame(p) for p in sequence.images[first:first + max(limit, 2)]]
    return frames, BoxXYWH(*(float(v) for v in gt[first]))


def _peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2 ** 20 if sys.platform == 'darwin' else peak / 2 ** 10  # bytes vs KiB


def _is_cuda(device: str) -> bool:
    return device.startswith('cuda')


def bench_one(config: BenchConfig) -> BenchResult:
    """Run one benchmark case in this process."""
    from lite_tracker_ros.factory import create_tracker

    if config.source:
        frames, box = source_frames(Path(config.source), config.max_source_frames)
    else:
        frame, box = generated_frame()
        frames = [frame]
    tracker = create_tracker(config.model, backend=config.backend, device=config.device,
                             weights=config.weights or None, num_threads=config.threads)
    if _is_cuda(config.device):
        import torch
        torch.cuda.reset_peak_memory_stats()
    probe = BackendProbe.attach(tracker)
    timings = measure_paths(tracker, frames, box, config.iters, config.template_iters,
                            config.warmup, probe)
    cuda_peak = None
    if _is_cuda(config.device):
        import torch
        cuda_peak = torch.cuda.max_memory_allocated() / 2 ** 20
    peak_rss = _peak_rss_mib()  # before FLOP counting, which may build a torch network
    flops = path_flops(config.model, probe.backend if probe else None,
                       probe.template_inputs if probe else None,
                       probe.search_inputs if probe else None)
    return BenchResult(config, timings, flops, peak_rss, cuda_peak,
                       (frames[0].width, frames[0].height), len(frames))


def bench_isolated(config: BenchConfig) -> BenchResult:
    """Run one benchmark case in a fresh (spawned) process and return its result."""
    context = multiprocessing.get_context('spawn')
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(bench_one, config).result()
