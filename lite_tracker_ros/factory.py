"""
The user entry point: a ready tracker from a model name, a backend and a weights file.

    tracker = create_tracker('litetrack_b4', weights='LiteTrack_ep0300.pth.tar')
    tracker.init(frame, BoxXYWH(x, y, w, h))
    result = tracker.update(next_frame)

``FAMILY_BUILDERS`` says, per model family, how to build its network, how to adapt its checkpoint
keys and which tracker loop runs it; a new family adds one line there. Torch and the networks are
imported only when a network is built, so importing this module stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional, TYPE_CHECKING

from lite_tracker_ros.core.backend import Backend
from lite_tracker_ros.core.center_tracker import CenterHeadTracker
from lite_tracker_ros.core.model_spec import ModelSpec
from lite_tracker_ros.core.tracker import Tracker
from lite_tracker_ros.specs import all_specs

if TYPE_CHECKING:  # torch is imported only when a network is built
    from lite_tracker_ros.networks.base import TrackerNetwork


class TrackerCreationError(ValueError):
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


def _litetrack_network(spec: ModelSpec) -> 'TrackerNetwork':
    from lite_tracker_ros.networks.litetrack import LiteTrackNetwork
    return LiteTrackNetwork(spec)


FAMILY_BUILDERS: dict[str, FamilyBuilder] = {
    'litetrack': FamilyBuilder(_litetrack_network),
}

BACKENDS = ('torch',)
PRECISIONS = ('fp32',)


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


def _default_weights(name: str) -> Path:
    from lite_tracker_ros import model_registry
    try:
        return model_registry.find_file(model_registry.get_entry(name), 'checkpoint')
    except model_registry.RegistryError as error:
        raise TrackerCreationError(f'no weights given and {error}') from None


def _torch_backend(network: 'TrackerNetwork', device: str, num_threads: int) -> Backend:
    import torch

    from lite_tracker_ros.backends.torch_backend import TorchBackend
    try:
        torch_device = torch.device(device)
    except RuntimeError as error:
        raise TrackerCreationError(f'device {device!r} not understood ({error}); use e.g. '
                                   "'cpu' or 'cuda:0'") from None
    if torch_device.type == 'cuda' and not torch.cuda.is_available():
        raise TrackerCreationError(f'device {device!r} requested but this torch has no CUDA '
                                   "device; use device='cpu'")
    if num_threads > 0:
        torch.set_num_threads(num_threads)  # process-wide: torch has no per-model setting
    return TorchBackend(network, device=device)


def create_tracker(model: str, backend: str = 'torch', device: str = 'cpu',
                   weights: Optional[str | Path] = None, precision: str = 'fp32',
                   num_threads: int = 0, **tracker_options: Any) -> Tracker:
    """
    Build a tracker for ``model`` with its weights loaded strictly.

    ``model`` is a model name (``lite-tracker models`` lists them) or a checkpoint path whose
    keys name the model. ``weights`` is a checkpoint (``.pth.tar``, read without running code)
    or ``.safetensors`` file; None takes the model's file from the model cache. ``num_threads``
    > 0 sets torch's CPU thread count (process-wide). ``tracker_options`` go to the tracker,
    e.g. ``lost_threshold``. Raises TrackerCreationError with what to change.
    """
    from lite_tracker_ros.networks import checkpoint

    if backend not in BACKENDS:
        raise TrackerCreationError(f'backend {backend!r} is not available; available: '
                                   f'{", ".join(BACKENDS)}')
    if precision not in PRECISIONS:
        raise TrackerCreationError(f'precision {precision!r} is not supported by the {backend} '
                                   f'backend; use {", ".join(PRECISIONS)}')
    try:
        state = None
        if model not in all_specs() and weights is None and Path(model).is_file():
            weights = Path(model)
            state = checkpoint.load_state_dict(weights)
            model = checkpoint.detect_variant(state)
        spec = _spec(model)
        family = _family(spec)
        weights = Path(weights) if weights is not None else _default_weights(spec.name)
        network = family.network(spec)
        if state is not None:
            source = family.key_filter(state) if family.key_filter else state
            checkpoint.load_into(network, source)
        else:
            checkpoint.load_into(network, weights, key_filter=family.key_filter)
        runner = _torch_backend(network.eval(), device, num_threads)
    except checkpoint.CheckpointError as error:
        raise TrackerCreationError(str(error)) from None
    try:
        return family.tracker(spec, runner, **tracker_options)
    except (TypeError, ValueError) as error:
        raise TrackerCreationError(f'tracker options {sorted(tracker_options)}: {error}') from None
