# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Backends by name, in one table: which exist, what each runs on, and one constructor for all.

``BACKEND_TABLE`` holds one :class:`BackendRow` per backend: its name, the probe that says whether
it is usable here, its builder, the precisions it accepts with the exported graphs each one
loads, and the device kinds it understands. The node's parameter descriptions, the command
line's ``--backend`` help and choices, and the errors below are written from it, so a new
backend is its module plus one row.

``torch`` runs a :class:`TrackerNetwork` directly; ``onnxruntime`` and ``tensorrt`` run the
template/search ONNX pair that ``lite-tracker export`` writes. Asking for a backend or a device
that this machine cannot provide raises :class:`BackendUnavailableError`, whose one-line message
lists what is available. Availability is probed lazily: checking ``onnxruntime`` never imports
torch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import importlib
import importlib.util
from pathlib import Path
from typing import Any, Callable, Mapping, Optional

from lite_tracker_ros.errors import LiteTrackerError

#: every device kind a backend may understand, with how it is written
DEVICE_SYNTAX = {'cpu': 'cpu', 'cuda': 'cuda[:N]', 'tensorrt': 'tensorrt[:N]'}
#: the kinds of exported graphs (``lite-tracker export`` writes fp32 and fp16, ``quantize`` int8)
GRAPH_PRECISIONS = ('fp32', 'fp16', 'int8')


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


@dataclass(frozen=True)
class BackendRow:
    """Everything the package knows about one backend, in one place."""

    name: str
    #: () -> BackendInfo, importing only this backend's runtime
    probe: Callable[[], BackendInfo]
    #: (device=, precision=, num_threads=, network=, graphs=, cache_folder=, **options) -> Backend
    build: Callable[..., Any]
    #: what it runs: 'network' (a loaded TrackerNetwork) or 'graphs' (the exported ONNX pair)
    runs: str
    #: device kinds (keys of DEVICE_SYNTAX) it understands, whether or not usable here
    devices: tuple[str, ...]
    #: precision -> the exported graphs it loads for it (keys: the precisions it accepts)
    graphs: Mapping[str, str]
    #: device kinds on which it builds TensorRT engines: FP16 engines come from float32 graphs
    engine_devices: tuple[str, ...] = ()
    #: device kind -> what it means for this backend, for descriptions
    device_notes: Mapping[str, str] = field(default_factory=dict)
    #: precision -> what it runs, for descriptions
    precision_notes: Mapping[str, str] = field(default_factory=dict)

    @property
    def precisions(self) -> tuple[str, ...]:
        return tuple(self.graphs)


def parse_device(device: str) -> tuple[str, int]:
    """``'cuda:1'`` -> ``('cuda', 1)``; ``'cpu'`` -> ``('cpu', 0)``; ValueError if malformed."""
    kind, _, index = str(device).strip().lower().partition(':')
    if kind not in device_kinds() or (index and not index.isdigit()) or (kind == 'cpu' and index):
        raise ValueError(f'device {device!r} not understood; use {device_syntax()}')
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


def _build_torch(*, device: str, precision: str, num_threads: int, network: Any,
                 graphs: Any, cache_folder: Optional[Path], **options: Any):
    import torch

    from lite_tracker_ros.backends.torch_backend import TorchBackend
    try:
        torch_device = torch.device(device)
    except RuntimeError as error:
        raise ValueError(f'device {device!r} not understood ({error}); use e.g. '
                         "'cpu' or 'cuda:0'") from error
    if torch_device.type == 'cuda' and not torch.cuda.is_available():
        raise ValueError(f'device {device!r} requested but this torch has no CUDA '
                         "device; use device='cpu'")
    if num_threads > 0:
        torch.set_num_threads(num_threads)  # process-wide: torch has no per-model setting
    return TorchBackend(network, device=device, **options)


def _build_onnxruntime(*, device: str, precision: str, num_threads: int, network: Any,
                       graphs: tuple[Path, Path], cache_folder: Path, **options: Any):
    from lite_tracker_ros.backends.onnxruntime_backend import OnnxRuntimeBackend
    return OnnxRuntimeBackend(*graphs, device=device, num_threads=num_threads,
                              trt_fp16=precision in ('fp16', 'int8'),
                              trt_int8=precision == 'int8', trt_cache=cache_folder, **options)


def _build_tensorrt(*, device: str, precision: str, num_threads: int, network: Any,
                    graphs: tuple[Path, Path], cache_folder: Path, **options: Any):
    module = importlib.import_module('lite_tracker_ros.backends.tensorrt_backend')
    return module.TensorRTBackend(*graphs, device=device, precision=precision,
                                  cache_folder=cache_folder, **options)


_INT8_GRAPHS = 'the int8 QDQ graphs `lite-tracker quantize` writes'

