# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
A :class:`Backend` over NanoTrack's official ONNX pair, run with ONNX Runtime.

The pair is the one OpenCV's TrackerNano loads: a backbone graph (``input`` -> ``output``) run on
the template crop once and on every search crop, and a head graph (``input1`` = template
features, ``input2`` = search features -> ``output1`` = cls logits, ``output2`` = loc). The
official backbone graphs declare a fixed 255x255 input; the template crop is 127x127, so the
spatial sizes (and the batch) are made symbolic in memory when the session is built, and the
head's fixed-size reshapes are computed from its search input, so the long-term mode can search
larger images and batches of crops (the files are untouched).
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Optional

import numpy as np
import onnx
from onnx import numpy_helper
import onnxruntime as ort

from lite_tracker_ros.core.model_spec import ModelSpec

_PROVIDER = 'CPUExecutionProvider'


def _any_spatial_size(model: onnx.ModelProto) -> onnx.ModelProto:
    for value in list(model.graph.input) + list(model.graph.output):
        dims = value.type.tensor_type.shape.dim
        if len(dims) == 4:
            dims[0].dim_param = 'batch'
            dims[2].dim_param, dims[3].dim_param = 'height', 'width'
    _keep_batch(model.graph)
    # stored intermediate shapes were inferred for 255x255 and would contradict a 127x127 run
    del model.graph.value_info[:]
    return model


def _keep_batch(graph) -> None:
    """Reshapes to a constant ``[1, ...]`` (one image) become ``[0, ...]`` (keep the batch)."""
    constants = {i.name: i for i in graph.initializer}
    for node in graph.node:
        if node.op_type == 'Reshape' and node.input[1] in constants:
            shape = numpy_helper.to_array(constants[node.input[1]])
            if len(shape) >= 2 and shape[0] == 1 and shape[1] != -1:
                constants[node.input[1]].CopyFrom(numpy_helper.from_array(
                    np.array([0, *shape[1:]], dtype=np.int64), node.input[1]))


def _any_search_size_head(model: onnx.ModelProto) -> onnx.ModelProto:
    """
    Let the head take a batch of search feature maps of any size (the long-term mode's search).

    The published heads reshape with constants: ``[1, C, -1]`` (one image) and
    ``[1, C or -1, 16, 16]`` (the 255 px map). The first becomes ``[0, C, -1]`` (keep the
    batch); the second is computed from the search input's own shape. The template stays
    batch 1 and is broadcast by the correlation's MatMul. In memory only; the file is untouched.
    """
    graph = model.graph
    search = graph.input[1]
    map_size = [d.dim_value for d in search.type.tensor_type.shape.dim[2:]]
    constants = {i.name: i for i in graph.initializer}
    dynamic: dict[tuple[int, int], str] = {}
    replaced = set()
    for node in graph.node:
        if node.op_type != 'Reshape' or node.input[1] not in constants:
            continue
        shape = numpy_helper.to_array(constants[node.input[1]])
        shrink = [m - int(d) for m, d in zip(map_size, shape[2:])]
        if len(shape) == 4 and shape[0] == 1 and shrink[0] == shrink[1] and shrink[0] in (0, 1):
            # v3's 2x2 convolution makes its map one cell smaller than the search features
            key = (int(shape[1]), shrink[0])
            if key not in dynamic:
                dynamic[key] = _map_shape_nodes(graph, search.name, *key)
            replaced.add(node.input[1])
            node.input[1] = dynamic[key]
    used = {name for node in graph.node for name in node.input}
    for name in replaced - used:
        graph.initializer.remove(constants[name])
    _keep_batch(graph)
    for value in list(graph.input[1:]) + list(graph.output):
        dims = value.type.tensor_type.shape.dim
        dims[0].dim_param = 'batch'
        dims[2].dim_param, dims[3].dim_param = 'rows', 'cols'
    del graph.value_info[:]
    return model


