# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
TensorRT backend: the engine cache and the name binding everywhere, real engines on a GPU only.

Without TensorRT (CI has no GPU) the engine-cache key and build-once logic are tested with a
fake builder, and the backend's binding logic (buffers by tensor name, the template cache shared
with the search engine, warm-up, rebuild on a changed key or an unreadable engine) runs against
a stand-in ``tensorrt`` module whose "engines" are ONNX Runtime sessions over the same graphs,
so a wrong binding gives wrong numbers. The real-engine tests need TensorRT and a CUDA GPU.
"""

import gc
import hashlib
import importlib.util
import json
import types
import weakref

import numpy as np
import onnxruntime as ort
import pytest
import torch
from torch import nn

from lite_tracker_ros.backends import cuda_memory
from lite_tracker_ros.backends.engine_cache import EngineCache, EngineKey, file_sha256
from lite_tracker_ros.backends.onnxruntime_backend import OnnxRuntimeBackend
from lite_tracker_ros.backends.tensorrt_backend import (_Engine, BatchProfile, network_flags,
                                                        TensorRTBackend)
from lite_tracker_ros.core.model_spec import CropSpec, ModelSpec
from lite_tracker_ros.export.onnx_export import export_onnx
from lite_tracker_ros.networks.base import TrackerNetwork

KEY = EngineKey('a' * 64, '10.3.0', 'NVIDIA Jetson Orin NX', 'fp16')


class CountingBuilder:
    def __init__(self, payload=b'engine-bytes'):
        self.calls, self.payload = 0, payload

    def __call__(self):
        self.calls += 1
        return self.payload


def test_key_digest_is_stable_and_covers_every_field():
    assert KEY.digest() == EngineKey(**json.loads(KEY.to_json())).digest()
    changed = [EngineKey('b' * 64, '10.3.0', KEY.gpu_name, 'fp16'),
               EngineKey(KEY.onnx_sha256, '8.6.2', KEY.gpu_name, 'fp16'),
               EngineKey(KEY.onnx_sha256, '10.3.0', 'NVIDIA H100', 'fp16'),
               EngineKey(KEY.onnx_sha256, '10.3.0', KEY.gpu_name, 'fp32'),
               EngineKey(KEY.onnx_sha256, '10.3.0', KEY.gpu_name, 'fp16', 'batch 1/4/16'),
               EngineKey(KEY.onnx_sha256, '10.3.0', KEY.gpu_name, 'fp16', 'batch 1/4/8')]
    assert len({KEY.digest()} | {k.digest() for k in changed}) == 7
    profiled = changed[-2]
    assert EngineKey(**json.loads(profiled.to_json())) == profiled


def test_a_key_without_profile_keeps_its_digest():
    # engines cached before batch profiles existed stay valid: the empty profile is left out
    fields = {'onnx_sha256': 'a' * 64, 'tensorrt_version': '10.3.0',
              'gpu_name': 'NVIDIA Jetson Orin NX', 'precision': 'fp16'}
    text = json.dumps(fields, sort_keys=True)
    assert KEY.digest() == hashlib.sha256(text.encode()).hexdigest()[:16]
    assert json.loads(KEY.to_json()) == fields


def test_batch_profile_shapes():
    profile = BatchProfile()
    # min 1, opt the windows searched per frame, max the long-term mode's proposals
    assert (profile.smallest, profile.optimum, profile.largest) == (1, 4, 16)
    assert profile.describe() == 'batch 1/4/16'
    assert profile.shapes((-1, 3, 256, 256)) == ((1, 3, 256, 256), (4, 3, 256, 256),
                                                 (16, 3, 256, 256))
    assert profile.shapes((1, 12, 64, 64)) is None  # the static template cache
    for shape in ((-1, 3, -1, 256), (1, 3, -1, 256)):
        with pytest.raises(ValueError, match='only the batch axis'):
            profile.shapes(shape)
    assert BatchProfile(2, 2, 8).shapes((-1, 5)) == ((2, 5), (2, 5), (8, 5))
    for bad in ((0, 1, 4), (1, 8, 4), (3, 2, 4)):
        with pytest.raises(ValueError, match='min <= opt <= max'):
            BatchProfile(*bad)


def test_file_sha256(tmp_path):
    path = tmp_path / 'g.onnx'
    path.write_bytes(b'x' * 3_000_000)
    assert file_sha256(path, chunk=4096) == hashlib.sha256(b'x' * 3_000_000).hexdigest()


def test_builds_once_then_reuses(tmp_path):
    build = CountingBuilder()
    first = EngineCache(tmp_path).get_or_build('m.search', KEY, build)
    assert (first.built, first.data, build.calls) == (True, b'engine-bytes', 1)
    again = EngineCache(tmp_path).get_or_build('m.search', KEY, build)  # e.g. a new process
    assert (again.built, again.data, again.path) == (False, b'engine-bytes', first.path)
    assert build.calls == 1
    assert json.loads(EngineCache(tmp_path).key_path('m.search', KEY).read_text()) == \
        json.loads(KEY.to_json())
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith('.')) == []


@pytest.mark.parametrize('field, value', [('onnx_sha256', 'c' * 64), ('tensorrt_version', '10.4'),
                                          ('gpu_name', 'NVIDIA RTX 4090'), ('precision', 'fp32')])
def test_a_changed_key_rebuilds(tmp_path, field, value):
    cache, build = EngineCache(tmp_path), CountingBuilder()
    cache.get_or_build('m.search', KEY, build)
    other = EngineKey(**{**json.loads(KEY.to_json()), field: value})
    rebuilt = cache.get_or_build('m.search', other, build)
    assert rebuilt.built and build.calls == 2
    assert rebuilt.path != cache.engine_path('m.search', KEY)
    assert cache.stale('m.search', other) == [cache.engine_path('m.search', KEY)]


def test_a_tampered_key_file_or_empty_engine_rebuilds(tmp_path):
    cache, build = EngineCache(tmp_path), CountingBuilder()
    cache.get_or_build('m', KEY, build)
    cache.key_path('m', KEY).write_text(json.dumps({'precision': 'fp16'}))
    assert cache.get_or_build('m', KEY, build).built and build.calls == 2
    cache.engine_path('m', KEY).write_bytes(b'')
    assert cache.get_or_build('m', KEY, build).built and build.calls == 3
    cache.invalidate('m', KEY)
    assert cache.load('m', KEY) is None


def test_an_empty_build_is_an_error(tmp_path):
    with pytest.raises(RuntimeError, match='produced nothing'):
        EngineCache(tmp_path).get_or_build('m', KEY, CountingBuilder(b''))
    assert EngineCache(tmp_path).load('m', KEY) is None


def test_network_flags_follow_the_tensorrt_version():
    flag = types.SimpleNamespace(EXPLICIT_BATCH=0)
    assert network_flags(types.SimpleNamespace(__version__='8.6.2',
                                               NetworkDefinitionCreationFlag=flag)) == 1
    assert network_flags(types.SimpleNamespace(__version__='10.3.0')) == 0


# ---------------------------------------------------------------- a stand-in for TensorRT


class FakeBuffers:
    """Host arrays standing for device buffers, addressed like device pointers."""

    provider, device_name, stream_handle = 'fake', 'Fake GPU', 1234

    def __init__(self):
        self.arrays, self.address, self._next = {}, {}, 0x1000

    def allocate(self, name, shape, dtype, share_with=None):
        if share_with is not None:
            self.address[name] = self.address[share_with]
        else:
            self.address[name], self._next = self._next, self._next + 0x1000
            self.arrays[self.address[name]] = np.full(shape, np.nan, dtype)
        return self.address[name]

    def upload(self, name, array):
        target = self.arrays[self.address[name]]
        assert array.shape[1:] == target.shape[1:] and array.shape[0] <= target.shape[0]
        target[:array.shape[0]] = array  # the leading rows: a batch up to the buffer's

    def download(self, name, rows=None):
        return self.arrays[self.address[name]][:rows].copy()

    def synchronize(self):
        pass


def _dims(shape):
    """ONNX Runtime's shape as TensorRT reports it: -1 for a symbolic dim."""
    return tuple(d if isinstance(d, int) else -1 for d in shape)


