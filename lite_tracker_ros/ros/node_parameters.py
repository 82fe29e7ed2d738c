"""
The tracker node's parameters: declared with descriptors, validated, and kept as one value.

Model, backend and device are read-only (changing them means a new node); thresholds, class_id
and the lag warning level can change at run time.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
import math

from rcl_interfaces.msg import FloatingPointRange, IntegerRange, ParameterDescriptor

BACKENDS = ('torch', 'onnxruntime', 'tensorrt')
PRECISIONS = ('fp32', 'fp16')


@dataclass(frozen=True)
class TrackerParameters:
    """Every parameter of the node, with its default."""

    model: str = 'litetrack_b4'
    weights: str = ''
    backend: str = 'torch'
    device: str = 'cpu'
    precision: str = 'fp32'
    num_threads: int = 0
    use_compressed: bool = False
    reliable_qos: bool = False
    init_buffer_size: int = 30
    diagnostics_period_s: float = 1.0
    lost_threshold: float = -1.0
    class_id: str = 'target'
    lag_warn_s: float = 0.25
    image_timeout_s: float = 5.0
    long_term: bool = False

    @property
    def tracker_lost_threshold(self) -> float | None:
        """Return ``lost_threshold`` as trackers take it: None (their default) when negative."""
        return None if self.lost_threshold < 0 else self.lost_threshold

    def updated(self, changes) -> TrackerParameters:
        """Apply run-time changes (rclpy Parameters); raise ValueError for a bad value."""
        values = {}
        for change in changes:
            if change.name not in RUNTIME:
                continue  # read-only ones are refused by rclpy before we are asked
            value = change.value
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f'{change.name} must be finite, got {value}')
            values[change.name] = value
        return replace(self, **values)


RUNTIME = {'lost_threshold', 'class_id', 'lag_warn_s', 'image_timeout_s'}

_DESCRIPTIONS = {
    'model': 'model registry name (e.g. litetrack_b4, nanotrack_v2) or a weights/ONNX path',
    'weights': 'checkpoint, safetensors, ONNX or engine file; empty: the model cache',
    'backend': 'torch | onnxruntime | tensorrt',
    'device': 'cpu, cuda or cuda:N',
    'precision': 'fp32 | fp16 (fp16: TensorRT engines and CUDA only)',
    'num_threads': 'CPU threads for inference; 0 = the library default',
    'use_compressed': 'subscribe to image/compressed (CompressedImage) instead of image',
    'reliable_qos': 'reliable image subscription instead of best-effort (sensor data)',
    'init_buffer_size': 'recent frames kept so an init box applies to the frame it was drawn on',
    'diagnostics_period_s': 'period of /diagnostics',
    'lost_threshold': 'score under which the target counts as lost (no box is published); '
                      'negative: the default of the model (0.25, FARTrack 0)',
    'class_id': 'class_id written into each detection',
    'lag_warn_s': 'end-to-end p95 latency above which diagnostics warn',
    'image_timeout_s': 'seconds without an image before diagnostics warn and the log says why '
                       '(no publisher, QoS, silent camera); 0 = never',
    'long_term': 'long-term mode: report absence (state searching, nothing published), search '
                 'the frame and take the target back; ~/candidates proposals are verified',
}
_RANGES = {
    'num_threads': IntegerRange(from_value=0, to_value=256, step=1),
    'init_buffer_size': IntegerRange(from_value=1, to_value=600, step=1),
    'diagnostics_period_s': FloatingPointRange(from_value=0.05, to_value=60.0, step=0.0),
    'lost_threshold': FloatingPointRange(from_value=-1.0, to_value=1.0, step=0.0),
    'lag_warn_s': FloatingPointRange(from_value=0.001, to_value=60.0, step=0.0),
    'image_timeout_s': FloatingPointRange(from_value=0.0, to_value=3600.0, step=0.0),
}


def _descriptor(name: str) -> ParameterDescriptor:
    descriptor = ParameterDescriptor(description=_DESCRIPTIONS[name],
                                     read_only=name not in RUNTIME)
    bound = _RANGES.get(name)
    if isinstance(bound, IntegerRange):
        descriptor.integer_range = [bound]
    elif isinstance(bound, FloatingPointRange):
        descriptor.floating_point_range = [bound]
    return descriptor


def declare_tracker_parameters(node) -> TrackerParameters:
    """Declare every parameter on ``node`` and return their values; ValueError if invalid."""
    defaults = TrackerParameters()
    values = {}
    for field in fields(TrackerParameters):
        declared = node.declare_parameter(field.name, getattr(defaults, field.name),
                                          _descriptor(field.name))
        values[field.name] = declared.value
    params = TrackerParameters(**values)
    if params.backend not in BACKENDS:
        raise ValueError(f'backend {params.backend!r} unknown; use one of {", ".join(BACKENDS)}')
    if params.precision not in PRECISIONS:
        raise ValueError(f'precision {params.precision!r} unknown; use one of '
                         f'{", ".join(PRECISIONS)}')
    return params
