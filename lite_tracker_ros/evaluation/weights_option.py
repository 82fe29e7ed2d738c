# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
The model options ``eval`` and ``bench`` share; ``--weights``: a file for one model, or pairs.

``--weights w.pth`` is allowed when one model is named; ``--weights litetrack_b4=a.safetensors
--weights mvt=b.pth.tar`` gives each model its own file. Models without a file use the cache, or
for ``bench --untrained`` the network's default initialisation written to a file: latency and
FLOPs do not depend on the values, so a model can be timed before its weights are downloaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

from lite_tracker_ros.backends.registry import describe_backends


def add_model_arguments(parser) -> None:
    """Declare the options that pick what runs: models, ``--backend`` list, device, weights."""
    parser.add_argument('models', nargs='+', metavar='MODEL',
                        help='model names (`lite-tracker models` lists them)')
    parser.add_argument('--backend', default='torch',
                        help=f'{describe_backends()}; a comma-separated list runs each')
    parser.add_argument('--device', default='cpu', help="e.g. 'cpu' or 'cuda:0'")
    parser.add_argument('--weights', action='append', metavar='[MODEL=]FILE',
                        help='weights file for the one model, or MODEL=FILE per model '
                             '(repeatable; default: the model cache)')


def backend_list(value: str) -> list[str]:
    """Split the ``--backend`` value (``onnxruntime,torch``) into names."""
    return [name.strip() for name in value.split(',') if name.strip()]


def weights_per_model(values: Optional[Sequence[str]],
                      models: Sequence[str]) -> dict[str, Optional[Path]]:
    """Map every model to its weights file (None: the model cache); ValueError says what to fix."""
    chosen: dict[str, Optional[Path]] = dict.fromkeys(models)
    for value in values or ():
        model, sep, path = value.partition('=')
        if sep and model in chosen:
            chosen[model] = Path(path)
        elif sep and not Path(value).exists():
            raise ValueError(f'--weights {value}: {model!r} is not one of the models named '
                             f'({", ".join(models)})')
        elif len(models) == 1:
            chosen[models[0]] = Path(value)
        else:
            raise ValueError(f'--weights {value}: with several models write MODEL=FILE, e.g. '
                             f'--weights {models[0]}={value}')
    return chosen


def write_untrained_weights(model: str, folder: Path, seed: int = 0) -> Path:
    """Write ``model``'s default-initialised network (seeded) to ``folder/<model>.safetensors``."""
    import torch
    from safetensors.torch import save_file

    from lite_tracker_ros.factory import build_network

    torch.manual_seed(seed)
    # a copy per name: safetensors refuses tensors that share memory (FARTrack's three
    # position-embedding names are one parameter; loading copies them back into it)
    state = {k: v.detach().clone().contiguous()
             for k, v in build_network(model).state_dict().items()}
    path = Path(folder) / f'{model}.safetensors'
    save_file(state, str(path))
    return path