def fake_tensorrt(buffers, version='10.3.0'):
    """Stand in for the slice of the TensorRT API the backend uses; engines are ORT sessions."""
    trt = types.SimpleNamespace(__version__=version, builds=[], profiles=[], contexts=[],
                                nptype=np.dtype)
    trt.Logger = type('Logger', (), {'WARNING': 2, '__init__': lambda self, level: None})
    trt.TensorIOMode = types.SimpleNamespace(INPUT='input', OUTPUT='output')
    trt.MemoryPoolType = types.SimpleNamespace(WORKSPACE='workspace')
    trt.BuilderFlag = types.SimpleNamespace(FP16='fp16', TF32='tf32')

    class Network(dict):
        @property
        def num_inputs(self):
            return len(self['inputs'])

        def get_input(self, index):
            return self['inputs'][index]

    class Parser:
        def __init__(self, network, logger):
            self.network, self.num_errors = network, 0

        def parse_from_file(self, path):
            self.network['onnx'] = open(path, 'rb').read()
            session = ort.InferenceSession(self.network['onnx'],
                                           providers=['CPUExecutionProvider'])
            self.network['inputs'] = [types.SimpleNamespace(name=i.name, shape=_dims(i.shape))
                                      for i in session.get_inputs()]
            return True

    class Profile(dict):
        def set_shape(self, name, smallest, optimum, largest):
            self[name] = (smallest, optimum, largest)

    class Config:
        def __init__(self):
            self.flags, self.profiles = [], []

        def add_optimization_profile(self, profile):
            self.profiles.append(dict(profile))
            return len(self.profiles) - 1

        def set_memory_pool_limit(self, pool, size):
            assert pool == 'workspace' and size > 0

        def set_flag(self, flag):
            self.flags.append(flag)

        def clear_flag(self, flag):
            self.flags.append(f'no {flag}')

    class Builder:
        def __init__(self, logger):
            pass

        def create_network(self, flags):
            assert flags == network_flags(trt)
            return Network()

        def create_builder_config(self):
            return Config()

        def create_optimization_profile(self):
            return Profile()

        def build_serialized_network(self, network, config):
            trt.builds.append(tuple(config.flags))
            trt.profiles.append(config.profiles)
            return b'FAKE' + network['onnx']

    class Context:
        def __init__(self, session):
            self.session, self.addresses, self.input_shapes = session, {}, {}
            trt.contexts.append(self)

        def set_tensor_address(self, name, address):
            self.addresses[name] = address
            return True  # as TensorRT does when the name and alignment are fine

        def set_input_shape(self, name, shape):
            # as TensorRT: refused outside the profile's range (here the engine's max buffer)
            if shape[0] > buffers.arrays[self.addresses[name]].shape[0]:
                return False
            self.input_shapes[name] = tuple(shape)
            return True

        def execute_async_v3(self, stream_handle):
            assert stream_handle == buffers.stream_handle
            feed = {}
            for i in self.session.get_inputs():
                array = buffers.arrays[self.addresses[i.name]]
                if _dims(i.shape)[0] < 0:  # a batch axis: only the rows the shape was set to
                    array = array[:self.input_shapes[i.name][0]]
                feed[i.name] = array
            names = [o.name for o in self.session.get_outputs()]
            for name, value in zip(names, self.session.run(names, feed)):
                buffers.arrays[self.addresses[name]][:len(value)] = value
            return True

    class Engine:
        def __init__(self, onnx_bytes):
            self.session = ort.InferenceSession(onnx_bytes, providers=['CPUExecutionProvider'])
            self.io = {i.name: ('input', _dims(i.shape)) for i in self.session.get_inputs()}
            self.io.update({o.name: ('output', _dims(o.shape))
                            for o in self.session.get_outputs()})
            self.num_io_tensors = len(self.io)

        def get_tensor_name(self, index):
            return list(self.io)[index]

        def get_tensor_mode(self, name):
            return self.io[name][0]

        def get_tensor_shape(self, name):
            return self.io[name][1]

        def get_tensor_dtype(self, name):
            return np.float32

        def create_execution_context(self):
            return Context(self.session)

    class Runtime:
        def __init__(self, logger):
            pass

        def deserialize_cuda_engine(self, data):
            return Engine(data[4:]) if data.startswith(b'FAKE') else None

    trt.Builder, trt.OnnxParser, trt.Runtime = Builder, Parser, Runtime
    return trt


