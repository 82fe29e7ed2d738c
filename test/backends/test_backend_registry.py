# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Backends by name: what is reported available, one clear error otherwise, and torch-free imports.

Expected availability is computed independently from what is importable here, so the tests hold
on a CPU-only CI machine and on a GPU machine alike.
"""

import importlib.util
import subprocess
import sys

import numpy as np
import onnxruntime as ort
import pytest
import torch
from torch import nn

from lite_tracker_ros.backends import registry
from lite_tracker_ros.backends.onnxruntime_backend import OnnxRuntimeBackend
from lite_tracker_ros.backends.registry import BackendUnavailableError, make_backend
from lite_tracker_ros.backends.torch_backend import TorchBackend
from lite_tracker_ros.core.model_spec import CropSpec, ModelSpec
from lite_tracker_ros.export.onnx_export import export_onnx
from lite_tracker_ros.networks.base import TrackerNetwork

SPEC = ModelSpec(name='mini', family='mini', template=CropSpec(16, 2.0),
                 search=CropSpec(32, 4.0), feat_size=4, search_inputs=('zf', 'search'))


class MiniNetwork(TrackerNetwork):
    """Smallest network with a template cache: a conv feature correlated with the search."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.spec = SPEC
        self.conv = nn.Conv2d(3, 5, 8, 8)

    def forward_template(self, template):
        return {'zf': self.conv(template).mean((2, 3), keepdim=True)}

    def forward_search(self, cache, search):
        h = self.conv(search) * cache['zf']
        return {'score_map': h[:, :1].sigmoid(), 'size_map': h[:, 1:3].sigmoid(),
                'offset_map': h[:, 3:]}


@pytest.fixture(scope='module')
def mini_graphs(tmp_path_factory):
    graphs = export_onnx(MiniNetwork().eval(), tmp_path_factory.mktemp('mini'))
    return graphs.template, graphs.search


def test_backend_names():
    # the shipped three first, in this order; a new backend's row adds its name after them
    # without editing this test
    assert registry.BACKENDS[:3] == ('torch', 'onnxruntime', 'tensorrt')
    assert registry.BACKENDS == tuple(registry.BACKEND_TABLE)


def test_available_backends_reflect_this_machine():
    found = registry.available_backends()
    assert tuple(found) == registry.BACKENDS
    assert found['torch'].devices == (('cpu', 'cuda') if torch.cuda.is_available() else ('cpu',))
    providers = ort.get_available_providers()
    expected = ('cpu',) + (('cuda',) if 'CUDAExecutionProvider' in providers else ()) \
        + (('tensorrt',) if 'TensorrtExecutionProvider' in providers else ())
    assert found['onnxruntime'].devices == expected
    assert found['onnxruntime'].detail == f'onnxruntime {ort.__version__}'
    if importlib.util.find_spec('tensorrt') is None:
        assert not found['tensorrt'].usable
        assert 'tensorrt is not installed' in found['tensorrt'].detail


@pytest.mark.parametrize('device, parsed', [
    ('cpu', ('cpu', 0)), ('cuda', ('cuda', 0)), ('cuda:1', ('cuda', 1)),
    ('TensorRT:2', ('tensorrt', 2))])
def test_parse_device(device, parsed):
    assert registry.parse_device(device) == parsed


@pytest.mark.parametrize('device', ['gpu', 'cuda:x', 'cpu:0', ''])
def test_bad_device_says_what_is_understood(device):
    with pytest.raises(ValueError, match=r'use cpu, cuda\[:N\] or tensorrt\[:N\]'):
        registry.parse_device(device)


def _assert_lists_available(message):
    assert '\n' not in message
    assert 'torch (cpu' in message and 'onnxruntime (cpu' in message
    assert 'tensorrt (' in message


def test_unknown_backend_lists_what_is_available():
    with pytest.raises(BackendUnavailableError) as error:
        make_backend('openvino')
    assert "unknown backend 'openvino'" in str(error.value)
    _assert_lists_available(str(error.value))


