# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
A :class:`Backend` running the exported template/search ONNX pair as native TensorRT engines.

* **Engines**: built from the float32 ONNX graphs, FP16 (``BuilderFlag.FP16``, float32 kept
  where TensorRT needs it, e.g. LayerNorm from opset 17) or FP32 (TF32 cleared, so FP32 is
  IEEE float32 also on Ampere and newer); or INT8 from the QDQ graphs ``lite-tracker quantize``
  writes: explicit quantization (``BuilderFlag.INT8`` with the graph's own Q/DQ scales, no
  calibrator) and ``BuilderFlag.FP16`` for the layers left in float; cached on disk by
  :mod:`engine_cache` under a key of ONNX sha256 (for int8 it covers the Q/DQ scales),
  TensorRT version, GPU name and precision, so an engine is built once per machine and rebuilt
  only when one of those changes (a build takes minutes on a Jetson).
* **Binding**: by tensor name with the name-based API (``num_io_tensors``,
  ``get_tensor_name``, ``set_tensor_address``, ``execute_async_v3``) of TensorRT 10, also present
  in TensorRT 8.6 (JetPack 6.0). Every tensor gets one device buffer for the backend's lifetime.
  The template engine's cache outputs (e.g. LiteTrack's ``z_k_i``/``z_v_i``) and the search
  engine's inputs of the same name share a buffer: the cache never leaves the GPU.
* **Device memory**: :mod:`cuda_memory` (CUDA tensors of torch when a CUDA torch is installed,
  else cuda-python), so a Jetson can run this backend without torch.
* **Warm-up**: both engines run on zeros before the constructor returns, so the first real frame
  does not pay for lazy initialisation.

* **Batched search**: a search graph exported with a batch axis (``export/onnx_export.py``) is
  built with one optimisation profile over that axis (:class:`BatchProfile`: min 1, opt the
  long-term mode's windows per frame, max ``MAX_PROPOSALS``; ``IBuilderConfig
  .add_optimization_profile``, present in TensorRT 8.6 and 10); its frame-input and output
  buffers are allocated for the max batch, and each ``search`` call sets the batch it sends with
  ``IExecutionContext.set_input_shape`` (only when it changed) and downloads that many rows.
  The profile is part of the search engine's cache key. A batch-1 graph builds as before
  (static shapes, ``max_batch`` 1); the template cache stays batch 1 and the graph broadcasts it.

