# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
The tracker node's parameters: declared with descriptors, validated, and kept as one value.

Model, backend, device and the other configure-time parameters change only while the node is
unconfigured (they are read by ``configure``); thresholds, class_id, the time limits and the image
size limit can change at any time.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
import math

from rcl_interfaces.msg import FloatingPointRange, IntegerRange, ParameterDescriptor

from lite_tracker_ros.backends import registry
from lite_tracker_ros.backends.registry import BACKENDS, PRECISIONS  # noqa: F401 - as before
from lite_tracker_ros.ros.bounded_text import bounded_repr

#: class_id rides in every Detection2D: a label, not a payload
MAX_CLASS_ID_CHARS = 256


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
    init_buffer_max_bytes: int = 256 * 1024 * 1024
    init_wait_s: float = 0.5
    diagnostics_period_s: float = 1.0
    lost_threshold: float = -1.0
    class_id: str = 'target'
    lag_warn_s: float = 0.25
    image_timeout_s: float = 5.0
    processing_timeout_s: float = 10.0
    max_image_pixels: int = 8192 * 8192
    reduced_decode_margin: float = 2.0
    region_decode: bool = True
    camera_info_topic: str = ''
    motion_filter: bool = False
    smooth_box: bool = False
    predict_ahead_s: float = 0.0
    motion_process_noise: float = 1000.0
    motion_measurement_noise: float = 2.0
    long_term: bool = False
    long_term_patient: bool = True

    @property
    def tracker_lost_threshold(self) -> float | None:
        """Return ``lost_threshold`` as trackers take it: None (their default) when negative."""
        return None if self.lost_threshold < 0 else self.lost_threshold

    def updated(self, changes, configure_time: bool = False) -> TrackerParameters:
        """
        Apply changes (rclpy Parameters); raise ValueError for a bad value.

        ``configure_time``: the node is unconfigured, so the parameters ``configure`` reads may
        change too; otherwise a change of one of them is refused with the way to do it.
        """
        names = {f.name for f in fields(self)}
        values = {}
        for change in changes:
            if change.name not in names:
                continue  # another layer's parameter (use_sim_time, autostart)
            if change.name not in RUNTIME and not configure_time:
                raise ValueError(f'{change.name} is read by configure: change it while the node '
                                 'is unconfigured (ros2 lifecycle set <node> cleanup)')
            value = change.value
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f'{change.name} must be finite, got {value}')
            values[change.name] = value
        return _validated(replace(self, **values))


RUNTIME = {'lost_threshold', 'class_id', 'lag_warn_s', 'image_timeout_s', 'init_wait_s',
           'processing_timeout_s', 'max_image_pixels'}