SPEC = ModelSpec(name='duo', family='duo', template=CropSpec(16, 2.0), search=CropSpec(32, 4.0),
                 feat_size=4, search_inputs=('zk', 'zv', 'search'))


class DuoNetwork(TrackerNetwork):
    """A template path with two cache tensors and one output the search path ignores."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.spec = SPEC
        self.embed = nn.Conv2d(3, 8, 8, 8)
        self.kv = nn.Linear(8, 16)
        self.head = nn.Conv2d(8, 5, 1)

    def forward_template(self, template):
        z = self.embed(template).flatten(2).transpose(1, 2)
        k, v = self.kv(z).chunk(2, dim=-1)
        return {'tokens': z, 'zk': k, 'zv': v}

    def forward_search(self, cache, search):
        x = self.embed(search).flatten(2).transpose(1, 2)
        x = x + (x @ cache['zk'].transpose(1, 2)).softmax(-1) @ cache['zv']
        h = self.head(x.transpose(1, 2).reshape(1, 8, 4, 4))
        return {'score_map': h[:, :1].sigmoid(), 'size_map': h[:, 1:3].sigmoid(),
                'offset_map': h[:, 3:]}


@pytest.fixture(scope='module')
def duo(tmp_path_factory):
    graphs = export_onnx(DuoNetwork().eval(), tmp_path_factory.mktemp('duo'))
    rng = np.random.default_rng(1)
    inputs = ({'template': rng.standard_normal((1, 3, 16, 16), np.float32)},
              {'search': rng.standard_normal((1, 3, 32, 32), np.float32)})
    return graphs, inputs


class BatchedDuoNetwork(DuoNetwork):
    """DuoNetwork with a batch axis on its search path (exported batched)."""

    max_search_batch = 8

    def forward_search(self, cache, search):
        x = self.embed(search).flatten(2).transpose(1, 2)
        x = x + (x @ cache['zk'].transpose(1, 2)).softmax(-1) @ cache['zv']
        h = self.head(x.transpose(1, 2).reshape(x.shape[0], 8, 4, 4))
        return {'score_map': h[:, :1].sigmoid(), 'size_map': h[:, 1:3].sigmoid(),
                'offset_map': h[:, 3:]}


@pytest.fixture(scope='module')
def batched_duo(tmp_path_factory):
    graphs = export_onnx(BatchedDuoNetwork().eval(), tmp_path_factory.mktemp('batched_duo'))
    rng = np.random.default_rng(2)
    inputs = ({'template': rng.standard_normal((1, 3, 16, 16), np.float32)},
              {'search': rng.standard_normal((1, 3, 32, 32), np.float32)})
    return graphs, inputs


def test_a_batched_search_graph_builds_with_a_profile_and_batches(batched_duo, tmp_path):
    from lite_tracker_ros.core.batched_search import search_many

    buffers = FakeBuffers()
    backend, trt = _fake_backend(batched_duo, tmp_path, buffers=buffers)
    # the template engine is static (no profile), the search engine gets one for its batch
    assert trt.profiles == [[], [{'search': ((1, 3, 32, 32), (4, 3, 32, 32), (16, 3, 32, 32))}]]
    assert backend.max_batch == 16
    assert buffers.arrays[buffers.address['search/search']].shape == (16, 3, 32, 32)
    assert buffers.arrays[buffers.address['search/score_map']].shape == (16, 1, 4, 4)
    assert buffers.address['search/zk'] == buffers.address['template/zk']  # still shared
    graphs, (template, _) = batched_duo
    # warm-up runs a symbolic batch axis as batch 1
    reference = OnnxRuntimeBackend(graphs.template, graphs.search, num_threads=1, warmup=True)
    assert reference.max_batch == 16 and reference.template_cache is None
    reference.set_template(template)
    backend.set_template(template)
    rng = np.random.default_rng(3)
    crops = [{'search': rng.standard_normal((1, 3, 32, 32), np.float32)} for _ in range(5)]
    singles = [reference.search(c) for c in crops]
    context = trt.contexts[-1]
    batched = search_many(backend, crops)
    assert context.input_shapes == {'search': (5, 3, 32, 32)}
    for one, many in zip(singles, batched):
        for name in SPEC.search_outputs:
            assert many[name].shape == one[name].shape
            np.testing.assert_allclose(many[name], one[name], atol=1e-6)
    # back to one crop: the shape is set again, and only one row comes back
    got = backend.search(crops[2])
    assert context.input_shapes == {'search': (1, 3, 32, 32)}
    np.testing.assert_allclose(got['score_map'], singles[2]['score_map'], atol=1e-6)
    with pytest.raises(ValueError, match='batch 17, the engine takes 1 to 16'):
        backend.search({'search': np.zeros((17, 3, 32, 32), np.float32)})


def test_the_profile_is_in_the_search_engine_key(batched_duo, tmp_path):
    backend, _ = _fake_backend(batched_duo, tmp_path)
    graphs, _ = batched_duo
    stored = sorted(p.name for p in tmp_path.glob('*.key.json'))
    keys = [json.loads((tmp_path / name).read_text()) for name in stored]
    assert sorted(k.get('profile', '') for k in keys) == ['', 'batch 1/4/16']
    again, trt = _fake_backend(batched_duo, tmp_path)
    assert again.built == {'template': False, 'search': False} and trt.builds == []


def test_a_batch_one_graph_stays_static(duo, tmp_path):
    backend, trt = _fake_backend(duo, tmp_path)
    assert backend.max_batch == 1
    assert trt.profiles == [[], []]  # no dynamic input: no profile added


def _fake_backend(duo, folder, precision='fp16', buffers=None, version='10.3.0'):
    buffers = buffers or FakeBuffers()
    trt = fake_tensorrt(buffers, version)
    graphs, _ = duo
    backend = TensorRTBackend(graphs.template, graphs.search, precision=precision,
                              cache_folder=folder, trt_module=trt, buffers=buffers)
    return backend, trt


def test_binding_by_name_matches_onnxruntime(duo, tmp_path):
    backend, trt = _fake_backend(duo, tmp_path)
    graphs, (template, search) = duo
    assert (backend.name, backend.device, backend.gpu_name) == ('tensorrt', 'cuda:0', 'Fake GPU')
    assert backend.built == {'template': True, 'search': True}
    assert trt.builds == [('fp16',), ('fp16',)]
    assert backend.spec == SPEC and backend.template_cache is None  # warm-up leaves no template
    with pytest.raises(RuntimeError, match='set_template'):
        backend.search(search)
    reference = OnnxRuntimeBackend(graphs.template, graphs.search, num_threads=1)
    reference.set_template(template)
    backend.set_template(template)
    assert set(backend.template_cache) == {'zk', 'zv'}
    expected, got = reference.search(search), backend.search(search)
    assert tuple(got) == SPEC.search_outputs
    for name in SPEC.search_outputs:
        np.testing.assert_allclose(got[name], expected[name], atol=1e-6)


def test_the_cache_never_leaves_the_device(duo, tmp_path):
    buffers = FakeBuffers()
    _fake_backend(duo, tmp_path, buffers=buffers)
    assert buffers.address['search/zk'] == buffers.address['template/zk']
    assert buffers.address['search/zv'] == buffers.address['template/zv']
    assert buffers.address['search/search'] not in (buffers.address['template/template'],)


def test_engines_are_reused_then_rebuilt_for_another_precision(duo, tmp_path):
    _fake_backend(duo, tmp_path)
    again, trt = _fake_backend(duo, tmp_path)
    assert again.built == {'template': False, 'search': False} and trt.builds == []
    fp32, trt = _fake_backend(duo, tmp_path, precision='fp32')
    assert fp32.built == {'template': True, 'search': True}
    assert trt.builds == [('no tf32',), ('no tf32',)]
    upgraded, trt = _fake_backend(duo, tmp_path, version='10.4.0')
    assert upgraded.built['search'] and len(trt.builds) == 2


def test_an_unreadable_cached_engine_is_rebuilt(duo, tmp_path):
    first, _ = _fake_backend(duo, tmp_path)
    graphs, _ = duo
    key = EngineKey(file_sha256(graphs.search), '10.3.0', 'Fake GPU', 'fp16',
                    BatchProfile().describe())  # the search engine's key names its profile
    first.cache.engine_path('duo.search', key).write_bytes(b'corrupt')
    again, trt = _fake_backend(duo, tmp_path)
    assert again.built == {'template': False, 'search': True} and len(trt.builds) == 1


def test_wrong_input_shape_is_explained(duo, tmp_path):
    backend, _ = _fake_backend(duo, tmp_path)
    with pytest.raises(ValueError, match=r'template input template: shape \(1, 3, 8, 8\)'):
        backend.set_template({'template': np.zeros((1, 3, 8, 8), np.float32)})


def test_only_inputs_alias_template_buffers():
    """A search output named like a template output gets a buffer of its own."""
    buffers = FakeBuffers()
    buffers.allocate('template/zk', (1, 4), np.float32)
    buffers.allocate('template/tokens', (1, 4), np.float32)
    io = {'zk': ('input', (1, 4)), 'tokens': ('output', (1, 8))}
    context = types.SimpleNamespace(set_tensor_address=lambda name, address: True)
    engine = types.SimpleNamespace(
        num_io_tensors=len(io), get_tensor_name=lambda i: list(io)[i],
        get_tensor_mode=lambda name: io[name][0], get_tensor_shape=lambda name: io[name][1],
        get_tensor_dtype=lambda name: np.float32, create_execution_context=lambda: context)
    _Engine(fake_tensorrt(buffers), engine, 'search', buffers, {n: f'template/{n}' for n in io})
    assert buffers.address['search/zk'] == buffers.address['template/zk']
    assert buffers.address['search/tokens'] != buffers.address['template/tokens']
    assert buffers.arrays[buffers.address['search/tokens']].shape == (1, 8)


def test_a_refused_binding_is_an_error_at_load():
    buffers = FakeBuffers()
    context = types.SimpleNamespace(set_tensor_address=lambda name, address: False)
    engine = types.SimpleNamespace(
        num_io_tensors=1, get_tensor_name=lambda i: 'template',
        get_tensor_mode=lambda name: 'input', get_tensor_shape=lambda name: (1, 3, 8, 8),
        get_tensor_dtype=lambda name: np.float32, create_execution_context=lambda: context)
    with pytest.raises(RuntimeError, match="refused the buffer of template tensor 'template'"):
        _Engine(fake_tensorrt(buffers), engine, 'template', buffers, {})


class FakeCudart:
    """The slice of cuda-python's runtime that CudaPythonBuffers calls, without a GPU."""

    cudaMemcpyKind = types.SimpleNamespace(cudaMemcpyHostToDevice=1, cudaMemcpyDeviceToHost=2)

    def __init__(self):
        self.allocations = 0

    def cudaSetDevice(self, index):
        return (0,)

    def cudaGetDeviceProperties(self, index):
        return 0, types.SimpleNamespace(name=b'Orin\0\0', major=8, minor=7,
                                        multiProcessorCount=8)

    def cudaStreamCreate(self):
        return 0, 7

    def cudaMalloc(self, size):
        self.allocations += 1
        return 0, 0x1000 * self.allocations

    def cudaMemcpyAsync(self, dst, src, count, kind, stream):
        return (0,)

    def cudaStreamSynchronize(self, stream):
        return (0,)

    def cudaFree(self, address):
        return (0,)


