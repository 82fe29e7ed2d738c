# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
TensorRT explicit quantization: the QDQ graph ``lite-tracker quantize`` writes, built as INT8.

The engine tests need TensorRT and a CUDA GPU and skip inside the test without them; the check
that refuses graphs TensorRT cannot take runs everywhere.
"""

from __future__ import annotations

import types

import numpy as np
import onnxruntime as ort
import pytest
import torch
from torch import nn

from lite_tracker_ros.backends.tensorrt_backend import (build_serialized_engine, check_int8_graph,
                                                        TensorRTBackend)
from lite_tracker_ros.core.model_spec import CropSpec, ModelSpec
from lite_tracker_ros.export import int8
from lite_tracker_ros.export.metadata import graph_paths
from lite_tracker_ros.export.onnx_export import export_onnx
from lite_tracker_ros.networks.base import TrackerNetwork

SPEC = ModelSpec(name='mini', family='mini', template=CropSpec(16, 2.0),
                 search=CropSpec(32, 4.0), feat_size=4, search_inputs=('zk', 'search'))


class MiniNetwork(TrackerNetwork):
    """A convolution, an attention-like product with the template cache and a conv head."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.spec = SPEC
        self.embed = nn.Conv2d(3, 16, 8, 8)
        self.proj = nn.Linear(16, 16)
        self.head = nn.Conv2d(16, 5, 1)

    def forward_template(self, template):
        return {'zk': self.proj(self.embed(template).flatten(2).transpose(1, 2))}

    def forward_search(self, cache, search):
        x = self.proj(self.embed(search).flatten(2).transpose(1, 2))
        x = x + (x @ cache['zk'].transpose(1, 2)).softmax(-1) @ cache['zk']
        h = self.head(x.transpose(1, 2).reshape(1, 16, 4, 4))
        return {'score_map': h[:, :1].sigmoid(), 'size_map': h[:, 1:3].sigmoid(),
                'offset_map': h[:, 3:]}


def _quantized_pair(folder, activations='s8'):
    graphs = export_onnx(MiniNetwork().eval(), folder)
    rng = np.random.default_rng(0)
    template = ort.InferenceSession(str(graphs.template), providers=['CPUExecutionProvider'])
    feeds, templates = [], []
    for _ in range(8):
        crop = {'template': rng.standard_normal((1, 3, 16, 16), np.float32)}
        cache = dict(zip(['zk'], template.run(['zk'], crop)))
        feeds.append({**cache, 'search': rng.standard_normal((1, 3, 32, 32), np.float32)})
        templates.append(crop)
    template8, search8 = graph_paths(folder, 'mini', 'int8')
    int8.quantize_graph(graphs.search, search8, feeds, activations)
    int8.keep_float(graphs.template, template8)
    return (template8, search8), templates[0], {'search': feeds[0]['search']}


def test_tensorrt_refuses_uint8_activations_in_one_line(tmp_path):
    (template8, search8), _, _ = _quantized_pair(tmp_path, 'u8')
    check_int8_graph(template8)  # float template under the int8 name: fine
    with pytest.raises(ValueError) as caught:
        check_int8_graph(search8)
    assert '--activations s8' in str(caught.value) and '\n' not in str(caught.value)


def test_tensorrt_refuses_a_float_export_as_int8(tmp_path):
    graphs = export_onnx(MiniNetwork().eval(), tmp_path)
    with pytest.raises(ValueError, match='lite-tracker quantize'):
        check_int8_graph(graphs.search)


def _builder_slice(layer_types: list[str]):
    """Return the slice of TensorRT build_serialized_engine uses, and the flags it sets."""
    flags = []
    layers = [types.SimpleNamespace(type=t) for t in layer_types]
    # no inputs: a static graph needs no optimisation profile (test_tensorrt_backend.py has
    # the batched one)
    network = types.SimpleNamespace(num_layers=len(layers), get_layer=layers.__getitem__,
                                    num_inputs=0)
    config = types.SimpleNamespace(set_memory_pool_limit=lambda pool, size: None,
                                   set_flag=flags.append,
                                   clear_flag=lambda flag: flags.append(f'no {flag}'))
    parser = types.SimpleNamespace(parse_from_file=lambda path: True, num_errors=0)
    builder = types.SimpleNamespace(create_network=lambda flags: network,
                                    create_builder_config=lambda: config,
                                    build_serialized_network=lambda net, cfg: b'engine')
    trt = types.SimpleNamespace(
        __version__='10.3.0', Builder=lambda logger: builder,
        OnnxParser=lambda net, logger: parser,
        MemoryPoolType=types.SimpleNamespace(WORKSPACE='workspace'),
        BuilderFlag=types.SimpleNamespace(FP16='fp16', INT8='int8', TF32='tf32'),
        LayerType=types.SimpleNamespace(QUANTIZE='quantize', DEQUANTIZE='dequantize'))
    return trt, flags


@pytest.mark.parametrize('precision, layers, expected', [
    ('int8', ['convolution', 'quantize', 'dequantize'], ['fp16', 'int8']),
    ('int8', ['convolution'], ['fp16']),  # a float template of an int8 pair: FP16 only
    ('fp16', ['convolution', 'quantize'], ['fp16']),
    ('fp32', ['convolution'], ['no tf32'])])
def test_builder_flags_per_precision(precision, layers, expected, tmp_path):
    trt, flags = _builder_slice(layers)
    assert build_serialized_engine(trt, tmp_path / 'g.onnx', precision, None) == b'engine'
    assert flags == expected


def test_real_int8_engine_matches_onnxruntime_and_is_cached_under_int8(tmp_path):
    pytest.importorskip('tensorrt', reason='TensorRT not installed: GPU machines only')
    from lite_tracker_ros.backends import cuda_memory
    if cuda_memory.device_count() == 0:
        pytest.skip('no CUDA GPU visible: TensorRT engines need one')
    (template8, search8), template_in, search_in = _quantized_pair(tmp_path / 'onnx')
    engines = tmp_path / 'engines'
    backend = TensorRTBackend(template8, search8, precision='int8', cache_folder=engines)
    assert backend.built == {'template': True, 'search': True}
    backend.set_template(template_in)
    got = backend.search(search_in)
    reference = ort.InferenceSession(str(search8), providers=['CPUExecutionProvider'])
    template = ort.InferenceSession(str(template8), providers=['CPUExecutionProvider'])
    feed = {'zk': template.run(['zk'], template_in)[0], **search_in}
    expected = dict(zip([o.name for o in reference.get_outputs()], reference.run(None, feed)))
    for name, value in expected.items():
        scale = float(np.abs(value).max())
        error = float(np.abs(got[name] - value).max())
        print(f'TensorRT int8 vs ONNX Runtime int8, {name}: max |diff| {error:.3g} '
              f'(scale {scale:.3g})')
        assert error <= 0.05 * scale + 1e-3  # int8 rounding differs between the runtimes
    assert sorted(p.name.split('.')[-3] for p in engines.glob('*.engine')) == ['int8', 'int8']
    again = TensorRTBackend(template8, search8, precision='int8', cache_folder=engines)
    assert again.built == {'template': False, 'search': False}