Inputs and outputs are float32 numpy arrays (the exported graphs keep float32 at their
boundary in both precisions).
"""

from __future__ import annotations

from dataclasses import dataclass
import logging
from pathlib import Path
from typing import Any, Mapping, Optional

import numpy as np

from lite_tracker_ros.backends import cuda_memory
from lite_tracker_ros.backends.engine_cache import EngineCache, EngineKey, file_sha256
from lite_tracker_ros.backends.registry import (BACKEND_TABLE, BackendUnavailableError,
                                                describe_available, parse_device)
from lite_tracker_ros.core.batched_search import batch_axis
from lite_tracker_ros.core.long_term import MAX_PROPOSALS
from lite_tracker_ros.core.model_spec import ModelSpec
from lite_tracker_ros.core.search_plan import SearchBudget
from lite_tracker_ros.export.metadata import GraphMetadata, GraphMetadataError, read_metadata

log = logging.getLogger(__name__)

PRECISIONS = BACKEND_TABLE['tensorrt'].precisions
DEFAULT_WORKSPACE_MIB = 1024


def import_tensorrt():
    """Import TensorRT, or raise BackendUnavailableError listing the usable backends."""
    try:
        import tensorrt
    except ImportError as error:
        raise BackendUnavailableError('backend tensorrt is unavailable (tensorrt is not '
                                      f'installed); available: {describe_available()}') from error
    return tensorrt


@dataclass(frozen=True)
class BatchProfile:
    """The batch range a search engine with a batch axis is built for (one profile)."""

    smallest: int = 1
    #: the batch TensorRT tunes its kernels for: the windows the long-term mode searches per frame
    optimum: int = SearchBudget().per_frame
    #: the most search crops one call takes: the long-term mode's proposals
    largest: int = MAX_PROPOSALS

    def __post_init__(self):
        """Refuse a range TensorRT would reject at build time."""
        if not 1 <= self.smallest <= self.optimum <= self.largest:
            raise ValueError(f'batch profile needs 1 <= min <= opt <= max, got {self}')

    def describe(self) -> str:
        """Return the profile as it goes into the engine key, e.g. ``'batch 1/4/16'``."""
        return f'batch {self.smallest}/{self.optimum}/{self.largest}'

    def shapes(self, shape) -> Optional[tuple[tuple[int, ...], ...]]:
        """
        Return the (min, opt, max) shapes of an input of ``shape`` (-1 where dynamic).

        None for a static input (it needs no profile entry). Only the first (batch) axis may be
        dynamic: any other dynamic axis is an error naming the shape.
        """
        dims = tuple(int(d) for d in shape)
        if not dims or dims[0] >= 0:
            if any(d < 0 for d in dims):
                raise ValueError(f'input shape {dims}: only the batch axis may be dynamic; '
                                 're-export with `lite-tracker export`')
            return None
        rest = dims[1:]
        if any(d < 0 for d in rest):
            raise ValueError(f'input shape {dims}: only the batch axis may be dynamic; '
                             're-export with `lite-tracker export`')
        return tuple((batch, *rest) for batch in (self.smallest, self.optimum, self.largest))


def network_flags(trt: Any) -> int:
    """Explicit batch: required as a flag before TensorRT 10, the only mode since."""
    if int(trt.__version__.split('.')[0]) >= 10:
        return 0
    return 1 << int(trt.NetworkDefinitionCreationFlag.EXPLICIT_BATCH)


def has_qdq_layers(trt: Any, network: Any) -> bool:
    """Tell whether a parsed network holds Q/DQ layers (an explicitly quantized graph)."""
    kinds = (trt.LayerType.QUANTIZE, trt.LayerType.DEQUANTIZE)
    return any(network.get_layer(i).type in kinds for i in range(network.num_layers))


def check_int8_graph(path: Path) -> None:
    """Refuse an int8 graph TensorRT cannot take (uint8 activations), in one line."""
    try:
        import onnx

        from lite_tracker_ros.export.int8 import quantization_info
    except ImportError:  # onnx is optional on a TensorRT-only device: the parser will judge
        return
    info = quantization_info(onnx.load(str(path), load_external_data=False))
    if info is None:
        raise ValueError(f'{path} is not an int8 graph; write one with `lite-tracker quantize`')
    if info.quantized and info.activations != 's8':
        raise ValueError(f'{path} has {info.activations} activations, TensorRT takes symmetric '
                         'int8 only: quantize again with `lite-tracker quantize ... '
                         '--activations s8`')


def add_batch_profile(builder: Any, network: Any, config: Any, batch: BatchProfile) -> bool:
    """Give every input with a dynamic batch axis ``batch``'s range; tell whether any had one."""
    profile = None
    for i in range(network.num_inputs):
        tensor = network.get_input(i)
        shapes = batch.shapes(tuple(tensor.shape))
        if shapes is not None:
            profile = profile or builder.create_optimization_profile()
            profile.set_shape(tensor.name, *shapes)
    if profile is not None:
        config.add_optimization_profile(profile)
    return profile is not None


