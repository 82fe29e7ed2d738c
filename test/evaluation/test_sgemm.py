# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""The SGEMM peak measurement: a positive rate from torch, and numpy when torch is missing."""

import builtins
import math

import pytest

from lite_tracker_ros.evaluation import sgemm


def test_measures_a_positive_rate_with_the_requested_threads():
    torch = pytest.importorskip('torch', reason='the torch path needs torch')
    before = torch.get_num_threads()
    try:
        peak = sgemm.measure_sgemm_peak(size=128, repeats=2, threads=1)
    finally:
        torch.set_num_threads(before)
    assert peak.library.startswith('torch') and peak.threads == 1
    assert math.isfinite(peak.gflops) and peak.gflops > 0
    assert '128x128 float32' in peak.describe()


def test_numpy_is_used_without_torch(monkeypatch):
    real_import = builtins.__import__

    def no_torch(name, *args, **kwargs):
        if name == 'torch' or name.startswith('torch.'):
            raise ImportError('blocked for this test')
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, '__import__', no_torch)
    peak = sgemm.measure_sgemm_peak(size=64, repeats=2)
    assert peak.library.startswith('numpy') and peak.gflops > 0
    assert 'BLAS default threads' in peak.describe()
    with pytest.raises(ValueError, match='needs torch'):
        sgemm.measure_sgemm_peak(size=64, device='cuda:0')
    with pytest.raises(ValueError, match='positive'):
        sgemm.measure_sgemm_peak(size=0)
