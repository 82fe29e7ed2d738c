"""
The ``--weights`` option of ``eval`` and ``bench``: a file for one model, or ``MODEL=FILE`` pairs.

``--weights w.pth`` is allowed when one model is named; ``--weights litetrack_b4=a.safetensors
--weights mvt=b.pth.tar`` gives each model its own file. Models without a file use the cache.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence


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
