# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Where a model's exported ONNX pair lives, and exporting it on first use.

The ONNX Runtime and TensorRT backends run exported graphs, but a user names a model and
(optionally) a weights file. :func:`resolve_graphs` turns that into a template/search pair:

* ``weights`` is an export folder or one of the pair's ``.onnx`` files: that pair is used as is
  (no torch needed, the Jetson case);
* ``weights`` is a checkpoint: the pair exported from it, kept in the model cache under
  ``onnx/<model>-<first 12 hex of the checkpoint's sha256>/``; exported there on first use
  (this needs torch, via ``load_network``), so changed weights never reuse stale graphs.

``lite-tracker export`` writes to the same folder by default, and so does ``lite-tracker
quantize`` for the int8 pair (``<model>.search.int8.onnx``). An int8 pair is never made on first
use (it needs calibration frames): its absence is a one-line error naming the quantize command.
Importing this module is torch-free.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional, TYPE_CHECKING

from lite_tracker_ros.backends.engine_cache import file_sha256
from lite_tracker_ros.export.metadata import graph_paths

if TYPE_CHECKING:
    from lite_tracker_ros.networks.base import TrackerNetwork


def is_graph_source(path: Path) -> bool:
    """Tell whether ``path`` is an export folder or an ``.onnx`` file (not a checkpoint)."""
    return path.is_dir() or path.suffix == '.onnx'


def export_folder(model: str, weights: Path) -> Path:
    """Return the model-cache folder of the pair exported from checkpoint ``weights``."""
    from lite_tracker_ros.model_registry import cache_dir
    return cache_dir() / 'onnx' / f'{model}-{file_sha256(weights)[:12]}'


def quantize_command(model: str, weights: Path, folder: Path) -> str:
    """Return the command line that writes ``model``'s int8 pair into ``folder``."""
    return (f'lite-tracker quantize {model} --weights {weights} --calibrate SEQUENCES '
            f'--output {folder}')


def _not_quantized(model: str, weights: Path, folder: Path) -> FileNotFoundError:
    return FileNotFoundError(f'{model} has no int8 graphs in {folder}; quantize it on frames of '
                             f'your footage: `{quantize_command(model, weights, folder)}`')


def resolve_graphs(model: str, weights: Path, precision: str = 'fp32',
                   load_network: Optional[Callable[[], 'TrackerNetwork']] = None
                   ) -> tuple[Path, Path]:
    """Return the (template, search) ONNX files for ``model``, exporting them if needed."""
    weights = Path(weights)
    if is_graph_source(weights):
        folder = weights if weights.is_dir() else weights.parent
        pair = graph_paths(folder, model, precision)
        missing = [str(p) for p in pair if not p.is_file()]
        if missing and precision == 'int8':
            raise _not_quantized(model, folder, folder)
        if missing:
            raise FileNotFoundError(f'{", ".join(missing)} not found; export them with '
                                    f'`lite-tracker export {model} --output {folder}'
                                    f'{" --fp16" if precision == "fp16" else ""}`')
        return pair
    folder = export_folder(model, weights)
    pair = graph_paths(folder, model, precision)
    if all(p.is_file() for p in pair):
        return pair
    if precision == 'int8':
        raise _not_quantized(model, weights, folder)
    if load_network is None:
        raise FileNotFoundError(f'no exported graphs for {model} in {folder}; run '
                                f'`lite-tracker export {model} --weights {weights}`')
    from lite_tracker_ros.export.onnx_export import export_onnx
    exported = export_onnx(load_network(), folder, precision=precision)
    return exported.template, exported.search
