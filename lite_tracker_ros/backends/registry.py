# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Backends by name: which are usable here, on which devices, and one constructor for all.

``torch`` runs a :class:`TrackerNetwork` directly; ``onnxruntime`` and ``tensorrt`` run the
template/search ONNX pair that ``lite-tracker export`` writes. Asking for a backend or a device
that this machine cannot provide raises :class:`BackendUnavailableError`, whose one-line message
lists what is available. Availability is probed lazily: checking ``onnxruntime`` never imports
torch.

Devices are ``cpu``, ``cuda[:N]`` and, for onnxruntime's TensorRT execution provider,
``tensorrt[:N]``.
"""

from __future__ import annotations

from dataclasses import dataclass
import importlib
import importlib.util
from pathlib import Path
from typing import Any, Optional

from lite_tracker_ros.errors import LiteTrackerError

BACKENDS = ('torch', 'onnxruntime', 'tensorrt')
DEVICE_KINDS = ('cpu', 'cuda', 'tensorrt')
#: int8: the QDQ graphs ``lite-tracker quantize`` writes (ONNX Runtime CPU, TensorRT INT8)
PRECISIONS = ('fp32', 'fp16', 'int8')


class BackendUnavailableError(LiteTrackerError, ValueError):
    """The requested backend or device is not usable here; the message lists what is."""


@dataclass(frozen=True)
class BackendInfo:
    """One backend's status on this machine."""

    name: str
    #: device kinds it can run on here (empty: unusable)
    devices: tuple[str, ...]
    #: version when usable, else why not
    detail: str

    @property
    def usable(self) -> bool:
        return bool(self.devices)

    def describe(self) -> str:
        where = ', '.join(self.devices) if self.devices else 'unavailable'
        return f'{self.name} ({where}; {self.detail})'


def parse_device(device: str) -> tuple[str, int]:
    """``'cuda:1'`` -> ``('cuda', 1)``; ``'cpu'`` -> ``('cpu', 0)``; ValueError if malformed."""
    kind, _, index = str(device).strip().lower().partition(':')
    if kind not in DEVICE_KINDS or (index and not index.isdigit()) or (kind == 'cpu' and index):
        raise ValueError(f'device {device!r} not understood; use cpu, cuda[:N] or tensorrt[:N]')
    return kind, int(index or 0)


def _missing(module: str) -> Optional[str]:
    if importlib.util.find_spec(module) is None:
        return f'{module} is not installed'
    return None


def _torch_info() -> BackendInfo:
    why = _missing('torch')
    if why:
        return BackendInfo('torch', (), why)
    import torch
    cuda = ('cuda',) if torch.cuda.is_available() else ()
    return BackendInfo('torch', ('cpu',) + cuda, f'torch {torch.__version__}')


def _onnxruntime_info() -> BackendInfo:
    why = _missing('onnxruntime')
    if why:
        return BackendInfo('onnxruntime', (), why)
    import onnxruntime

    from lite_tracker_ros.backends.onnxruntime_backend import ort_devices
    return BackendInfo('onnxruntime', ort_devices(), f'onnxruntime {onnxruntime.__version__}')


def _tensorrt_info() -> BackendInfo:
    why = _missing('tensorrt')
    if why:
        return BackendInfo('tensorrt', (), f'{why} (NVIDIA GPUs only: JetPack or the '
                           'tensorrt wheel)')
    from lite_tracker_ros.backends import cuda_memory
    try:
        import tensorrt
        count = cuda_memory.device_count()
    except Exception as error:  # a broken CUDA install: report it, do not crash the listing
        return BackendInfo('tensorrt', (), f'unusable: {error}')
    if count == 0:
        return BackendInfo('tensorrt', (), f'tensorrt {tensorrt.__version__}, but no CUDA GPU '
                           'is visible')
    return BackendInfo('tensorrt', ('cuda',), f'tensorrt {tensorrt.__version__}')


_PROBES = {'torch': _torch_info, 'onnxruntime': _onnxruntime_info, 'tensorrt': _tensorrt_info}


