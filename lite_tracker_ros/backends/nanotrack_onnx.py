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
spatial sizes are made symbolic in memory when the session is built (the files are untouched).
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import numpy as np
import onnx
import onnxruntime as ort

from lite_tracker_ros.core.model_spec import ModelSpec

_PROVIDER = 'CPUExecutionProvider'


def _any_spatial_size(model: onnx.ModelProto) -> onnx.ModelProto:
    for value in list(model.graph.input) + list(model.graph.output):
        dims = value.type.tensor_type.shape.dim
        if len(dims) == 4:
            dims[2].dim_param, dims[3].dim_param = 'height', 'width'
    # stored intermediate shapes were inferred for 255x255 and would contradict a 127x127 run
    del model.graph.value_info[:]
    return model


class NanoTrackOnnxBackend:
    """Runs the NanoTrack backbone + head ONNX pair on the CPU with ONNX Runtime."""

    name = 'onnxruntime'
    device = _PROVIDER

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
        self._head = ort.InferenceSession(str(head_path), options, providers=[_PROVIDER])
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
