# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Benchmark results as markdown: a latency table per path and stage, and a throughput table.

The achieved rate is the search path's FLOPs over the mean time of its ``inference`` stage (the
backend call alone; the whole ``update`` when a tracker reports no stages), and its fraction is
relative to the SGEMM peak measured in the same run.
"""

from __future__ import annotations

from importlib import metadata
import math
import os
from pathlib import Path
import platform
from typing import Optional, Sequence

from lite_tracker_ros.evaluation.bench import BenchResult
from lite_tracker_ros.evaluation.latency import LatencyStats
from lite_tracker_ros.evaluation.sgemm import SgemmPeak


def _ms(stats: Optional[LatencyStats]) -> str:
    if stats is None or not stats.n:
        return 'n/a | n/a | n/a'
    return f'{1e3 * stats.mean_s:.2f} | {1e3 * stats.p50_s:.2f} | {1e3 * stats.p95_s:.2f}'


def _number(value: Optional[float], digits: int) -> str:
    if value is None or not math.isfinite(value):
        return 'n/a'
    return f'{value:.{digits}f}'


def achieved_gflops(result: BenchResult) -> Optional[float]:
    """Return the search path's achieved GFLOP/s, or None when its FLOPs are unknown."""
    if result.flops.search is None:
        return None
    stage = result.timings.stages.get('inference', result.timings.search)
    return result.flops.search / stage.mean_s / 1e9 if stage.mean_s > 0 else None


def machine_description() -> str:
    """Return the CPU model, core count and the versions of the numerical libraries."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path('/proc/cpuinfo')
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith('model name'):
                cpu = line.split(':', 1)[1].strip()
                break
    versions = []
    for package in ('torch', 'onnxruntime', 'numpy', 'opencv-python-headless'):
        try:
            versions.append(f'{package} {metadata.version(package)}')
        except metadata.PackageNotFoundError:
            continue
    return f'{cpu}, {os.cpu_count()} logical CPUs; {", ".join(versions)}'


def latency_table(results: Sequence[BenchResult]) -> str:
    lines = ['| model | backend | path | stage | mean ms | p50 ms | p95 ms |',
             '|---|---|---|---|---|---|---|']
    for r in results:
        name = f'| {r.config.model} | {r.config.backend} |'
        lines.append(f'{name} template | init (whole) | {_ms(r.timings.template)} |')
        if r.timings.template_inference is not None:
            lines.append(f'{name} template | inference | {_ms(r.timings.template_inference)} |')
        lines.append(f'{name} search | update (whole) | {_ms(r.timings.search)} |')
        for stage, stats in r.timings.stages.items():
            lines.append(f'{name} search | {stage} | {_ms(stats)} |')
    return '\n'.join(lines)


def throughput_table(results: Sequence[BenchResult], peak: Optional[SgemmPeak]) -> str:
    lines = ['| model | backend | device | threads | fps | peak RSS MiB | CUDA peak MiB | '
             'template GFLOPs | search GFLOPs | search GFLOP/s | of SGEMM peak |',
             '|---|---|---|---|---|---|---|---|---|---|---|']
    for r in results:
        achieved = achieved_gflops(r)
        fraction = (f'{100 * achieved / peak.gflops:.1f} %' if achieved is not None and peak
                    else 'unknown')
        flops = [None if v is None else v / 1e9 for v in (r.flops.template, r.flops.search)]
        lines.append(
            f'| {r.config.model} | {r.config.backend} | {r.config.device} | '
            f'{r.config.threads or "default"} | {_number(r.timings.fps, 1)} | '
            f'{_number(r.peak_rss_mib, 0)} | {_number(r.cuda_peak_mib, 0)} | '
            f'{_number(flops[0], 3) if flops[0] is not None else "unknown"} | '
            f'{_number(flops[1], 3) if flops[1] is not None else "unknown"} | '
            f'{_number(achieved, 1)} | {fraction} |')
    return '\n'.join(lines)


def _peak_text(peaks: Sequence[SgemmPeak]) -> str:
    if not peaks:
        return 'not measured'
    best = max(peaks, key=lambda p: p.gflops)
    if len(peaks) == 1:
        return best.describe()
    each = ', '.join(f'{p.gflops:.1f}' for p in peaks)
    return (f'{best.describe()}; the best of {len(peaks)} measurements ({each} GFLOP/s) taken '
            'before and after the models, so a moment of load from other processes does not '
            'set it')


def bench_markdown(results: Sequence[BenchResult], peaks: Sequence[SgemmPeak], command: str,
                   isolated: bool) -> str:
    """Return the whole benchmark report; the fractions use the best of ``peaks``."""
    if not results:
        return ''
    peak = max(peaks, key=lambda p: p.gflops) if peaks else None
    first = results[0]
    source = first.config.source or 'a generated frame'
    width, height = first.frame_size
    memory = ('each model in a fresh process' if isolated else
              'all models in one process, so each value includes the ones before it')
    notes = [
        f'Command: `{command}`', '',
        f'Machine: {machine_description()}.',
        f'SGEMM peak: {_peak_text(peaks)}.',
        f'Input: {source} ({first.n_frames} frame(s) of {width}x{height}); '
        f'{first.config.warmup} warm-up, {first.config.template_iters} timed inits, '
        f'{first.config.iters} timed updates per row.', '',
        latency_table(results), '',
        throughput_table(results, peak), '',
        'fps = 1 / mean `update` time. Peak RSS: `getrusage` high-water mark, '
        f'{memory}. GFLOPs: torch FlopCounterMode (2 per multiply-add; matmuls and convolutions '
        'only). search GFLOP/s = search GFLOPs / mean `inference` stage time; a backend whose '
        'kernels beat the SGEMM used for the peak can exceed 100 %.',
    ]
    for r in results:
        if r.flops.note:
            notes.append(f'- {r.config.model}/{r.config.backend}: FLOPs {r.flops.note}.')
    return '\n'.join(notes) + '\n'