def backend_info(name: str) -> BackendInfo:
    """Status of one backend (imports only that backend's runtime)."""
    if name not in _PROBES:
        raise BackendUnavailableError(f'unknown backend {name!r}; backends: '
                                      f'{describe_available()}')
    return _PROBES[name]()


def available_backends() -> dict[str, BackendInfo]:
    """Every backend's status, usable or not, keyed by name."""
    return {name: probe() for name, probe in _PROBES.items()}


def describe_available() -> str:
    """One line: each backend with its devices or why it is unavailable."""
    return '; '.join(info.describe() for info in available_backends().values())


def check_available(name: str, device: str = 'cpu', precision: str = 'fp32') -> BackendInfo:
    """Return the backend's status, or raise BackendUnavailableError listing what is available."""
    info = backend_info(name)
    kind, _ = parse_device(device)
    if kind not in info.devices:
        reason = 'is unavailable' if not info.usable else f'cannot use device {device!r}'
        raise BackendUnavailableError(f'backend {name!r} {reason}; available: '
                                      f'{describe_available()}')
    if precision not in PRECISIONS or (name == 'torch' and precision != 'fp32'):
        allowed = ('fp32',) if name == 'torch' else PRECISIONS
        raise BackendUnavailableError(f'precision {precision!r} is not supported by the {name} '
                                      f'backend; use {", ".join(allowed)}')
    return info


def graph_precision(name: str, device: str, precision: str) -> str:
    """
    Which exported graphs (``fp32``, ``fp16`` or ``int8``) a backend loads for a precision.

    TensorRT (native or as an onnxruntime provider) builds FP16 engines from the float32 graphs;
    onnxruntime's CPU and CUDA providers run the float16 graphs. Every backend runs the int8
    QDQ graphs as they are (TensorRT: explicit quantization).
    """
    if precision == 'int8':
        return 'int8'
    if precision == 'fp16' and name == 'onnxruntime' and parse_device(device)[0] != 'tensorrt':
        return 'fp16'
    return 'fp32'


def make_backend(name: str, *, device: str = 'cpu', precision: str = 'fp32',
                 num_threads: int = 0, network: Any = None,
                 graphs: Optional[tuple[Path, Path]] = None,
                 cache_folder: Optional[Path] = None, **options: Any):
    """
    Build backend ``name`` on ``device``.

    ``torch`` takes ``network`` (a loaded TrackerNetwork; ``num_threads`` > 0 sets torch's
    process-wide thread count). ``onnxruntime`` and ``tensorrt`` take ``graphs``, the exported
    (template, search) ONNX files of the precision :func:`graph_precision` names;
    ``cache_folder`` holds TensorRT engines (default: the model cache). ``options`` go to the
    backend's constructor.
    """
    check_available(name, device, precision)
    if name == 'torch':
        if network is None:
            raise ValueError("the torch backend needs network=: build it with the model's weights")
        import torch

        from lite_tracker_ros.backends.torch_backend import TorchBackend
        if num_threads > 0:
            torch.set_num_threads(num_threads)
        return TorchBackend(network, device=device, **options)
    if graphs is None:
        raise ValueError(f'the {name} backend needs graphs=(template.onnx, search.onnx): write '
                         'them with `lite-tracker export MODEL`')
    if cache_folder is None:
        from lite_tracker_ros.model_registry import cache_dir
        cache_folder = cache_dir() / 'engines'
    if name == 'onnxruntime':
        from lite_tracker_ros.backends.onnxruntime_backend import OnnxRuntimeBackend
        return OnnxRuntimeBackend(*graphs, device=device, num_threads=num_threads,
                                  trt_fp16=precision in ('fp16', 'int8'),
                                  trt_int8=precision == 'int8', trt_cache=cache_folder,
                                  **options)
    module = importlib.import_module('lite_tracker_ros.backends.tensorrt_backend')
    return module.TensorRTBackend(*graphs, device=device, precision=precision,
                                  cache_folder=cache_folder, **options)
