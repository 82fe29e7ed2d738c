"""Backends that run a model's template and search paths: torch, onnxruntime, tensorrt."""