def build_serialized_engine(trt: Any, onnx_path: Path, precision: str, logger: Any,
                            workspace_mib: int = DEFAULT_WORKSPACE_MIB,
                            batch: BatchProfile = BatchProfile()) -> bytes:
    """Parse ``onnx_path``, build a serialised engine; raise RuntimeError with the parser log."""
    builder = trt.Builder(logger)
    network = builder.create_network(network_flags(trt))
    parser = trt.OnnxParser(network, logger)
    if not parser.parse_from_file(str(onnx_path)):
        errors = '; '.join(str(parser.get_error(i)) for i in range(parser.num_errors))
        raise RuntimeError(f'TensorRT cannot parse {onnx_path}: {errors}')
    config = builder.create_builder_config()
    add_batch_profile(builder, network, config, batch)
    config.set_memory_pool_limit(trt.MemoryPoolType.WORKSPACE, workspace_mib << 20)
    if precision in ('fp16', 'int8'):
        config.set_flag(trt.BuilderFlag.FP16)  # int8: the layers left in float run in FP16
    if precision == 'int8' and has_qdq_layers(trt, network):
        # explicit quantization: the scales are the graph's Q/DQ nodes, so no calibrator is set
        # (an int8 pair's template graph may be float: it then builds as FP16 only)
        config.set_flag(trt.BuilderFlag.INT8)
    if precision == 'fp32' and hasattr(trt.BuilderFlag, 'TF32'):
        config.clear_flag(trt.BuilderFlag.TF32)  # on by default; 'fp32' means IEEE float32
    serialized = builder.build_serialized_network(network, config)
    if serialized is None:
        raise RuntimeError(f'TensorRT failed to build an engine from {onnx_path} (see its log)')
    return bytes(serialized)


class _Engine:
    """One deserialised engine, its execution context and its tensors bound by name."""

    def __init__(self, trt: Any, engine: Any, role: str, buffers: Any,
                 shared: Mapping[str, str], max_batch: int = 1):
        self.engine = engine
        self.context = engine.create_execution_context()
        self.inputs: list[str] = []
        self.outputs: list[str] = []
        #: buffer shapes (a batch axis at its largest batch)
        self.shapes: dict[str, tuple[int, ...]] = {}
        self.dtypes: dict[str, np.dtype] = {}
        #: tensors with a dynamic batch axis (their first dim is set per call)
        self.batched: set[str] = set()
        #: the batch the context's input shapes are set to (None: not yet)
        self.batch: Optional[int] = None
        for i in range(engine.num_io_tensors):
            name = engine.get_tensor_name(i)
            shape = tuple(int(d) for d in engine.get_tensor_shape(name))
            if batch_axis(shape) and max_batch > 1 and all(d >= 0 for d in shape[1:]):
                self.batched.add(name)
                shape = (max_batch, *shape[1:])
            if any(d < 0 for d in shape):
                raise ValueError(f'{role} engine tensor {name} has dynamic shape {shape}; '
                                 're-export with `lite-tracker export` (static shapes but '
                                 "for the search graph's batch axis)")
            is_input = engine.get_tensor_mode(name) == trt.TensorIOMode.INPUT
            (self.inputs if is_input else self.outputs).append(name)
            self.shapes[name] = shape
            self.dtypes[name] = np.dtype(trt.nptype(engine.get_tensor_dtype(name)))
            # only inputs may alias another engine's buffer: an output of the same name as a
            # template output must not overwrite (or overrun) the template's buffer
            address = buffers.allocate(f'{role}/{name}', shape, self.dtypes[name],
                                       share_with=shared.get(name) if is_input else None)
            if not self.context.set_tensor_address(name, address):
                # TensorRT reports a bad binding here only by its return value
                raise RuntimeError(f'TensorRT refused the buffer of {role} tensor {name!r} '
                                   f'(address {address:#x}); the engine does not match the '
                                   'exported graph: delete the cached engine to rebuild it')

    def set_batch(self, batch: int) -> None:
        """Set every batched input's shape to ``batch`` rows (a no-op when it already is)."""
        if batch == self.batch or not self.batched:
            return
        for name in self.inputs:
            if name in self.batched and \
                    not self.context.set_input_shape(name, (batch, *self.shapes[name][1:])):
                raise ValueError(f'TensorRT refused batch {batch} for input {name!r} (outside '
                                 "the engine's optimisation profile)")
        self.batch = batch

    def run(self, stream_handle: int) -> None:
        if not self.context.execute_async_v3(stream_handle):
            raise RuntimeError('TensorRT execute_async_v3 failed (see its log)')


