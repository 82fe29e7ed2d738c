# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
``lite-tracker quantize`` and ``precision='int8'`` end to end, on the real NanoTrack v2 weights.

The quantization runs once per session (a few seconds: NanoTrack's search path takes ~3 ms) into
a private model cache; the tests then load the int8 pair through ``create_tracker`` as a user
would. Calibration and agreement use different sequences of ../shared/data/sot.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper
import pytest

from lite_tracker_ros import cli
from lite_tracker_ros.core.types import BoxXYWH, ChannelOrder, Frame
from lite_tracker_ros.evaluation.sequences import discover_sequences
from lite_tracker_ros.export.int8 import quantization_info
from lite_tracker_ros.export.metadata import graph_paths
from lite_tracker_ros.factory import create_tracker, TrackerCreationError

#: the int8 NanoTrack track must overlap the float32 one at least this much on average
MIN_MEAN_IOU = 0.8


@pytest.fixture(scope='module')
def nanotrack_weights(nanotrack_dir) -> Path:
    return nanotrack_dir / 'nanotrackv2.pth'


def _quantize(argv: list[str], cache: Path) -> int:
    before = os.environ.get('LITE_TRACKER_CACHE')
    os.environ['LITE_TRACKER_CACHE'] = str(cache)
    try:
        return cli.main(['quantize', *argv])
    finally:
        if before is None:
            os.environ.pop('LITE_TRACKER_CACHE')
        else:
            os.environ['LITE_TRACKER_CACHE'] = before


@pytest.fixture(scope='module')
def quantized_cache(tmp_path_factory, nanotrack_weights, sot_dir) -> Path:
    """Return a model cache holding NanoTrack v2's fp32 export and int8 pair (no --output)."""
    pytest.importorskip('torch', reason='exporting the checkpoint needs torch')
    cache = tmp_path_factory.mktemp('int8_cache')
    code = _quantize(['nanotrack_v2', '--weights', str(nanotrack_weights), '--calibrate',
                      str(sot_dir), '--calibrate-sequences', 'Crossing,Couple', '--frames', '16',
                      '--evaluate', str(sot_dir), '--evaluate-sequences', 'Deer',
                      '--eval-frames', '10', '--threads', '1'], cache)
    assert code == 0
    return cache


def _frames(sot_dir: Path, name: str, count: int):
    import cv2
    sequence = discover_sequences(sot_dir / name)[0]
    boxes = sequence.groundtruth()
    frames = [Frame(cv2.imread(str(p), cv2.IMREAD_COLOR), ChannelOrder.BGR)
              for p in sequence.images[:count]]
    return frames, BoxXYWH(*(float(v) for v in boxes[0]))


def _iou(a: BoxXYWH, b: BoxXYWH) -> float:
    w = min(a.x + a.w, b.x + b.w) - max(a.x, b.x)
    h = min(a.y + a.h, b.y + b.h) - max(a.y, b.y)
    inter = max(w, 0.0) * max(h, 0.0)
    return inter / (a.w * a.h + b.w * b.h - inter)


def test_int8_pair_is_found_in_the_model_cache_and_tracks_like_fp32(
        quantized_cache, nanotrack_weights, sot_dir, monkeypatch):
    monkeypatch.setenv('LITE_TRACKER_CACHE', str(quantized_cache))
    int8 = create_tracker('nanotrack_v2', backend='onnxruntime', weights=nanotrack_weights,
                          precision='int8', num_threads=1)
    fp32 = create_tracker('nanotrack_v2', backend='onnxruntime', weights=nanotrack_weights,
                          num_threads=1)
    assert int8._backend.paths[1].name == 'nanotrack_v2.search.int8.onnx'
    assert fp32._backend.paths[1].name == 'nanotrack_v2.search.onnx'
    # Jogging: neither calibrated on nor used by the tool's own check
    frames, box = _frames(sot_dir, 'Jogging', 60)
    int8.init(frames[0], box)
    fp32.init(frames[0], box)
    ious = [_iou(int8.update(f).box, fp32.update(f).box) for f in frames[1:]]
    print(f'int8 vs fp32 IoU on Jogging 1-59: mean {np.mean(ious):.3f}, min {min(ious):.3f}')
    assert np.mean(ious) >= MIN_MEAN_IOU


def test_the_search_graph_is_symmetric_int8_qdq_and_the_template_stays_float(quantized_cache):
    folder = next((quantized_cache / 'onnx').glob('nanotrack_v2-*'))
    template, search = graph_paths(folder, 'nanotrack_v2', 'int8')
    model = onnx.load(str(search))
    info = quantization_info(model)
    assert info.quantized and info.activations == 's8' and info.calibration_feeds > 0
    assert info.calibration_source == ('Crossing', 'Couple')
    initialisers = {i.name: i for i in model.graph.initializer}
    points = [numpy_helper.to_array(initialisers[n.input[2]])
              for n in model.graph.node if n.op_type == 'QuantizeLinear']
    assert points, 'no QuantizeLinear node: nothing was quantized'
    # TensorRT's explicit quantization takes int8 with zero point 0 only
    assert all(p.dtype == np.int8 and not p.any() for p in points)
    # the backbone stays float for NanoTrack (KEEP_FLOAT): its convs take float inputs
    backbone = [n for n in model.graph.node if n.name.startswith('/backbone/')]
    assert backbone and not any(n.op_type.startswith('QLinear') for n in backbone)
    assert not quantization_info(onnx.load(str(template))).quantized


def test_int8_without_quantized_graphs_is_a_one_line_error_naming_the_command(tmp_path):
    with pytest.raises(TrackerCreationError) as caught:
        create_tracker('nanotrack_v2', backend='onnxruntime', weights=tmp_path, precision='int8')
    message = str(caught.value)
    assert '\n' not in message
    assert f'lite-tracker quantize nanotrack_v2 --weights {tmp_path}' in message


def test_int8_from_a_checkpoint_without_quantized_graphs_names_the_command(
        tmp_path, nanotrack_weights, monkeypatch):
    monkeypatch.setenv('LITE_TRACKER_CACHE', str(tmp_path))
    with pytest.raises(TrackerCreationError) as caught:
        create_tracker('nanotrack_v2', backend='onnxruntime', weights=nanotrack_weights,
                       precision='int8')
    message = str(caught.value)
    assert '\n' not in message
    assert f'lite-tracker quantize nanotrack_v2 --weights {nanotrack_weights}' in message


def test_agreement_under_the_threshold_writes_nothing_unless_forced(
        quantized_cache, nanotrack_weights, sot_dir, tmp_path, capsys):
    argv = ['nanotrack_v2', '--weights', str(nanotrack_weights), '--calibrate', str(sot_dir),
            '--calibrate-sequences', 'Deer', '--frames', '4', '--eval-frames', '6',
            '--threads', '1', '--output', str(tmp_path), '--min-iou', '1.01']
    assert _quantize(argv, quantized_cache) == 1
    assert 'nothing written' in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    assert _quantize(argv + ['--force'], quantized_cache) == 0
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == ['nanotrack_v2.int8.report.txt', 'nanotrack_v2.search.int8.onnx',
                       'nanotrack_v2.template.int8.onnx']
    report = (tmp_path / 'nanotrack_v2.int8.report.txt').read_text()
    assert 'IoU int8 vs fp32' in report and 'int8/fp32' in report
