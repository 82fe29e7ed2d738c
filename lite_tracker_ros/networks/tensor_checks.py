# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Checks that a file's weights are numbers a network can compute with.

A floating tensor must hold only finite values below ``MAX_MAGNITUDE``: 2**64 is the square root
of the float32 maximum, so a weight at least that large overflows to inf as soon as it is
squared (a norm's variance, an attention product), and no trained network holds one. Where the
model expects a floating tensor the file must give one (an integer or bool tensor would be
converted silently by ``load_state_dict``).
"""

from __future__ import annotations

from typing import Mapping

import torch

from lite_tracker_ros.networks.errors import CheckpointError

MAX_MAGNITUDE = 2.0 ** 64


def check_values(state: Mapping[str, torch.Tensor], source: str) -> None:
    """Refuse NaN, inf or absurdly large values in any floating tensor, naming it."""
    for key, tensor in state.items():
        if not tensor.is_floating_point() or tensor.numel() == 0:
            continue
        low, high = torch.aminmax(tensor.detach())  # one pass, no copy; NaN propagates
        low, high = float(low), float(high)
        if not (-MAX_MAGNITUDE < low and high < MAX_MAGNITUDE):
            worst = high if abs(high) >= abs(low) else low  # NaN: both are NaN
            kind = 'non-finite' if worst != worst or abs(worst) == float('inf') else 'absurd'
            raise CheckpointError(f'{source}: tensor {key!r} holds {kind} values (e.g. {worst:g}, '
                                  f'limit |x| < 2**64): the weights are damaged, use another '
                                  'copy of the file')


def check_dtypes(expected: Mapping[str, torch.Tensor], state: Mapping[str, torch.Tensor],
                 source: str) -> None:
    """Refuse a non-floating tensor where the model has a floating one (and vice versa)."""
    for key, target in expected.items():
        found = state.get(key)
        if found is not None and found.is_floating_point() != target.is_floating_point():
            raise CheckpointError(f'{source}: tensor {key!r} is {found.dtype}, the model expects '
                                  f'{target.dtype}; the file is not weights for this model')