def _map_shape_nodes(graph, search_name: str, channels: int, shrink: int) -> str:
    """
    Add nodes computing ``[0, channels, rows - shrink, cols - shrink]`` of the search input.

    Returns the name of the shape they compute.
    """
    prefix = f'/long_term/search_map_{channels if channels >= 0 else "any"}_{shrink}'
    graph.initializer.extend([
        numpy_helper.from_array(np.array([0, channels], dtype=np.int64), f'{prefix}/head'),
        numpy_helper.from_array(np.array([2, 3], dtype=np.int64), f'{prefix}/axes'),
        numpy_helper.from_array(np.array([shrink, shrink], dtype=np.int64), f'{prefix}/shrink')])
    nodes = [
        onnx.helper.make_node('Shape', [search_name], [f'{prefix}/shape']),
        # Gather, not Slice: the published graphs use an opset whose Slice takes attributes
        onnx.helper.make_node('Gather', [f'{prefix}/shape', f'{prefix}/axes'],
                              [f'{prefix}/search_rows_cols'], axis=0),
        onnx.helper.make_node('Sub', [f'{prefix}/search_rows_cols', f'{prefix}/shrink'],
                              [f'{prefix}/rows_cols']),
        onnx.helper.make_node('Concat', [f'{prefix}/head', f'{prefix}/rows_cols'],
                              [f'{prefix}/shape_out'], axis=0)]
    for index, node in enumerate(nodes):
        graph.node.insert(index, node)
    return f'{prefix}/shape_out'


class NanoTrackOnnxBackend:
    """Runs the NanoTrack backbone + head ONNX pair on the CPU with ONNX Runtime."""

    name = 'onnxruntime'
    device = _PROVIDER
    #: search crops per call (long-term search); the template features are broadcast
    max_batch = 8

    def __init__(self, spec: ModelSpec, backbone_path: str | Path, head_path: str | Path,
                 threads: int = 2, spin: bool = False) -> None:
        """
        Load the pair; ``threads`` intra-op threads per graph.

        ``spin=True`` keeps ONNX Runtime's worker threads busy-waiting between runs (its own
        default): slightly lower latency on an idle machine, but on a CPU shared with other
        nodes the spinning steals the cores they need, so it is off by default.
        """
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.add_session_config_entry('session.intra_op.allow_spinning', '1' if spin else '0')
        backbone = _any_spatial_size(onnx.load(str(backbone_path)))
        self._backbone = ort.InferenceSession(backbone.SerializeToString(), options,
                                              providers=[_PROVIDER])
        head = _any_search_size_head(onnx.load(str(head_path)))
        self._head = ort.InferenceSession(head.SerializeToString(), options,
                                          providers=[_PROVIDER])
        self._backbone_in = self._backbone.get_inputs()[0].name
        template_in, search_in = (i.name for i in self._head.get_inputs())
        self._head_inputs = (template_in, search_in)
        self._head_outputs = [o.name for o in self._head.get_outputs()]
        if len(self._head_outputs) != len(spec.search_outputs):
            raise ValueError(f'{head_path} has outputs {self._head_outputs}, expected '
                             f'{len(spec.search_outputs)} ({", ".join(spec.search_outputs)})')
        self._spec = spec
        self._template_features: np.ndarray | None = None

    def set_template(self, inputs: Mapping[str, np.ndarray]) -> None:
        template = inputs[self._spec.template_inputs[0]]
        self._template_features = self._backbone.run(None, {self._backbone_in: template})[0]

    def search(self, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        if self._template_features is None:
            raise RuntimeError('search() before set_template(): run the template path first')
        search = inputs[self._spec.search_inputs[0]]
        features = self._backbone.run(None, {self._backbone_in: search})[0]
        template_in, search_in = self._head_inputs
        outputs = self._head.run(self._head_outputs, {template_in: self._template_features,
                                                      search_in: features})
        return dict(zip(self._spec.search_outputs, outputs))


def published_pair(spec: ModelSpec, backend: str, device: str,
                   num_threads: int) -> Optional[NanoTrackOnnxBackend]:
    """Run the official backbone/head ONNX pair on the CPU (what OpenCV's TrackerNano runs)."""
    if backend != 'onnxruntime' or device != 'cpu':
        return None
    from lite_tracker_ros import model_registry
    entry = model_registry.get_entry(spec.name)
    return NanoTrackOnnxBackend(spec, model_registry.find_file(entry, 'onnx_backbone'),
                                model_registry.find_file(entry, 'onnx_head'),
                                threads=num_threads or 2)
