# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Record each test's CPU time (process and finished children) and wall time: a pytest plugin.

Writes ``nodeid<TAB>cpu_s<TAB>wall_s`` lines to ``$CPU_PER_TEST_DIR/cpu_<worker>.tsv`` (one file
per pytest-xdist worker), to see where the suite's CPU goes: on 2 cores, half the summed CPU
time is the floor of the suite's wall time without removing work. Use:

    rm -rf out/cpu
    CPU_PER_TEST_DIR=out/cpu PYTHONPATH=benchmarks scripts/test.sh -q -p pytest_cpu_per_test
    cat out/cpu/*.tsv | cut -f2 | paste -sd+ | bc
"""

import os
from pathlib import Path
import resource
import time

import pytest


def _cpu_s() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    cpu, wall = _cpu_s(), time.monotonic()
    yield
    folder = Path(os.environ.get('CPU_PER_TEST_DIR', 'out/cpu_per_test'))
    folder.mkdir(parents=True, exist_ok=True)
    worker = os.environ.get('PYTEST_XDIST_WORKER', 'main')
    with open(folder / f'cpu_{worker}.tsv', 'a') as f:
        f.write(f'{item.nodeid}\t{_cpu_s() - cpu:.2f}\t{time.monotonic() - wall:.2f}\n')
