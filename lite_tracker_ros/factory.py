# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
The user entry point: a ready tracker from a model name, a backend and a weights file.

    tracker = create_tracker('litetrack_b4', weights='LiteTrack_ep0300.pth.tar')
    tracker.init(frame, BoxXYWH(x, y, w, h))
    result = tracker.update(next_frame)

``FAMILY_BUILDERS`` says, per model family, how to build its network, how to adapt its checkpoint
keys and which tracker loop runs it; it is built from the family descriptors (``FAMILY`` in
``specs/<family>.py``), so a new family edits nothing here. Torch and the networks are imported
only when a network is built, so importing this module stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, TYPE_CHECKING

# the backend table owns the names and precisions; they stay importable from here
from lite_tracker_ros.backends.registry import BACKENDS, PRECISIONS  # noqa: F401
from lite_tracker_ros.core.backend import Backend
from lite_tracker_ros.core.center_tracker import CenterHeadTracker
from lite_tracker_ros.core.model_spec import ModelSpec
from lite_tracker_ros.core.tracker import Tracker
from lite_tracker_ros.errors import LiteTrackerError
from lite_tracker_ros.specs import all_families, all_specs
from lite_tracker_ros.specs.family import ModelFamily, resolve

if TYPE_CHECKING:  # torch is imported only when a network is built
    from lite_tracker_ros.networks.base import TrackerNetwork


class TrackerCreationError(LiteTrackerError, ValueError):
    """The requested tracker cannot be built; the message says what to change."""


@dataclass(frozen=True)
class FamilyBuilder:
    """How to build one family's network and tracker."""

    #: spec -> untrained network (weights are loaded afterwards)
    network: Callable[[ModelSpec], 'TrackerNetwork']
    #: adapts a checkpoint's state dict to the network's keys (e.g. drops training entries)
    key_filter: Optional[Callable[[dict], dict]] = None
    #: (spec, backend, **tracker_options) -> tracker
    tracker: Callable[..., Tracker] = CenterHeadTracker
    #: (spec, backend name, device, num_threads) -> a backend over graphs the upstream project
    #: published (NanoTrack's ONNX pair), used when no weights are given; None when not offered
    published_graphs: Optional[Callable[..., Optional[Backend]]] = None


def _lazy(path: str) -> Callable:
    """Return a function that imports what ``path`` names when it is first called."""
    def call(*args: Any, **kwargs: Any) -> Any:
        return resolve(path)(*args, **kwargs)
    return call


def _builder(family: ModelFamily) -> FamilyBuilder:
    return FamilyBuilder(
        network=_lazy(family.network),
        key_filter=_lazy(family.key_filter) if family.key_filter else None,
        tracker=_lazy(family.tracker),
        published_graphs=_lazy(family.published_graphs) if family.published_graphs else None)


#: built from the family descriptors (``FAMILY`` in each ``specs/<family>.py``); nothing is
#: imported until a family's network or tracker is built
FAMILY_BUILDERS: dict[str, FamilyBuilder] = {name: _builder(family)
                                             for name, family in all_families().items()}


def _spec(name: str) -> ModelSpec:
    specs = all_specs()
    if name not in specs:
        raise TrackerCreationError(f'unknown model {name!r}; known models: '
                                   f'{", ".join(sorted(specs))}')
    return specs[name]


def _family(spec: ModelSpec) -> FamilyBuilder:
    if spec.family not in FAMILY_BUILDERS:
        raise TrackerCreationError(f'model {spec.name!r} (family {spec.family}) has no network '
                                   f'builder yet; buildable families: '
                                   f'{", ".join(sorted(FAMILY_BUILDERS))}')
    return FAMILY_BUILDERS[spec.family]


def build_network(name: str) -> 'TrackerNetwork':
    """Build an untrained network for model ``name`` (e.g. ``litetrack_b4``), in eval mode."""
    spec = _spec(name)
    return _family(spec).network(spec).eval()


def load_network(model: str, weights: str | Path | Mapping[str, Any]) -> 'TrackerNetwork':
    """
    Build model ``model``'s network with ``weights`` loaded strictly, in eval mode.

    ``weights``: a checkpoint or safetensors file, or a state dict; the family's key filter
    adapts it (e.g. CompressTracker's teacher entries). Raises TrackerCreationError for an
    unknown model and CheckpointError for weights that do not fit.
    """
    from lite_tracker_ros.networks import checkpoint
    spec = _spec(model)
    family = _family(spec)
    network = family.network(spec)
    checkpoint.load_into(network, weights, key_filter=family.key_filter)
    return network.eval()


def _default_weights(name: str) -> Path:
    from lite_tracker_ros import model_registry
    try:
        return model_registry.find_file(model_registry.get_entry(name), 'checkpoint')
    except model_registry.RegistryError as error:
        raise TrackerCreationError(f'no weights given and {error}') from error


def _network_backend(backend: str, network: 'TrackerNetwork', device: str, precision: str,
                     num_threads: int) -> Backend:
    """Build a backend that runs the loaded network itself (torch; its table row says so)."""
    from lite_tracker_ros.backends.registry import make_backend
    try:
        return make_backend(backend, device=device, precision=precision,
                            num_threads=num_threads, network=network)
    except ValueError as error:
        raise TrackerCreationError(str(error)) from error


