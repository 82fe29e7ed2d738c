# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Export any :class:`TrackerNetwork` as two static ONNX graphs: template path and search path.

* ``<model>.template.onnx``: the spec's template inputs -> every tensor ``forward_template``
  returns (for LiteTrack the template tokens and each interaction block's ``z_k_i``/``z_v_i``).
* ``<model>.search.onnx``: the cache tensors ``forward_search`` actually reads, then the spec's
  other search inputs -> the named search outputs (``score_map``, ``size_map``, ...).

Graphs are exported with the TorchScript-based exporter (``dynamo=False``; the dynamo exporter
needs onnxscript and moves graphs to opset 18) at opset 17, so LayerNorm stays one
``LayerNormalization`` node for TensorRT. Static shapes, batch 1, except the search graph of a
network that takes a batch of search inputs (``max_search_batch > 1``, unless
``export_search_batch`` is False, as for NanoTrack): its frame inputs and
every output have a symbolic batch axis (``batch``) and the batch-1 template cache is broadcast
over it inside the graph (an ``Expand``), so one call searches several crops against one
template (the long-term mode's tiles; backends read the axis with
``core.batched_search.batch_axis``).
Weights embedded (no external data), float32 inputs and outputs, and the metadata of
:mod:`lite_tracker_ros.export.metadata` so that a runtime without torch knows the model.
``precision='fp16'`` stores the weights and computes in float16 (see
:mod:`lite_tracker_ros.export.fp16`) while keeping float32 at the graph boundary.
:func:`compare_with_torch` runs the exported pair in ONNX Runtime and reports the max difference
per output.
"""

from __future__ import annotations

from dataclasses import dataclass
import os
from pathlib import Path
import warnings

import numpy as np
import onnx
import torch
from torch import nn

from lite_tracker_ros.core.model_spec import ModelSpec
from lite_tracker_ros.errors import LiteTrackerError
from lite_tracker_ros.export import fp16
from lite_tracker_ros.export.metadata import graph_paths, GraphMetadata
from lite_tracker_ros.networks.base import TrackerNetwork

#: lowest opset that keeps LayerNormalization as one node (TensorRT handles its FP16 precision)
MIN_OPSET = 17
DEFAULT_OPSET = 17
#: what export writes; int8 graphs come from calibration (``lite-tracker quantize``)
PRECISIONS = ('fp32', 'fp16')


class ExportError(LiteTrackerError, RuntimeError):
    """The network cannot be exported as asked; the message says what to change."""


@dataclass(frozen=True)
class ExportedGraphs:
    """Where a model's two graphs were written and the names that connect them."""

    spec: ModelSpec
    template: Path
    search: Path
    precision: str
    template_inputs: tuple[str, ...]
    template_outputs: tuple[str, ...]
    #: template outputs fed to the search graph (its first inputs)
    cache: tuple[str, ...]
    search_inputs: tuple[str, ...]
    search_outputs: tuple[str, ...]


def example_inputs(network: TrackerNetwork, role: str, seed: int = 0) -> dict[str, torch.Tensor]:
    """
    Return float32 example inputs (batch 1) for the template or search path of ``network``.

    A network may define ``example_inputs(role)`` itself; otherwise the conventional names are
    understood: ``template``/``search`` (crops), ``template_bb`` (normalised xyxy box),
    ``templates`` (FARTrack's template slots) and ``template_mask`` (their token mask).
    """
    own = getattr(network, 'example_inputs', None)
    if callable(own):
        return dict(own(role))
    spec = network.spec
    names = spec.template_inputs if role == 'template' else spec.search_inputs
    generator = torch.Generator().manual_seed(seed)
    images = {'template': spec.template.size, 'search': spec.search.size}
    inputs = {}
    for name in names:
        if name in images:
            shape = (1, 3, images[name], images[name])
        elif name == 'templates':
            slots = network.params.num_templates
            shape = (1, slots, 3, spec.template.size, spec.template.size)
        elif name == 'template_bb':
            inputs[name] = torch.tensor([[0.25, 0.3, 0.7, 0.75]])
            continue
        elif name == 'template_mask':
            inputs[name] = torch.ones(1, network.n_z)
            continue
        elif role == 'search':
            continue  # a template-cache input: produced by the template path
        else:
            raise ExportError(f'no example for input {name!r} of {spec.name}: give '
                              f'{type(network).__name__} an example_inputs(role) method')
        inputs[name] = torch.randn(shape, generator=generator)
    device = next(network.parameters()).device
    return {name: value.to(device) for name, value in inputs.items()}


class _ReadRecorder(dict):
    """A dict that remembers which keys were read, in order."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.read: list[str] = []

    def _note(self, key):
        if key not in self.read:
            self.read.append(key)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        if key in self:
            self._note(key)
        return super().get(key, default)

    def _all(self):
        for key in super().keys():
            self._note(key)

    def items(self):
        self._all()
        return super().items()

    def values(self):
        self._all()
        return super().values()


class _TemplateGraph(nn.Module):
    def __init__(self, network: TrackerNetwork, inputs: tuple[str, ...],
                 outputs: tuple[str, ...]):
        super().__init__()
        self.network, self.inputs, self.outputs = network, inputs, outputs

    def forward(self, *tensors):
        cache = self.network.forward_template(**dict(zip(self.inputs, tensors)))
        return tuple(cache[name] for name in self.outputs)


class _SearchGraph(nn.Module):
    def __init__(self, network: TrackerNetwork, cache: tuple[str, ...], inputs: tuple[str, ...],
                 outputs: tuple[str, ...], batched: bool = False):
        super().__init__()
        self.network, self.cache, self.inputs, self.outputs = network, cache, inputs, outputs
        self.batched = batched

    def forward(self, *tensors):
        cache = dict(zip(self.cache, tensors[:len(self.cache)]))
        inputs = dict(zip(self.inputs, tensors[len(self.cache):]))
        if self.batched:
            # the template cache stays batch 1 and is broadcast over the frame inputs' batch,
            # as TorchBackend does (traced: the batch is read from the input at run time)
            batch = tensors[len(self.cache)].shape[0]
            cache = {k: v.expand(batch, *v.shape[1:]) for k, v in cache.items()}
        out = self.network.forward_search(cache, **inputs)
        return tuple(out[name] for name in self.outputs)


@dataclass(frozen=True)
class _Io:
    template_inputs: tuple[str, ...]
    template_outputs: tuple[str, ...]
    cache: tuple[str, ...]
    search_inputs: tuple[str, ...]
    search_outputs: tuple[str, ...]


def trace_io(network: TrackerNetwork, template_in: dict[str, torch.Tensor],
             search_in: dict[str, torch.Tensor]) -> _Io:
    """Run both paths once and name what flows: which cache tensors the search path reads."""
    with torch.no_grad():
        cache = network.forward_template(**template_in)
        recorder = _ReadRecorder(cache)
        outputs = network.forward_search(recorder, **search_in)
    read = set(recorder.read)
    spec_order = [n for n in network.spec.search_inputs if n in read]
    cache_inputs = tuple(spec_order + [n for n in cache if n in read and n not in spec_order])
    missing = [n for n in network.spec.search_outputs if n not in outputs]
    if missing:
        raise ExportError(f'{network.spec.name}: forward_search does not return {missing} '
                          'named in its spec; fix the network or the spec')
    return _Io(tuple(template_in), tuple(cache), cache_inputs, tuple(search_in),
               tuple(outputs))


#: name of the symbolic batch axis of a batched search graph
BATCH_AXIS = 'batch'
#: batch of the example search inputs a batched graph is traced with (not 1, so that no size-1
#: special case is baked into the graph)
TRACE_BATCH = 2


def exports_batched_search(network: TrackerNetwork) -> bool:
    """Tell whether ``network``'s search graph is exported with a batch axis."""
    return int(getattr(network, 'max_search_batch', 1)) > 1 and \
        bool(getattr(network, 'export_search_batch', True))


def _export_module(module: nn.Module, args: tuple, path: Path, inputs, outputs, opset: int,
                   dynamic_axes: dict | None = None):
    with warnings.catch_warnings():
        # the TorchScript exporter's deprecation notice; tracer warnings stay visible
        warnings.filterwarnings('ignore', category=DeprecationWarning)
        warnings.filterwarnings('ignore', category=FutureWarning)
        with torch.no_grad():
            torch.onnx.export(module.eval(), args, str(path), input_names=list(inputs),
                              output_names=list(outputs), opset_version=opset, dynamo=False,
                              do_constant_folding=True, export_params=True,
                              dynamic_axes=dynamic_axes)


def _finish(raw: Path, final: Path, meta: GraphMetadata, inputs, outputs) -> None:
    model = onnx.load(str(raw))
    got_in = tuple(i.name for i in model.graph.input)
    got_out = tuple(o.name for o in model.graph.output)
    if got_in != tuple(inputs) or got_out != tuple(outputs):
        raise ExportError(f'{final.name}: exported inputs {got_in} / outputs {got_out}, '
                          f'expected {tuple(inputs)} / {tuple(outputs)}; every named input '
                          'must be used and every output distinct')
    if meta.precision == 'fp16':
        model = fp16.convert_to_fp16(model)
    model.graph.name = f'{meta.spec.name}_{meta.role}'
    del model.metadata_props[:]
    for key, value in meta.to_props().items():
        model.metadata_props.add(key=key, value=value)
    onnx.checker.check_model(model)
    tmp = final.with_name(final.name + '.part')
    onnx.save(model, str(tmp))
    os.replace(tmp, final)


def export_onnx(network: TrackerNetwork, folder: str | Path, precision: str = 'fp32',
                opset: int = DEFAULT_OPSET) -> ExportedGraphs:
    """Write ``<model>.template[.fp16].onnx`` and ``<model>.search[.fp16].onnx`` to ``folder``."""
    if precision not in PRECISIONS:
        raise ExportError(f'precision {precision!r} not supported; use one of '
                          f'{", ".join(PRECISIONS)}')
    if opset < MIN_OPSET:
        raise ExportError(f'opset {opset} is too old: use {MIN_OPSET} or newer (LayerNorm must '
                          'stay one node for TensorRT)')
    network = network.eval()
    spec = network.spec
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    template_in = example_inputs(network, 'template')
    search_in = example_inputs(network, 'search', seed=1)
    io = trace_io(network, template_in, search_in)
    with torch.no_grad():
        cache = network.forward_template(**template_in)
    template_path, search_path = graph_paths(folder, spec.name, precision)
    raw = folder / f'.{spec.name}.raw.onnx'
    try:
        _export_module(_TemplateGraph(network, io.template_inputs, io.template_outputs),
                       tuple(template_in.values()), raw, io.template_inputs,
                       io.template_outputs, opset)
        _finish(raw, template_path, GraphMetadata(spec, 'template', precision, io.cache),
                io.template_inputs, io.template_outputs)
        batched = exports_batched_search(network)
        search_graph = _SearchGraph(network, io.cache, io.search_inputs, io.search_outputs,
                                    batched)
        frame_args = tuple(search_in.values())
        dynamic_axes = None
        if batched:
            frame_args = tuple(torch.cat([x] + [x.flip(-1)] * (TRACE_BATCH - 1))
                               for x in frame_args)
            dynamic_axes = {n: {0: BATCH_AXIS} for n in io.search_inputs + io.search_outputs}
        args = tuple(cache[n] for n in io.cache) + frame_args
        _export_module(search_graph, args, raw, io.cache + io.search_inputs,
                       io.search_outputs, opset, dynamic_axes)
        _finish(raw, search_path, GraphMetadata(spec, 'search', precision, io.cache),
                io.cache + io.search_inputs, io.search_outputs)
    finally:
        raw.unlink(missing_ok=True)
    return ExportedGraphs(spec, template_path, search_path, precision, io.template_inputs,
                          io.template_outputs, io.cache, io.search_inputs, io.search_outputs)


@dataclass(frozen=True)
class OutputDiff:
    """How far one exported output is from torch's."""

    max_abs: float
    #: max |torch output|, to judge ``max_abs`` against
    scale: float

    @property
    def relative(self) -> float:
        return self.max_abs / max(self.scale, 1e-12)


def _diff(actual: np.ndarray, expected: np.ndarray) -> OutputDiff:
    if actual.shape != expected.shape:
        raise ExportError(f'shape {actual.shape} differs from torch {expected.shape}')
    expected = expected.astype(np.float64)
    return OutputDiff(float(np.abs(actual.astype(np.float64) - expected).max()),
                      float(np.abs(expected).max()))


def compare_with_torch(network: TrackerNetwork, graphs: ExportedGraphs,
                       template_in: dict[str, np.ndarray] | None = None,
                       search_in: dict[str, np.ndarray] | None = None,
                       threads: int = 0) -> dict[str, OutputDiff]:
    """
    Run both graphs in ONNX Runtime (CPU); return ``{'template/<out>': OutputDiff, ...}``.

    Each graph is checked on its own: the search graph gets torch's template cache, so a
    difference is attributed to the graph that made it. Inputs default to random examples.
    """
    import onnxruntime as ort

    network = network.eval()
    if template_in is None:
        examples = example_inputs(network, 'template', seed=2)
        template_in = {k: v.cpu().numpy() for k, v in examples.items()}
    if search_in is None:
        examples = example_inputs(network, 'search', seed=3)
        search_in = {k: v.cpu().numpy() for k, v in examples.items()}
    device = next(network.parameters()).device

    def tensors(arrays):
        return {k: torch.from_numpy(np.asarray(v, np.float32)).to(device)
                for k, v in arrays.items()}

    with torch.no_grad():
        cache = network.forward_template(**tensors(template_in))
        expected = network.forward_search(cache, **tensors(search_in))
    options = ort.SessionOptions()
    if threads > 0:
        options.intra_op_num_threads = threads
    diffs = {}
    session = ort.InferenceSession(str(graphs.template), options,
                                   providers=['CPUExecutionProvider'])
    got = session.run(list(graphs.template_outputs), dict(template_in))
    for name, value in zip(graphs.template_outputs, got):
        diffs[f'template/{name}'] = _diff(value, cache[name].cpu().numpy())
    del session
    session = ort.InferenceSession(str(graphs.search), options,
                                   providers=['CPUExecutionProvider'])
    feed = {name: cache[name].cpu().numpy() for name in graphs.cache}
    feed.update(search_in)
    got = session.run(list(graphs.search_outputs), feed)
    for name, value in zip(graphs.search_outputs, got):
        diffs[f'search/{name}'] = _diff(value, expected[name].cpu().numpy())
    return diffs
