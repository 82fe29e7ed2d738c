# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Float16 conversion of an exported float32 graph, with float32 kept at the graph boundary.

Float32 weights and constants become float16, ``Cast(to=FLOAT)`` nodes become casts to
FLOAT16, and one Cast is inserted after each float32 graph input and before each float32
graph output. The graph therefore computes in float16 while its inputs and outputs stay
float32, so a backend feeds it exactly as it feeds the float32 graph. Input slots that ONNX
requires in float32 whatever the data type (``Resize`` scales) get a Cast back to float32.
Graphs with subgraphs (If/Loop) are refused: the exported trackers have none.

This is for ONNX Runtime's CUDA execution provider; TensorRT builds FP16 engines from the
float32 graph itself (``BuilderFlag.FP16``) and does not need this file.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

from lite_tracker_ros.errors import LiteTrackerError

FLOAT, FLOAT16 = TensorProto.FLOAT, TensorProto.FLOAT16
FP16_MAX = float(np.finfo(np.float16).max)
#: op type -> input slots that must stay float32 whatever the graph's compute type
FP32_SLOTS = {'Resize': (2,), 'Upsample': (1,)}


class Fp16ConversionError(LiteTrackerError, ValueError):
    """The graph has a construct this converter does not handle."""


def _to_fp16(array: np.ndarray, name: str) -> onnx.TensorProto:
    clipped = np.clip(array, -FP16_MAX, FP16_MAX)  # beyond the range: saturate, not inf
    return numpy_helper.from_array(clipped.astype(np.float16), name)


def _convert_constant(node: onnx.NodeProto) -> None:
    for attr in node.attribute:
        if attr.name == 'value' and attr.t.data_type == FLOAT:
            attr.t.CopyFrom(_to_fp16(numpy_helper.to_array(attr.t), attr.t.name))
        elif attr.name in ('value_float', 'value_floats'):
            values = [attr.f] if attr.name == 'value_float' else list(attr.floats)
            array = np.array(values if attr.name == 'value_floats' else values[0], np.float32)
            node.ClearField('attribute')
            node.attribute.append(helper.make_attribute('value', _to_fp16(array, '')))
            return


def _rename_inputs(nodes, old: str, new: str) -> None:
    for node in nodes:
        for i, name in enumerate(node.input):
            if name == old:
                node.input[i] = new


def convert_to_fp16(model: onnx.ModelProto) -> onnx.ModelProto:
    """Return a float16-computing copy of ``model`` with float32 inputs and outputs."""
    out = onnx.ModelProto()
    out.CopyFrom(model)
    graph = out.graph
    for node in graph.node:
        if any(a.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS)
               for a in node.attribute):
            raise Fp16ConversionError(f'node {node.name} ({node.op_type}) has a subgraph; '
                                      'export without control flow')
    float_inits = set()
    for init in graph.initializer:
        if init.data_type == FLOAT:
            init.CopyFrom(_to_fp16(numpy_helper.to_array(init), init.name))
            float_inits.add(init.name)
    for node in graph.node:
        if node.op_type == 'Constant':
            _convert_constant(node)
        elif node.op_type == 'Cast':
            for attr in node.attribute:
                if attr.name == 'to' and attr.i == FLOAT:
                    attr.i = FLOAT16
        elif node.op_type == 'ConstantOfShape':
            for attr in node.attribute:
                if attr.name == 'value' and attr.t.data_type == FLOAT:
                    attr.t.CopyFrom(_to_fp16(numpy_helper.to_array(attr.t), attr.t.name))
    nodes = list(graph.node)
    head, tail = [], []
    for value in graph.input:
        if value.type.tensor_type.elem_type == FLOAT and value.name not in float_inits:
            inner = f'{value.name}__fp16'
            _rename_inputs(nodes, value.name, inner)
            head.append(helper.make_node('Cast', [value.name], [inner], to=FLOAT16,
                                         name=f'{value.name}__to_fp16'))
    for value in graph.output:
        if value.type.tensor_type.elem_type == FLOAT:
            inner = f'{value.name}__fp16'
            for node in nodes:
                for i, name in enumerate(node.output):
                    if name == value.name:
                        node.output[i] = inner
            _rename_inputs(nodes, value.name, inner)
            tail.append(helper.make_node('Cast', [inner], [value.name], to=FLOAT,
                                         name=f'{value.name}__to_fp32'))
    body = []
    for node in nodes:
        for slot in FP32_SLOTS.get(node.op_type, ()):
            if slot < len(node.input) and node.input[slot]:
                cast = f'{node.input[slot]}__fp32_{len(body)}'
                body.append(helper.make_node('Cast', [node.input[slot]], [cast], to=FLOAT,
                                             name=cast))
                node.input[slot] = cast
        body.append(node)
    del graph.node[:]
    graph.node.extend(head + body + tail)
    del graph.value_info[:]  # stale float32 intermediate types; shape inference redoes them
    return onnx.shape_inference.infer_shapes(out, strict_mode=True)