def test_cuda_python_keeps_host_sources_until_synchronised(monkeypatch):
    monkeypatch.setattr(cuda_memory, '_cudart', FakeCudart)
    buffers = cuda_memory.CudaPythonBuffers(0)
    # the engine key tells an Orin NX (8 SMs) from an AGX (16) though both are called "Orin"
    assert (buffers.device_name, buffers.stream_handle) == ('Orin (sm_87, 8 SMs)', 7)
    buffers.allocate('x', (4,), np.float32)
    host = np.ones(4, np.float32)
    source = weakref.ref(host)
    buffers.upload('x', host)
    del host
    gc.collect()
    assert source() is not None  # an async copy from pageable memory may still read it
    buffers.synchronize()
    gc.collect()
    assert source() is None


# ---------------------------------------------------------------- real TensorRT, GPU only


def _require_tensorrt_gpu():
    pytest.importorskip('tensorrt', reason='TensorRT not installed: GPU machines only')
    from lite_tracker_ros.backends import cuda_memory
    if cuda_memory.device_count() == 0:
        pytest.skip('no CUDA GPU visible: TensorRT engines need one')


@pytest.mark.slow
@pytest.mark.parametrize('precision', ['fp32', 'fp16'])
def test_real_engine_on_the_conformance_inputs(precision, conformance_dir, conformance_state_dict,
                                               tmp_path):
    _require_tensorrt_gpu()
    from lite_tracker_ros.factory import load_network

    state = conformance_state_dict('litetrack_b4')
    network = load_network('litetrack_b4', {k: torch.from_numpy(v) for k, v in state.items()})
    graphs = export_onnx(network, tmp_path / 'onnx')
    backend = TensorRTBackend(graphs.template, graphs.search, precision=precision,
                              cache_folder=tmp_path / 'engines')
    pack = np.load(conformance_dir / 'litetrack_b4.npz')
    backend.set_template({'template': pack['template_in'], 'template_bb': pack['template_bb']})
    out = backend.search({'search': pack['search_in']})
    maps = ('score_map', 'size_map', 'offset_map')
    diffs = {k: float(np.abs(out[k] - pack[k]).max()) for k in maps}
    print(f'TensorRT {precision} vs pack: {diffs}')
    assert all(np.isfinite(v) for v in diffs.values())
    if precision == 'fp32':  # TF32 is cleared for FP32 engines: float32 noise only
        assert max(diffs.values()) <= 1e-4
    # the search graph's batch axis through the optimisation profile: three crops in one call
    # give what each gives alone (the long-term mode's tiles)
    from lite_tracker_ros.core.batched_search import search_many
    assert backend.max_batch == 16
    crop = pack['search_in']
    crops = [{'search': crop}, {'search': np.ascontiguousarray(crop[..., ::-1])},
             {'search': np.ascontiguousarray(crop[:, ::-1])}]
    singles = [backend.search(c) for c in crops]
    batched = search_many(backend, crops)
    batch_diff = max(float(np.abs(many[k] - one[k]).max())
                     for one, many in zip(singles, batched) for k in maps)
    print(f'TensorRT {precision} batched vs single: {batch_diff:.2e}')
    assert np.isfinite(batch_diff)
    if precision == 'fp32':
        assert batch_diff <= 1e-4
    rebuilt = TensorRTBackend(graphs.template, graphs.search, precision=precision,
                              cache_folder=tmp_path / 'engines')
    assert rebuilt.built == {'template': False, 'search': False}


