"""
Export of tracker networks to deployable graphs (ONNX; TensorRT engines are built from those).

Importing this package stays torch-free: ``metadata`` (what a runtime without torch reads from
an exported graph) is used by the ONNX Runtime and TensorRT backends; ``onnx_export`` and
``fp16`` need torch / onnx and are imported only by whoever exports.
"""
