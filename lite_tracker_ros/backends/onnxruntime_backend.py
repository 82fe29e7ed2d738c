# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
A :class:`Backend` over any exported template/search ONNX pair, run with ONNX Runtime.

Works with every model ``lite-tracker export`` writes (see ``export/onnx_export.py``): the
template graph's outputs that the search graph takes as inputs are the template cache, kept as
numpy arrays between frames and fed with each search crop. Nothing here imports torch.

Devices: ``cpu`` (CPUExecutionProvider), ``cuda[:N]`` (CUDAExecutionProvider) and
``tensorrt[:N]`` (TensorrtExecutionProvider, FP16 when ``trt_fp16``, INT8 from the graph's
Q/DQ nodes when ``trt_int8``, engine cache in ``trt_cache``, falling back to CUDA then CPU for
unsupported nodes), when this onnxruntime build has them.

Session options are tuned for one-frame-at-a-time latency: all graph optimisations, sequential
execution, ``num_threads`` intra-op threads (0: ONNX Runtime's default, one per core) and, by
default, no spin-waiting between operators (``spin=False``): on the 2-core shared CI machine the
LiteTrack-B4 search path ran at 245-261 ms p50 without spinning against 296-304 ms with it at
2 threads, and equally at 1 thread (``docs/bench_backends_cpu.md``); pass ``spin=True`` on a
dedicated machine to try. The template cache stays numpy: handing ONNX Runtime pre-wrapped
OrtValues through an IO binding measured 208.0 ms against 207.1 ms for plain numpy (B4, 1
thread; wrapping the four cache arrays costs 9 us), and on a GPU the cache (1.2 MB for B9)
uploads in well under a millisecond per frame.

Batched search: a search graph exported with a symbolic batch axis on its frame inputs (see
``export/onnx_export.py``) takes up to ``max_batch`` search crops in one ``search`` call (the
long-term mode's tiles, :mod:`lite_tracker_ros.core.batched_search`), against the one cached
template the graph broadcasts; ``max_batch`` is the long-term mode's ``MAX_PROPOSALS``. Graphs
with a fixed batch 1 (exported before batching, e.g. in a model cache) keep working: their
``max_batch`` is 1 and the tiles run one per call.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Optional

import numpy as np
import onnxruntime as ort

from lite_tracker_ros.backends.registry import BackendUnavailableError, parse_device
from lite_tracker_ros.core.batched_search import batch_axis
from lite_tracker_ros.core.long_term import MAX_PROPOSALS
from lite_tracker_ros.core.model_spec import ModelSpec
from lite_tracker_ros.export.metadata import graph_paths, GraphMetadata, GraphMetadataError

#: search inputs one call takes when the search graph has a batch axis
BATCHED_SEARCH_LIMIT = MAX_PROPOSALS

CPU = 'CPUExecutionProvider'
CUDA = 'CUDAExecutionProvider'
TENSORRT = 'TensorrtExecutionProvider'
#: device kind -> the provider it needs
DEVICE_PROVIDERS = {'cpu': CPU, 'cuda': CUDA, 'tensorrt': TENSORRT}


def ort_devices() -> tuple[str, ...]:
    """Device kinds this onnxruntime build can run: some of ``cpu``, ``cuda``, ``tensorrt``."""
    present = set(ort.get_available_providers())
    return tuple(kind for kind, provider in DEVICE_PROVIDERS.items() if provider in present)


def providers_for(device: str, fp16: bool = False,
                  trt_cache: Optional[Path] = None, int8: bool = False) -> list:
    """ONNX Runtime's provider list for ``device``, or BackendUnavailableError listing options."""
    kind, index = parse_device(device)
    if kind not in DEVICE_PROVIDERS or DEVICE_PROVIDERS[kind] not in ort.get_available_providers():
        raise BackendUnavailableError(
            f'onnxruntime {ort.__version__} cannot run on {device!r}; available devices: '
            f'{", ".join(ort_devices())} (a GPU needs the onnxruntime-gpu package)')
    cuda = (CUDA, {'device_id': index})
    if kind == 'cpu':
        return [CPU]
    if kind == 'cuda':
        return [cuda, CPU]
    # int8: the graph's own Q/DQ scales (explicit quantization), no calibration table
    options = {'device_id': index, 'trt_fp16_enable': fp16, 'trt_int8_enable': int8}
    if trt_cache is not None:
        options.update(trt_engine_cache_enable=True, trt_engine_cache_path=str(trt_cache))
    present = ort.get_available_providers()
    return [(TENSORRT, options)] + ([cuda] if CUDA in present else []) + [CPU]


def session_options(num_threads: int = 0, spin: Optional[bool] = None,
                    profile_prefix: Optional[str] = None) -> ort.SessionOptions:
    """Latency-oriented session options (see the module docstring)."""
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.inter_op_num_threads = 1
    if num_threads > 0:
        options.intra_op_num_threads = num_threads
    if spin is not None:
        options.add_session_config_entry('session.intra_op.allow_spinning', '1' if spin else '0')
    if profile_prefix:
        options.enable_profiling = True
        options.profile_file_prefix = profile_prefix
    options.log_severity_level = 3  # errors only: no per-session provider chatter
    return options


def _metadata(session: ort.InferenceSession, source: str) -> Optional[GraphMetadata]:
    try:
        return GraphMetadata.from_props(session.get_modelmeta().custom_metadata_map, source)
    except GraphMetadataError:
        return None


class OnnxRuntimeBackend:
    """Runs a model's exported template and search graphs with ONNX Runtime."""

    name = 'onnxruntime'

    def __init__(self, template_graph: str | Path, search_graph: str | Path,
                 device: str = 'cpu', num_threads: int = 0, spin: Optional[bool] = False,
                 trt_cache: Optional[Path] = None, trt_fp16: bool = False,
                 trt_int8: bool = False, profile_prefix: Optional[str] = None,
                 warmup: bool = False):
        self.paths = (Path(template_graph), Path(search_graph))
        for path in self.paths:
            if not path.is_file():
                raise FileNotFoundError(f'{path} not found; write it with `lite-tracker export`')
        self.providers = providers_for(device, fp16=trt_fp16, trt_cache=trt_cache, int8=trt_int8)
        options = session_options(num_threads, spin, profile_prefix)
        self._template, self._search = (
            ort.InferenceSession(str(p), options, providers=self.providers) for p in self.paths)
        wanted = self.providers[0] if isinstance(self.providers[0], str) else self.providers[0][0]
        if wanted not in self._search.get_providers():
            raise BackendUnavailableError(f'onnxruntime could not start {wanted} for {device!r} '
                                          '(see its log); use device="cpu"')
        self.device = wanted
        self.metadata = _metadata(self._search, str(self.paths[1]))
        self._template_in = tuple(i.name for i in self._template.get_inputs())
        template_out = {o.name for o in self._template.get_outputs()}
        search_in = [i.name for i in self._search.get_inputs()]
        self._cache_names = tuple(n for n in search_in if n in template_out)
        self._frame_in = tuple(n for n in search_in if n not in template_out)
        self._outputs = tuple(o.name for o in self._search.get_outputs())
        frame_shapes = [i.shape for i in self._search.get_inputs() if i.name in self._frame_in]
        #: search inputs one ``search`` call takes (1: the graph has a fixed batch 1)
        self.max_batch = BATCHED_SEARCH_LIMIT if frame_shapes and all(
            batch_axis(shape) for shape in frame_shapes) else 1
        self._cache: Optional[dict[str, np.ndarray]] = None
        if warmup:
            self.warmup()

    @classmethod
    def from_export(cls, folder: str | Path, model: str, precision: str = 'fp32',
                    **options) -> 'OnnxRuntimeBackend':
        """Open ``<folder>/<model>.template.onnx`` and ``.search.onnx`` (as exported)."""
        return cls(*graph_paths(folder, model, precision), **options)

    @property
    def spec(self) -> Optional[ModelSpec]:
        """Return the model spec stored in the graphs' metadata (None for foreign graphs)."""
        return self.metadata.spec if self.metadata else None

    @property
    def template_cache(self) -> Optional[dict[str, np.ndarray]]:
        """Return the cached template outputs the search graph reads (None before a template)."""
        return None if self._cache is None else dict(self._cache)

    @staticmethod
    def _feed(names: tuple[str, ...], inputs: Mapping[str, np.ndarray],
              graph: str) -> dict[str, np.ndarray]:
        missing = [n for n in names if n not in inputs]
        if missing:
            raise ValueError(f'{graph} graph needs inputs {list(names)}; missing {missing}')
        return {n: np.ascontiguousarray(inputs[n], dtype=np.float32) for n in names}

    def set_template(self, inputs: Mapping[str, np.ndarray]) -> None:
        feed = self._feed(self._template_in, inputs, 'template')
        values = self._template.run(list(self._cache_names), feed)
        self._cache = dict(zip(self._cache_names, values))

    def search(self, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        if self._cache is None:
            raise RuntimeError('search() before set_template(): initialise the tracker first')
        feed = dict(self._cache)
        feed.update(self._feed(self._frame_in, inputs, 'search'))
        return dict(zip(self._outputs, self._search.run(list(self._outputs), feed)))

    def warmup(self) -> None:
        """Run both graphs once on zeros (first-run allocations), leaving no template set."""
        zeros = {i.name: np.zeros(_one(i.shape), np.float32)
                 for i in self._template.get_inputs()}
        self.set_template(zeros)
        self.search({i.name: np.zeros(_one(i.shape), np.float32)
                     for i in self._search.get_inputs() if i.name in self._frame_in})
        self._cache = None

    def end_profiling(self) -> tuple[str, str]:
        """Stop profiling (when enabled) and return the template and search profile files."""
        return self._template.end_profiling(), self._search.end_profiling()


def _one(shape) -> tuple[int, ...]:
    """``shape`` with every symbolic dim (a batch axis) set to 1."""
    return tuple(d if isinstance(d, int) and d >= 0 else 1 for d in shape)
