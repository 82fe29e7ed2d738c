# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Static INT8 quantization of an exported float32 graph into QDQ form, with ONNX Runtime's tooling.

The float32 graph gets ``QuantizeLinear``/``DequantizeLinear`` pairs around the inputs of its
matrix products (``MatMul``, ``Gemm``, ``Conv``): weights per output channel, activations per
tensor with ranges taken from calibration feeds (min/max over real frames). Everything else
(LayerNorm, softmax, GELU, adds) stays float32, and so do the nodes named in ``exclude``.

Two activation types (:data:`ACTIVATIONS`):

* ``s8`` (default): signed int8 activations with zero point 0 and int8 weights. This is the form
  TensorRT's explicit quantization accepts, so one file serves ONNX Runtime on CPU and TensorRT
  (INT8 with FP16 for the float layers) on a Jetson.
* ``u8``: asymmetric uint8 activations, int8 weights: x86's VNNI instruction multiplies u8 by s8,
  so ONNX Runtime's CPU kernels run this form without re-biasing; TensorRT refuses it.

On LiteTrack-B4's search graph (docs/benchmarks.md, "INT8 search path"), quantizing every op
ONNX Runtime can (adds, muls, softmax too) is slower than MatMul/Gemm/Conv only in s8, because
its CPU provider has ``QLinearAdd``/``Mul``/``Softmax`` kernels for uint8 only and leaves the
int8 ones as Q/DQ round trips. Hence :data:`DEFAULT_OP_TYPES`.

Quantized graphs carry the float32 graph's lite_tracker metadata with ``precision`` ``int8`` and
a ``lite_tracker.quantization`` JSON property saying what was done (see
:class:`QuantizationInfo`); a graph left in float32 (e.g. a template path that runs once per
init) is stored under the int8 name with ``quantized: false`` so that the pair loads as one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
import json
import os
from pathlib import Path
import tempfile
from typing import Iterable, Mapping, Optional, Sequence

import numpy as np
import onnx

from lite_tracker_ros.errors import LiteTrackerError
from lite_tracker_ros.export.metadata import GraphMetadata, KEY_QUANTIZATION

#: op types whose inputs get Q/DQ pairs (see the module docstring for why not more)
DEFAULT_OP_TYPES = ('MatMul', 'Gemm', 'Conv')
ACTIVATIONS = ('s8', 'u8')
#: the s8 graph in the form TensorRT's ONNX parser takes: biases stay float (it has no int32
#: DequantizeLinear) and weights stay float behind a Q/DQ pair. ONNX Runtime folds both into the
#: same QLinearMatMul/QLinearConv kernels (LiteTrack-B4: 24 and 13, as with int32 biases and
#: int8 weight initialisers)
TENSORRT_FORM = {'QuantizeBias': False, 'AddQDQPairToWeight': True}
#: model family -> node-name prefixes of its search graph kept in float32 by default, chosen from
#: the measurements in docs/benchmarks.md (issue 17); families not listed quantize every
#: MatMul/Gemm/Conv
KEEP_FLOAT: dict[str, tuple[str, ...]] = {
    # NanoTrack v2, 1 thread: backbone in int8 too, cls error 0.28 of its range and 1.9x the
    # float time (depthwise convolutions); head only: 0.044 and 0.87x
    'nanotrack': ('/backbone/',),
    # the centre head in float halves the score-map error (B4 0.035 -> 0.016, B9 0.035 ->
    # 0.016 of its range) for 0-7 % of the int8 search time
    'litetrack': ('/box_head/',),
    'compresstracker': ('/box_head/',),
    'mvt': ('/box_head/',),
}
#: model family -> op types quantized by default, where not DEFAULT_OP_TYPES: MVT's MobileViT
#: convolutions in int8 raise the score-map error from 0.003 to 0.007 of its range and save
#: nothing at 1 thread (165 vs 163 ms against 171 ms float)
OP_TYPES: dict[str, tuple[str, ...]] = {'mvt': ('MatMul', 'Gemm')}


class QuantizationError(LiteTrackerError, ValueError):
    """The graph cannot be quantized as asked; the message says what to change."""


@dataclass(frozen=True)
class QuantizationInfo:
    """What quantization did to one graph (stored as JSON in the graph's metadata)."""

    quantized: bool
    activations: str = 's8'
    op_types: tuple[str, ...] = DEFAULT_OP_TYPES
    #: nodes kept in float32 on purpose
    excluded: tuple[str, ...] = ()
    calibration_feeds: int = 0
    #: where the calibration frames came from (sequence names), for the record
    calibration_source: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> 'QuantizationInfo':
        fields = json.loads(text)
        for key in ('op_types', 'excluded', 'calibration_source'):
            fields[key] = tuple(fields.get(key, ()))
        return cls(**fields)