def _exported_backend(spec: ModelSpec, weights: Path,
                      load_network: Callable[[], 'TrackerNetwork'], backend: str, device: str,
                      precision: str, num_threads: int) -> Backend:
    """ONNX Runtime / TensorRT over the model's exported pair (exported on first use)."""
    from lite_tracker_ros.backends.registry import graph_precision, make_backend
    from lite_tracker_ros.export.graph_store import resolve_graphs

    graphs = resolve_graphs(spec.name, weights, graph_precision(backend, device, precision),
                            load_network)
    runner = make_backend(backend, device=device, precision=precision, num_threads=num_threads,
                          graphs=graphs)
    exported = getattr(runner, 'spec', None)  # from the graphs' metadata
    if exported is not None and exported != spec:
        raise TrackerCreationError(f'{graphs[1]} was exported for {exported.name}, not '
                                   f'{spec.name}; export {spec.name} with `lite-tracker export`')
    return runner


def create_tracker(model: str, backend: str = 'torch', device: str = 'cpu',
                   weights: Optional[str | Path] = None, precision: str = 'fp32',
                   num_threads: int = 0, **tracker_options: Any) -> Tracker:
    """
    Build a tracker for ``model`` with its weights loaded strictly.

    ``model`` is a model name (``lite-tracker models`` lists them) or a checkpoint path whose
    keys name the model. ``weights`` is a checkpoint (``.pth.tar``, read without running code)
    or ``.safetensors`` file; None takes the model's file from the model cache. With
    ``backend='onnxruntime'`` or ``'tensorrt'``, ``weights`` may also be a folder written by
    ``lite-tracker export`` (or one of its ``.onnx`` files), which needs no torch; a checkpoint
    is exported once into the model cache. ``device``: ``cpu``, ``cuda[:N]``, or for
    onnxruntime ``tensorrt[:N]`` (its TensorRT provider). ``precision``: ``fp32``, or ``fp16``
    for onnxruntime and tensorrt, or ``int8`` for the graphs ``lite-tracker quantize`` wrote
    (found in the model cache beside the float32 export, or in the ``weights`` folder; without
    them a one-line error names the quantize command). ``num_threads`` > 0 sets the CPU thread
    count (torch's is process-wide). ``tracker_options`` go to the tracker, e.g.
    ``lost_threshold``; ``long_term=True`` wraps it in
    :class:`~lite_tracker_ros.core.long_term.LongTermTracker` (absence reported, the target
    searched for and taken back), and ``long_term_patient=False`` turns off its patient takes
    (fewer look-alikes published while the target is hidden, fewer targets taken back after a
    cut). Raises TrackerCreationError with what to change.
    """
    from lite_tracker_ros.backends.registry import (
        BackendUnavailableError, check_available, runs_network)

    try:
        check_available(backend, device, precision)
    except (BackendUnavailableError, ValueError) as error:
        raise TrackerCreationError(str(error)) from error
    try:
        state = None
        if model not in all_specs() and weights is None and Path(model).is_file():
            from lite_tracker_ros.networks import checkpoint
            weights = Path(model)
            state = checkpoint.load_state_dict(weights)
            model = checkpoint.detect_variant(state)
        spec = _spec(model)
        family = _family(spec)
        if weights is None and family.published_graphs is not None and precision != 'int8':
            runner = family.published_graphs(spec, backend, device, num_threads)
            if runner is not None:
                return _tracker(family, spec, runner, tracker_options)
        weights = Path(weights) if weights is not None else _default_weights(spec.name)
        if not weights.exists():
            raise TrackerCreationError(
                f'weights {str(weights)!r}: no such file; give a checkpoint, safetensors, ONNX '
                'or engine file, or leave weights empty to use the model cache')

        def load() -> 'TrackerNetwork':
            return load_network(spec.name, state if state is not None else weights)

        if runs_network(backend):
            runner = _network_backend(backend, load(), device, precision, num_threads)
        else:
            runner = _exported_backend(spec, weights, load, backend, device, precision,
                                       num_threads)
    except TrackerCreationError:
        raise
    except (LiteTrackerError, FileNotFoundError) as error:
        # what the user can change, said in one message; the cause stays attached
        raise TrackerCreationError(str(error)) from error
    return _tracker(family, spec, runner, tracker_options)


def build_tracker(model: str, backend: Backend, **tracker_options: Any) -> Tracker:
    """
    Run model ``model``'s tracker loop on a backend built elsewhere (e.g. over int8 graphs).

    ``tracker_options`` as for :func:`create_tracker`, ``long_term`` included. Raises
    TrackerCreationError for an unknown model or options the loop refuses.
    """
    spec = _spec(model)
    return _tracker(_family(spec), spec, backend, tracker_options)


def _tracker(family: FamilyBuilder, spec: ModelSpec, runner: Backend,
             tracker_options: dict) -> Tracker:
    options = dict(tracker_options)
    long_term = options.pop('long_term', False)
    patient = options.pop('long_term_patient', True)
    try:
        tracker = family.tracker(spec, runner, **options)
    except (TypeError, ValueError) as error:
        raise TrackerCreationError(
            f'tracker options {sorted(tracker_options)}: {error}') from error
    if not long_term:
        return tracker
    from lite_tracker_ros.core.long_term import LongTermTracker
    if not hasattr(tracker, 'redetect'):
        raise TrackerCreationError(f'{spec.name} has no long-term mode yet; use long_term=False')
    policy = tracker.default_absence_policy
    if not patient:
        policy = replace(policy, patient_frames=0)
    return LongTermTracker(tracker, policy)
