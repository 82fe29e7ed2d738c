# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""The patch unfold/fold of the MobileViT blocks: token layout by definition, and round trip."""

from hypothesis import given, settings
from hypothesis import strategies as st
import pytest
import torch

from lite_tracker_ros.networks.mobilevit import fold_patches, unfold_patches


@settings(max_examples=25, deadline=None)
@given(batch=st.integers(1, 2), channels=st.integers(1, 5), cells_h=st.integers(1, 4),
       cells_w=st.integers(1, 4), patch=st.sampled_from([1, 2, 3]))
def test_unfold_layout_and_fold_round_trip(batch, channels, cells_h, cells_w, patch):
    h, w = cells_h * patch, cells_w * patch
    fm = torch.arange(batch * channels * h * w, dtype=torch.float32).reshape(batch, channels,
                                                                             h, w)
    tokens = unfold_patches(fm, patch)
    assert tokens.shape == (batch * patch * patch, cells_h * cells_w, channels)
    # Token row b*P + (i*patch + j) holds in-cell pixel (i, j) of every cell; cells row-major.
    for b in range(batch):
        for i in range(patch):
            for j in range(patch):
                for r in range(cells_h):
                    for c in range(cells_w):
                        row = b * patch * patch + i * patch + j
                        expected = fm[b, :, r * patch + i, c * patch + j]
                        assert torch.equal(tokens[row, r * cells_w + c], expected)
    assert torch.equal(fold_patches(tokens, batch, h, w, patch), fm)


def test_unfold_rejects_a_map_that_is_not_a_patch_multiple():
    with pytest.raises(ValueError, match='not a multiple'):
        unfold_patches(torch.zeros(1, 4, 5, 4), 2)