_DESCRIPTIONS = {
    'model': 'model registry name (e.g. litetrack_b4, nanotrack_v2) or a weights/ONNX path',
    'weights': 'checkpoint, safetensors, ONNX or engine file; empty: the model cache',
    'num_threads': 'CPU threads for inference; 0 = the library default',
    'use_compressed': 'subscribe to image/compressed (CompressedImage) instead of image',
    'reliable_qos': 'reliable image subscription instead of best-effort (sensor data)',
    'init_buffer_size': 'recent frames kept so an init box applies to the frame it was drawn on',
    'init_buffer_max_bytes': 'memory budget of those frames (message bytes): the oldest go first',
    'init_wait_s': 'how long an init stamped newer than every received frame waits for its frame',
    'diagnostics_period_s': 'period of /diagnostics',
    'lost_threshold': 'score under which the target counts as lost (no box is published); '
                      'negative: the default of the model (0.25, FARTrack 0)',
    'class_id': f'class_id written into each detection (at most {MAX_CLASS_ID_CHARS} characters)',
    'lag_warn_s': 'end-to-end p95 latency above which diagnostics warn',
    'image_timeout_s': 'seconds without an image before diagnostics warn and the log says why '
                       '(no publisher, QoS, silent camera); 0 = never',
    'processing_timeout_s': 'watchdog: frames arrive but none is processed for this long -> '
                            'diagnostics ERROR; 0 = never',
    'max_image_pixels': 'images declaring more pixels (width x height) are refused before they '
                        'are decoded or converted',
    'reduced_decode_margin': 'compressed input: decode JPEGs at 1/2, 1/4, 1/8 while that keeps '
                             'this many decoded pixels per network input pixel of the search '
                             'crop; 0 = always whole',
    'region_decode': 'compressed input: decode only the JPEG region the next crop reads '
                     '(needs the system libturbojpeg; without it, whole frames)',
    'camera_info_topic': 'CameraInfo for ~/bearing; empty: the camera_info sibling of the image '
                         'topic',
    'motion_filter': 'constant-velocity Kalman filter on the box: velocity in diagnostics and '
                     '~/predicted, the box at publish time',
    'smooth_box': 'publish the filtered box (no lag at constant velocity); needs motion_filter',
    'predict_ahead_s': '~/predicted looks this much beyond the publish time (actuation delay)',
    'motion_process_noise': 'how fast the box may change speed, px/s^2 per sqrt(Hz)',
    'motion_measurement_noise': 'jitter of the tracked box, px',
    'long_term': 'long-term mode: report absence (state searching, nothing published), search '
                 'the frame and take the target back; ~/candidates proposals are verified',
    'long_term_patient': 'long-term mode: also take the target back at a lower score when it is '
                         'the one clear match, with its colours, on 5 frames in a row (more cuts '
                         'recovered, more look-alikes published while the target is hidden)',
}
_RANGES = {
    'num_threads': IntegerRange(from_value=0, to_value=256, step=1),
    'init_buffer_size': IntegerRange(from_value=1, to_value=600, step=1),
    'init_buffer_max_bytes': IntegerRange(from_value=1 << 20, to_value=1 << 40, step=1),
    'init_wait_s': FloatingPointRange(from_value=0.0, to_value=10.0, step=0.0),
    'diagnostics_period_s': FloatingPointRange(from_value=0.05, to_value=60.0, step=0.0),
    'lost_threshold': FloatingPointRange(from_value=-1.0, to_value=1.0, step=0.0),
    'lag_warn_s': FloatingPointRange(from_value=0.001, to_value=60.0, step=0.0),
    'image_timeout_s': FloatingPointRange(from_value=0.0, to_value=3600.0, step=0.0),
    'processing_timeout_s': FloatingPointRange(from_value=0.0, to_value=3600.0, step=0.0),
    'max_image_pixels': IntegerRange(from_value=1, to_value=1 << 40, step=1),
    'reduced_decode_margin': FloatingPointRange(from_value=0.0, to_value=16.0, step=0.0),
    'predict_ahead_s': FloatingPointRange(from_value=0.0, to_value=5.0, step=0.0),
    'motion_process_noise': FloatingPointRange(from_value=0.001, to_value=1e6, step=0.0),
    'motion_measurement_noise': FloatingPointRange(from_value=0.001, to_value=1e4, step=0.0),
}


#: written from the backend table when the node declares them, so they cannot drift from it
_BACKEND_DESCRIPTIONS = {'backend': registry.describe_backends,
                         'device': registry.describe_devices,
                         'precision': registry.describe_precisions}


def _descriptor(name: str) -> ParameterDescriptor:
    if name in _BACKEND_DESCRIPTIONS:
        description = _BACKEND_DESCRIPTIONS[name]()
    else:
        description = _DESCRIPTIONS[name]
    if name not in RUNTIME:
        description += ' (read by configure)'
    descriptor = ParameterDescriptor(description=description)
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
    return _validated(TrackerParameters(**values))


def _validated(params: TrackerParameters) -> TrackerParameters:
    """Check what no descriptor expresses; raise ValueError that names the fix."""
    backends, precisions = registry.backend_names(), registry.all_precisions()
    if params.backend not in backends:
        raise ValueError(f'backend {bounded_repr(params.backend)} unknown; use one of '
                         f'{", ".join(backends)}')
    if params.precision not in precisions:
        raise ValueError(f'precision {bounded_repr(params.precision)} unknown; use one of '
                         f'{", ".join(precisions)}')
    if len(params.class_id) > MAX_CLASS_ID_CHARS:
        raise ValueError(f'class_id has {len(params.class_id)} characters; at most '
                         f'{MAX_CLASS_ID_CHARS} are allowed')
    if params.smooth_box and not params.motion_filter:
        raise ValueError('smooth_box needs motion_filter: true (the smoothing is its filter)')
    if 0.0 < params.reduced_decode_margin < 1.0:
        raise ValueError(f'reduced_decode_margin {params.reduced_decode_margin} under 1 would '
                         'decode fewer pixels than the network sees; use 0 (off) or >= 1')
    return params