class TensorRTBackend:
    """Runs a model's exported template and search graphs as TensorRT engines on one GPU."""

    name = 'tensorrt'

    def __init__(self, template_graph: str | Path, search_graph: str | Path,
                 device: str = 'cuda:0', precision: str = 'fp16',
                 cache_folder: Optional[str | Path] = None,
                 workspace_mib: int = DEFAULT_WORKSPACE_MIB, warmup_runs: int = 3,
                 memory_provider: Optional[str] = None, trt_module: Any = None,
                 buffers: Any = None):
        if precision not in PRECISIONS:
            raise ValueError(f'precision {precision!r}: use one of {", ".join(PRECISIONS)}')
        kind, index = parse_device(device)
        if kind != 'cuda':
            raise BackendUnavailableError(f'the tensorrt backend runs on cuda[:N], not {device!r}')
        self.trt = trt_module or import_tensorrt()
        self.device = f'cuda:{index}'
        self.precision = precision
        self.buffers = buffers or cuda_memory.open_buffers(index, memory_provider)
        self.gpu_name = self.buffers.device_name
        if cache_folder is None:
            from lite_tracker_ros.model_registry import cache_dir
            cache_folder = cache_dir() / 'engines'
        self.cache = EngineCache(cache_folder)
        self._logger = self.trt.Logger(self.trt.Logger.WARNING)
        self._runtime = self.trt.Runtime(self._logger)
        self.built: dict[str, bool] = {}
        if precision == 'int8':
            for path in (template_graph, search_graph):
                check_int8_graph(Path(path))
        self.batch_profile = BatchProfile()
        self._template = self._open('template', Path(template_graph), workspace_mib, {})
        cache = {n: f'template/{n}' for n in self._template.outputs}
        self._search = self._open('search', Path(search_graph), workspace_mib, cache,
                                  self.batch_profile)
        self._cache_names = tuple(n for n in self._search.inputs if n in cache)
        for name in self._cache_names:
            same = (self._template.shapes[name], self._template.dtypes[name]) == \
                (self._search.shapes[name], self._search.dtypes[name])
            if not same:
                raise ValueError(f'cache tensor {name}: template and search engines disagree on '
                                 'its shape or type; export both graphs together')
        self._frame_inputs = tuple(n for n in self._search.inputs if n not in cache)
        unbatched = [n for n in self._frame_inputs if n not in self._search.batched]
        #: search inputs one ``search`` call takes (1: a graph of fixed batch 1)
        self.max_batch = self.batch_profile.largest if self._frame_inputs and not unbatched else 1
        if self.max_batch == 1 and self._search.batched:
            raise ValueError(f'search engine: cache inputs {sorted(self._search.batched)} have a '
                             'batch axis; only the frame inputs may: re-export the graphs')
        self._has_template = False
        self.metadata = _metadata(Path(search_graph))
        for _ in range(warmup_runs):
            self.warmup()

    def _open(self, role: str, onnx_path: Path, workspace_mib: int,
              shared: Mapping[str, str], batch: Optional[BatchProfile] = None) -> _Engine:
        if not onnx_path.is_file():
            raise FileNotFoundError(f'{onnx_path} not found; write it with `lite-tracker export`')
        # the search engine's key names its batch profile (used when the graph has a batch
        # axis), so an engine built for another range is never reused
        key = EngineKey(file_sha256(onnx_path), str(self.trt.__version__), self.gpu_name,
                        self.precision, batch.describe() if batch else '')
        batch = batch or BatchProfile(1, 1, 1)
        stem = onnx_path.name[:-len('.onnx')] if onnx_path.name.endswith('.onnx') \
            else onnx_path.name

        def build() -> bytes:
            log.warning('building the TensorRT %s engine for %s (%s) once; cached in %s',
                        self.precision, onnx_path.name, self.gpu_name, self.cache.folder)
            return build_serialized_engine(self.trt, onnx_path, self.precision, self._logger,
                                           workspace_mib, batch)

        cached = self.cache.get_or_build(stem, key, build)
        engine = self._runtime.deserialize_cuda_engine(cached.data)
        if engine is None and not cached.built:  # unreadable cache file: rebuild once
            self.cache.invalidate(stem, key)
            cached = self.cache.get_or_build(stem, key, build)
            engine = self._runtime.deserialize_cuda_engine(cached.data)
        if engine is None:
            raise RuntimeError(f'TensorRT cannot load the engine built from {onnx_path}')
        self.built[role] = cached.built
        return _Engine(self.trt, engine, role, self.buffers, shared, batch.largest)

    def _upload(self, engine: _Engine, role: str, names,
                inputs: Mapping[str, np.ndarray]) -> int:
        """Upload ``inputs``; return their batch (1 for an engine without a batch axis)."""
        missing = [n for n in names if n not in inputs]
        if missing:
            raise ValueError(f'{role} engine needs inputs {list(names)}; missing {missing}')
        arrays = {n: np.ascontiguousarray(inputs[n], dtype=engine.dtypes[n]) for n in names}
        batches = {a.shape[0] for n, a in arrays.items() if n in engine.batched and a.ndim}
        if len(batches) > 1:
            raise ValueError(f'{role} inputs disagree on their batch: {sorted(batches)}')
        batch = batches.pop() if batches else 1
        for name, array in arrays.items():
            expected = engine.shapes[name]
            if name in engine.batched:
                expected = (batch, *expected[1:])
                if not 1 <= batch <= engine.shapes[name][0]:
                    raise ValueError(f'{role} input {name}: batch {batch}, the engine takes 1 '
                                     f'to {engine.shapes[name][0]}')
            if array.shape != expected:
                raise ValueError(f'{role} input {name}: shape {array.shape}, the engine takes '
                                 f'{engine.shapes[name]}')
        engine.set_batch(batch)
        for name, array in arrays.items():
            self.buffers.upload(f'{role}/{name}', array)
        return batch

    def set_template(self, inputs: Mapping[str, np.ndarray]) -> None:
        self._upload(self._template, 'template', self._template.inputs, inputs)
        self._template.run(self.buffers.stream_handle)
        self.buffers.synchronize()
        self._has_template = True

    def search(self, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        if not self._has_template:
            raise RuntimeError('search() before set_template(): initialise the tracker first')
        batch = self._upload(self._search, 'search', self._frame_inputs, inputs)
        self._search.run(self.buffers.stream_handle)
        return {name: self.buffers.download(f'search/{name}', batch)
                if name in self._search.batched else self.buffers.download(f'search/{name}')
                for name in self._search.outputs}

    @property
    def spec(self) -> Optional[ModelSpec]:
        """Return the model spec stored in the graphs' metadata (None without the onnx package)."""
        return self.metadata.spec if self.metadata else None

    @property
    def template_cache(self) -> Optional[dict[str, np.ndarray]]:
        """Return the cache tensors the search engine reads (copied to the host), or None."""
        if not self._has_template:
            return None
        return {name: self.buffers.download(f'template/{name}') for name in self._cache_names}

    def warmup(self) -> None:
        """Run both engines once on zeros; leaves no template set."""
        self.set_template({n: np.zeros(self._template.shapes[n], self._template.dtypes[n])
                           for n in self._template.inputs})
        self.search({n: np.zeros((1, *self._search.shapes[n][1:])
                                 if n in self._search.batched else self._search.shapes[n],
                                 self._search.dtypes[n])
                     for n in self._frame_inputs})
        self._has_template = False


def _metadata(path: Path) -> Optional[GraphMetadata]:
    try:
        return read_metadata(path)
    except (ImportError, GraphMetadataError):  # onnx is optional on a TensorRT-only device
        return None