def test_missing_tensorrt_is_one_clear_error(mini_graphs):
    if importlib.util.find_spec('tensorrt') is not None:
        pytest.skip('tensorrt is installed here: this checks the message on machines without it')
    with pytest.raises(BackendUnavailableError) as error:
        make_backend('tensorrt', device='cuda:0', graphs=mini_graphs)
    assert str(error.value).startswith("backend 'tensorrt' is unavailable; available: ")
    _assert_lists_available(str(error.value))


def test_missing_onnxruntime_device_is_one_clear_error(mini_graphs):
    if 'CUDAExecutionProvider' in ort.get_available_providers():
        pytest.skip('this onnxruntime has CUDA: the message is for CPU-only builds')
    with pytest.raises(BackendUnavailableError) as error:
        make_backend('onnxruntime', device='cuda:0', graphs=mini_graphs)
    assert "backend 'onnxruntime' cannot use device 'cuda:0'" in str(error.value)
    _assert_lists_available(str(error.value))


def test_torch_has_no_fp16_here():
    with pytest.raises(BackendUnavailableError, match='use fp32'):
        make_backend('torch', precision='fp16', network=MiniNetwork())


def test_graph_precision_choice():
    assert registry.graph_precision('onnxruntime', 'cpu', 'fp16') == 'fp16'
    assert registry.graph_precision('onnxruntime', 'tensorrt:0', 'fp16') == 'fp32'
    assert registry.graph_precision('tensorrt', 'cuda:0', 'fp16') == 'fp32'
    assert registry.graph_precision('onnxruntime', 'cpu', 'fp32') == 'fp32'


def test_make_backend_builds_interchangeable_backends(mini_graphs):
    network = MiniNetwork().eval()
    by_torch = make_backend('torch', network=network)
    by_ort = make_backend('onnxruntime', graphs=mini_graphs, num_threads=1, spin=False)
    assert isinstance(by_torch, TorchBackend) and isinstance(by_ort, OnnxRuntimeBackend)
    rng = np.random.default_rng(0)
    template = {'template': rng.standard_normal((1, 3, 16, 16), np.float32)}
    search = {'search': rng.standard_normal((1, 3, 32, 32), np.float32)}
    outputs = []
    for backend in (by_torch, by_ort):
        backend.set_template(template)
        outputs.append(backend.search(search))
    assert tuple(outputs[0]) == tuple(outputs[1]) == SPEC.search_outputs
    for name in SPEC.search_outputs:
        np.testing.assert_allclose(outputs[1][name], outputs[0][name], atol=1e-5)


def test_backends_need_their_inputs():
    with pytest.raises(ValueError, match='network='):
        make_backend('torch')
    with pytest.raises(ValueError, match='lite-tracker export'):
        make_backend('onnxruntime')


_NO_TORCH = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] == 'torch':
            raise ImportError('torch is blocked in this test')
sys.meta_path.insert(0, Block())
import numpy as np
from lite_tracker_ros.backends import registry, engine_cache, cuda_memory, tensorrt_backend
from lite_tracker_ros.export import graph_store, metadata
backend = registry.make_backend('onnxruntime', graphs=({template!r}, {search!r}), num_threads=1)
backend.set_template({{'template': np.ones((1, 3, 16, 16), np.float32)}})
out = backend.search({{'search': np.ones((1, 3, 32, 32), np.float32)}})
print('SPEC', backend.spec.name, 'OUT', sorted(out))
print('LEAKED', sorted(m for m in sys.modules if m.split('.')[0] == 'torch'))
"""


def test_runtime_path_works_without_torch(mini_graphs):
    """A Jetson may have ONNX Runtime or TensorRT and no torch: nothing here may import it."""
    script = _NO_TORCH.format(template=str(mini_graphs[0]), search=str(mini_graphs[1]))
    done = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "SPEC mini OUT ['offset_map', 'score_map', 'size_map']" in done.stdout
    assert 'LEAKED []' in done.stdout
