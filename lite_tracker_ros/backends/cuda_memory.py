# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Named CUDA device buffers and one stream, for the TensorRT backend, without a hard torch need.

Two providers, chosen at run time and imported lazily:

* ``torch``: CUDA tensors of a CUDA build of torch (desktop installs usually have one);
* ``cuda-python``: ``cudaMalloc``/``cudaMemcpyAsync`` from NVIDIA's cuda-python package
  (``pip install cuda-python``), for a Jetson or a server that runs TensorRT without torch.

Both expose the same small interface: allocate a buffer per tensor name (two names may share
one buffer, which is how the template engine hands its cache to the search engine without a
copy), upload a numpy array into a buffer, download a buffer into a new numpy array, the raw
device address and stream handle TensorRT binds, and synchronise.
"""

from __future__ import annotations

import importlib.util
from typing import Optional

import numpy as np

from lite_tracker_ros.errors import LiteTrackerError


class CudaUnavailableError(LiteTrackerError, RuntimeError):
    """No provider of CUDA memory is importable, or CUDA has no device."""


_INSTALL_HINT = ('install cuda-python (pip install cuda-python) or a CUDA build of torch')


def _cudart():
    try:
        from cuda.bindings import runtime  # cuda-python >= 12.6
    except ImportError:
        from cuda import cudart as runtime  # older cuda-python
    return runtime


def _check(result):
    """Unwrap cuda-python's ``(error, *values)`` tuples, raising on an error."""
    error, *values = result
    if int(error) != 0:
        raise RuntimeError(f'CUDA error {error}')
    return values[0] if len(values) == 1 else tuple(values)


def device_count() -> int:
    """Visible CUDA devices (0 without a provider or a GPU)."""
    if importlib.util.find_spec('torch') is not None:
        import torch
        if torch.cuda.device_count():
            return torch.cuda.device_count()
    if importlib.util.find_spec('cuda') is not None:
        try:
            return int(_check(_cudart().cudaGetDeviceCount()))
        except (ImportError, RuntimeError):
            return 0
    return 0


def describe_gpu(name: str, major: int, minor: int, multiprocessors: int) -> str:
    """
    Name a GPU precisely enough to key TensorRT engines.

    The marketing name alone is not enough: every Jetson Orin module reports "Orin", though an
    engine tuned for one module's SM count should not run on another's.
    """
    return f'{name} (sm_{major}{minor}, {multiprocessors} SMs)'


class TorchBuffers:
    """Device buffers as CUDA tensors of torch, on a private stream."""

    provider = 'torch'

    def __init__(self, index: int):
        import torch
        self._torch = torch
        self._device = torch.device('cuda', index)
        torch.cuda.set_device(self._device)  # TensorRT runs on the current device
        props = torch.cuda.get_device_properties(self._device)
        self.device_name = describe_gpu(props.name, props.major, props.minor,
                                        props.multi_processor_count)
        self._stream = torch.cuda.Stream(self._device)
        self._tensors: dict[str, object] = {}

    @property
    def stream_handle(self) -> int:
        return self._stream.cuda_stream

    def allocate(self, name: str, shape: tuple[int, ...], dtype: np.dtype,
                 share_with: Optional[str] = None) -> int:
        if share_with is not None:
            self._tensors[name] = self._tensors[share_with]
        else:
            torch_dtype = self._torch.from_numpy(np.zeros(0, dtype)).dtype
            self._tensors[name] = self._torch.empty(shape, dtype=torch_dtype,
                                                    device=self._device)
        return self._tensors[name].data_ptr()

    def upload(self, name: str, array: np.ndarray) -> None:
        """Copy ``array`` into the buffer's leading rows (all of it, or a smaller batch)."""
        target = self._tensors[name]
        if array.ndim and array.shape != tuple(target.shape):
            target = target[:array.shape[0]]
        with self._torch.cuda.stream(self._stream):
            target.copy_(self._torch.from_numpy(array), non_blocking=False)

    def download(self, name: str, rows: Optional[int] = None) -> np.ndarray:
        """Copy the buffer (or its first ``rows`` along the batch axis) to the host."""
        source = self._tensors[name] if rows is None else self._tensors[name][:rows]
        with self._torch.cuda.stream(self._stream):
            return source.cpu().numpy()

    def synchronize(self) -> None:
        self._stream.synchronize()


class CudaPythonBuffers:
    """Device buffers from cudaMalloc, copies with cudaMemcpyAsync on a private stream."""

    provider = 'cuda-python'

    def __init__(self, index: int):
        self._rt = _cudart()
        _check(self._rt.cudaSetDevice(index))
        props = _check(self._rt.cudaGetDeviceProperties(index))
        name = props.name
        name = name.split(b'\0', 1)[0].decode() if isinstance(name, bytes) else str(name)
        self.device_name = describe_gpu(name, props.major, props.minor,
                                        props.multiProcessorCount)
        self._stream = _check(self._rt.cudaStreamCreate())
        self._buffers: dict[str, tuple[int, tuple[int, ...], np.dtype]] = {}
        self._owned: list[int] = []
        self._pending: list[np.ndarray] = []  # host sources of copies not yet synchronised

    @property
    def stream_handle(self) -> int:
        return int(self._stream)

    def allocate(self, name: str, shape: tuple[int, ...], dtype: np.dtype,
                 share_with: Optional[str] = None) -> int:
        if share_with is not None:
            self._buffers[name] = self._buffers[share_with]
        else:
            nbytes = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
            address = int(_check(self._rt.cudaMalloc(max(nbytes, 1))))
            self._owned.append(address)
            self._buffers[name] = (address, tuple(shape), np.dtype(dtype))
        return self._buffers[name][0]

    def upload(self, name: str, array: np.ndarray) -> None:
        """Copy ``array`` into the buffer's leading bytes (all of it, or a smaller batch)."""
        address, _, _ = self._buffers[name]
        kind = self._rt.cudaMemcpyKind.cudaMemcpyHostToDevice
        _check(self._rt.cudaMemcpyAsync(address, array.ctypes.data, array.nbytes, kind,
                                        self._stream))
        # CUDA may still read pageable host memory after an async copy returns: keep the
        # array alive until the stream is synchronised
        self._pending.append(array)

    def download(self, name: str, rows: Optional[int] = None) -> np.ndarray:
        """Copy the buffer (or its first ``rows`` along the batch axis) to the host."""
        address, shape, dtype = self._buffers[name]
        host = np.empty(shape if rows is None else (rows, *shape[1:]), dtype)
        kind = self._rt.cudaMemcpyKind.cudaMemcpyDeviceToHost
        _check(self._rt.cudaMemcpyAsync(host.ctypes.data, address, host.nbytes, kind,
                                        self._stream))
        self.synchronize()
        return host

    def synchronize(self) -> None:
        _check(self._rt.cudaStreamSynchronize(self._stream))
        self._pending.clear()

    def __del__(self):
        for address in getattr(self, '_owned', ()):
            self._rt.cudaFree(address)


def open_buffers(index: int = 0, provider: Optional[str] = None):
    """Buffers on CUDA device ``index`` from ``provider`` (default: torch, else cuda-python)."""
    order = [provider] if provider else ['torch', 'cuda-python']
    for name in order:
        module = 'torch' if name == 'torch' else 'cuda'
        if importlib.util.find_spec(module) is None:
            continue
        if name == 'torch':
            import torch
            if not torch.cuda.is_available():
                continue
            return TorchBuffers(index)
        return CudaPythonBuffers(index)
    raise CudaUnavailableError(f'no CUDA memory provider among {order}: {_INSTALL_HINT}, on a '
                               'machine with an NVIDIA GPU')