#: the backends, in the order they are listed; a new backend adds its row here
BACKEND_TABLE: dict[str, BackendRow] = {row.name: row for row in (
    BackendRow('torch', _torch_info, _build_torch, runs='network', devices=('cpu', 'cuda'),
               graphs={'fp32': 'fp32'}),
    BackendRow('onnxruntime', _onnxruntime_info, _build_onnxruntime, runs='graphs',
               devices=('cpu', 'cuda', 'tensorrt'),
               graphs={'fp32': 'fp32', 'fp16': 'fp16', 'int8': 'int8'},
               engine_devices=('tensorrt',),
               device_notes={'tensorrt': 'its TensorRT execution provider'},
               precision_notes={'fp16': 'the float16 graphs on cpu and cuda, FP16 engines on '
                                        'tensorrt[:N]',
                                'int8': _INT8_GRAPHS}),
    BackendRow('tensorrt', _tensorrt_info, _build_tensorrt, runs='graphs', devices=('cuda',),
               graphs={'fp32': 'fp32', 'fp16': 'fp32', 'int8': 'int8'},
               engine_devices=('cuda',),
               precision_notes={'fp16': 'FP16 engines built from the float32 graphs',
                                'int8': f'INT8 engines from {_INT8_GRAPHS}'}),
)}


def backend_names() -> tuple[str, ...]:
    """Return the backends' names, in table order."""
    return tuple(BACKEND_TABLE)


def all_precisions() -> tuple[str, ...]:
    """Every precision some backend accepts, in the order of GRAPH_PRECISIONS."""
    accepted = {p for row in BACKEND_TABLE.values() for p in row.precisions}
    return tuple(p for p in GRAPH_PRECISIONS if p in accepted) + tuple(
        sorted(accepted - set(GRAPH_PRECISIONS)))


def device_kinds() -> tuple[str, ...]:
    """Every device kind some backend understands."""
    used = {kind for row in BACKEND_TABLE.values() for kind in row.devices}
    return tuple(kind for kind in DEVICE_SYNTAX if kind in used)


def _or_list(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else f'{", ".join(items[:-1])} or {items[-1]}'


def device_syntax() -> str:
    """``cpu, cuda[:N] or tensorrt[:N]``: how the devices some backend understands are written."""
    return _or_list(DEVICE_SYNTAX[kind] for kind in device_kinds())


def describe_backends() -> str:
    """One line for the ``backend`` parameter and ``--backend``: the names, what each runs."""
    return ' | '.join(backend_names())


def describe_devices() -> str:
    """One line for the ``device`` parameter: the syntax, and which backend takes which kind."""
    per_backend = []
    for row in BACKEND_TABLE.values():
        kinds = [DEVICE_SYNTAX[kind] + (f' ({row.device_notes[kind]})'
                                        if kind in row.device_notes else '')
                 for kind in row.devices]
        per_backend.append(f'{row.name}: {", ".join(kinds)}')
    return f'{device_syntax()} ({"; ".join(per_backend)})'


def describe_precisions() -> str:
    """One line for the ``precision`` parameter: the precisions and what each backend runs."""
    per_backend = []
    for row in BACKEND_TABLE.values():
        notes = [f'{p} = {row.precision_notes[p]}' if p in row.precision_notes else p
                 for p in row.precisions]
        per_backend.append(f'{row.name}: {", ".join(notes)}')
    return f'{" | ".join(all_precisions())} ({"; ".join(per_backend)})'


def _row(name: str) -> BackendRow:
    if name not in BACKEND_TABLE:
        raise BackendUnavailableError(f'unknown backend {name!r}; backends: '
                                      f'{describe_available()}')
    return BACKEND_TABLE[name]


def runs_network(name: str) -> bool:
    """Whether backend ``name`` runs the loaded network itself (else the exported graphs)."""
    return _row(name).runs == 'network'


def backend_info(name: str) -> BackendInfo:
    """Status of one backend (imports only that backend's runtime)."""
    return _row(name).probe()


def available_backends() -> dict[str, BackendInfo]:
    """Every backend's status, usable or not, keyed by name."""
    return {name: row.probe() for name, row in BACKEND_TABLE.items()}


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
    allowed = _row(name).precisions
    if precision not in allowed:
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
    row = _row(name)
    graphs = row.graphs.get(precision, 'fp32')
    if graphs == 'fp16' and parse_device(device)[0] in row.engine_devices:
        return 'fp32'
    return graphs


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
    row = _row(name)
    if row.runs == 'network' and network is None:
        raise ValueError(f"the {name} backend needs network=: build it with the model's weights")
    if row.runs == 'graphs':
        if graphs is None:
            raise ValueError(f'the {name} backend needs graphs=(template.onnx, search.onnx): '
                             'write them with `lite-tracker export MODEL`')
        if cache_folder is None:
            from lite_tracker_ros.model_registry import cache_dir
            cache_folder = cache_dir() / 'engines'
    return row.build(device=device, precision=precision, num_threads=num_threads,
                     network=network, graphs=graphs, cache_folder=cache_folder, **options)


#: the names at import (the table is the source; these stay for existing callers)
BACKENDS = backend_names()
DEVICE_KINDS = device_kinds()
PRECISIONS = all_precisions()
