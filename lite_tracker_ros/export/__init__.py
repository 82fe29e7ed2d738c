# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Export of tracker networks to deployable graphs (ONNX; TensorRT engines are built from those).

Importing this package stays torch-free: ``metadata`` (what a runtime without torch reads from
an exported graph) is used by the ONNX Runtime and TensorRT backends; ``onnx_export`` and
``fp16`` need torch / onnx and are imported only by whoever exports.
"""