def quantization_info(model: onnx.ModelProto) -> Optional[QuantizationInfo]:
    """Return the QuantizationInfo stored in ``model``, or None for an unquantized export."""
    for prop in model.metadata_props:
        if prop.key == KEY_QUANTIZATION:
            return QuantizationInfo.from_json(prop.value)
    return None


def _write_with_metadata(model: onnx.ModelProto, meta: GraphMetadata, info: QuantizationInfo,
                         path: Path) -> None:
    del model.metadata_props[:]
    props = meta.to_props()
    props[KEY_QUANTIZATION] = info.to_json()
    for key, value in props.items():
        model.metadata_props.add(key=key, value=value)
    tmp = path.with_name(path.name + '.part')
    onnx.save(model, str(tmp))
    os.replace(tmp, path)


def _int8_metadata(model: onnx.ModelProto, source: str) -> GraphMetadata:
    meta = GraphMetadata.from_props({p.key: p.value for p in model.metadata_props}, source)
    if meta.precision != 'fp32':
        raise QuantizationError(f'{source} is a {meta.precision} graph; quantize the float32 '
                                'export (`lite-tracker export MODEL` without --fp16)')
    return GraphMetadata(meta.spec, meta.role, 'int8', meta.cache)


def keep_float(fp32_graph: Path, output: Path) -> None:
    """Store ``fp32_graph`` unchanged under its int8 name, marked as not quantized."""
    model = onnx.load(str(fp32_graph))
    _write_with_metadata(model, _int8_metadata(model, str(fp32_graph)),
                         QuantizationInfo(quantized=False, op_types=()), output)


class _Feeds:
    """ONNX Runtime's CalibrationDataReader protocol over a list of recorded feeds."""

    def __init__(self, feeds: Sequence[Mapping[str, np.ndarray]]):
        self._feeds = iter(feeds)

    def get_next(self) -> Optional[dict[str, np.ndarray]]:
        feed = next(self._feeds, None)
        return None if feed is None else {k: np.asarray(v, np.float32) for k, v in feed.items()}

    def rewind(self) -> None:  # part of the protocol; one pass is all min/max needs
        pass


def quantize_graph(fp32_graph: Path, output: Path, feeds: Sequence[Mapping[str, np.ndarray]],
                   activations: str = 's8',
                   op_types: Optional[Iterable[str]] = DEFAULT_OP_TYPES,
                   exclude: Iterable[str] = (), source: Sequence[str] = ()) -> QuantizationInfo:
    """
    Write the QDQ int8 version of ``fp32_graph`` to ``output``, calibrated on ``feeds``.

    ``feeds`` are complete input dicts of the graph (for a search graph: the template cache and
    the search crop, as the float32 tracker fed them). ``exclude`` names nodes to keep float32.
    ``op_types`` None quantizes every op type ONNX Runtime can (recorded as ``('all',)``).
    """
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType
    from onnxruntime.quantization import quantize_static

    if activations not in ACTIVATIONS:
        raise QuantizationError(f'activations {activations!r}: use one of '
                                f'{", ".join(ACTIVATIONS)}')
    if not feeds:
        raise QuantizationError('no calibration feeds: give frames to calibrate on')
    model = onnx.load(str(fp32_graph))
    meta = _int8_metadata(model, str(fp32_graph))
    names = {n.name for n in model.graph.node}
    unknown = sorted(set(exclude) - names)
    if unknown:
        raise QuantizationError(f'{fp32_graph.name} has no nodes named {unknown[:5]}; list node '
                                'names with onnx (node.name)')
    wanted = None if op_types is None else list(op_types)
    op_types, exclude = ('all',) if wanted is None else tuple(wanted), tuple(sorted(set(exclude)))
    signed = activations == 's8'
    with tempfile.TemporaryDirectory(prefix='lite_tracker_quant_') as scratch:
        raw = Path(scratch) / 'quantized.onnx'
        quantize_static(  # a path, not the loaded model: ONNX Runtime 1.16 takes only paths
            str(fp32_graph), str(raw), _Feeds(feeds), quant_format=QuantFormat.QDQ,
            op_types_to_quantize=wanted, per_channel=True, reduce_range=False,
            activation_type=QuantType.QInt8 if signed else QuantType.QUInt8,
            weight_type=QuantType.QInt8, nodes_to_exclude=list(exclude),
            calibrate_method=CalibrationMethod.MinMax,
            extra_options={'ActivationSymmetric': signed, 'WeightSymmetric': True,
                           # MatMul weights are (in, out): one scale per output column
                           'QDQOpTypePerChannelSupportToAxis': {'MatMul': 1},
                           **(TENSORRT_FORM if signed else {})})
        quantized = onnx.load(str(raw))
    info = QuantizationInfo(True, activations, op_types, exclude, len(feeds), tuple(source))
    _write_with_metadata(quantized, meta, info, output)
    return info
