# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
What the guarded checkpoint loader costs against torch's own ``torch.load(weights_only=True)``.

The loader runs the pickle in the pure-Python unpickler (so that its opcodes can be guarded),
checks every zip entry and every floating tensor's values; this measures the load time of real
and full-size checkpoints both ways (median of ``--repeat`` loads, files in the page cache).

    .venv/bin/python benchmarks/bench_checkpoint_loading.py --repeat 5
"""

from __future__ import annotations

import argparse
from pathlib import Path
import pickle
import statistics
import sys
import tempfile
import time

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lite_tracker_ros.networks.checkpoint import load_state_dict  # noqa: E402


def _median_s(load, path: Path, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        load(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _files(folder: Path) -> list[Path]:
    from lite_tracker_ros.factory import build_network
    files = []
    for name in ('litetrack_b4', 'litetrack_b9'):
        path = folder / f'{name}.pth.tar'
        torch.save({'net': build_network(name).state_dict(), 'epoch': 300}, path)
        files.append(path)
    shared = ROOT.parent / 'shared' / 'models' / 'nanotrack'
    files += sorted(shared.glob('nanotrackv*.pth'))
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--repeat', type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as folder:
        print('| file | MiB | tensors | this loader ms | torch.load(weights_only) ms |')
        print('|---|---|---|---|---|')
        for path in _files(Path(folder)):
            count = len(load_state_dict(path))
            ours = _median_s(load_state_dict, path, args.repeat)
            try:
                theirs = _median_s(lambda p: torch.load(p, weights_only=True, map_location='cpu'),
                                   path, args.repeat)
                theirs_ms = f'{theirs * 1e3:.0f}'
            except pickle.UnpicklingError as error:  # e.g. numpy scalars in NanoTrack's files
                theirs_ms = f'refused ({str(error).split("GLOBAL ")[-1].split()[0]})'
            print(f'| {path.name} | {path.stat().st_size / 2**20:.1f} | {count} | '
                  f'{ours * 1e3:.0f} | {theirs_ms} |')
    return 0


if __name__ == '__main__':
    sys.exit(main())