def test_no_tensorrt_here_is_reported(tmp_path):
    if importlib.util.find_spec('tensorrt') is not None:
        pytest.skip('tensorrt is installed: the message is for machines without it')
    from lite_tracker_ros.backends.registry import BackendUnavailableError
    with pytest.raises(BackendUnavailableError, match='tensorrt is not installed'):
        TensorRTBackend(tmp_path / 'a.onnx', tmp_path / 'b.onnx')


def _deer_track(conformance_dir, sot_dir, name):
    import cv2
    rows = [line.split('\t') for line in (conformance_dir / f'{name}.track.tsv').read_text()
            .splitlines() if not line.startswith('#')]
    reference = [dict(zip(rows[0], row)) for row in rows[1:]]
    frames = [cv2.imread(str(sot_dir / 'Deer' / 'img' / f'{i:04d}.jpg'))
              for i in range(1, len(reference) + 1)]
    if any(f is None for f in frames):
        pytest.skip('Deer frames not readable')
    return reference, frames


@pytest.mark.slow
@pytest.mark.parametrize('name', ['litetrack_b4', 'litetrack_b9'])
@pytest.mark.parametrize('precision', ['fp32', 'fp16'])
def test_real_engine_tracks_the_conformance_sequence(name, precision, conformance_dir, sot_dir,
                                                     conformance_state_dict, tmp_path):
    """FP32 must give the upstream boxes (0.01 px, same argmax); FP16 is reported only."""
    _require_tensorrt_gpu()
    from lite_tracker_ros.core.center_decode import hann_window
    from lite_tracker_ros.core.center_tracker import CenterHeadTracker
    from lite_tracker_ros.core.types import BoxXYWH, ChannelOrder, Frame
    from lite_tracker_ros.factory import load_network
    from lite_tracker_ros.specs import get_spec

    spec = get_spec(name)
    network = load_network(name, {k: torch.from_numpy(v)
                                  for k, v in conformance_state_dict(name).items()})
    graphs = export_onnx(network, tmp_path / 'onnx')
    backend = TensorRTBackend(graphs.template, graphs.search, precision=precision,
                              cache_folder=tmp_path / 'engines')
    reference, frames = _deer_track(conformance_dir, sot_dir, name)
    outputs = []
    search = backend.search
    backend.search = lambda inputs: outputs.append(search(inputs)) or outputs[-1]
    tracker = CenterHeadTracker(spec, backend)
    tracker.init(Frame(frames[0], ChannelOrder.BGR),
                 BoxXYWH(*(float(reference[0][k]) for k in 'xywh')))
    window, worst, flips = hann_window(16), 0.0, []
    for ref, frame in zip(reference[1:], frames[1:]):
        box = tracker.update(Frame(frame, ChannelOrder.BGR)).box.as_tuple()
        worst = max(worst, float(np.abs(np.array(box) - [float(ref[k]) for k in 'xywh']).max()))
        if int(np.argmax(window * outputs[-1]['score_map'][0, 0])) != int(ref['argmax_idx']):
            flips.append(int(ref['frame']))
    print(f'TensorRT {name} {precision} ({backend.gpu_name}): 59-frame max box deviation '
          f'{worst:.2e} px, argmax flips at frames {flips}')
    if precision == 'fp32':
        assert flips == [] and worst <= 1e-2
