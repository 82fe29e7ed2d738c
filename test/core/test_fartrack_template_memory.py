# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""FARTrack template memory: the reference's sampling, with a store bounded to what it can read."""

import numpy as np
import pytest

from lite_tracker_ros.core.fartrack_template_memory import TemplateMemory

TOKENS = 49


def _unbounded_reference(frames: int, k: int = 5, r: float = 0.7):
    """Slots per forward as README §4.11 states them, over the reference's unbounded list."""
    for frame_id in range(1, frames + 1):
        n = frame_id  # templates stored before this frame's forward
        if n < k:
            yield [max(0, pos - (k - n)) for pos in range(k)]
        else:
            yield [0] + [int((n - 1) * (1 - r ** i)) for i in range(1, k - 1)] + [n - 1]


def _mask_for(index: int) -> np.ndarray:
    rng = np.random.default_rng(index)
    mask = np.ones(TOKENS, dtype=bool)
    mask[rng.choice(TOKENS, 12, replace=False)] = False
    return mask


def test_matches_pack_template_indices(conformance_dir):
    pack = np.load(conformance_dir / 'fartrack.npz')
    expected = pack['track_template_idx']
    memory = TemplateMemory(5, 0.7, TOKENS)
    memory.reset(np.array(0))
    for frame in range(expected.shape[0]):
        assert memory.selection() == expected[frame].tolist(), frame
        memory.add(np.array(frame + 1), _mask_for(frame))


def test_bounded_store_gives_the_unbounded_selections():
    frames = 3000
    memory = TemplateMemory(5, 0.7, TOKENS)
    memory.reset(np.array(0))
    for frame, expected in enumerate(_unbounded_reference(frames)):
        slots = memory.selection()
        assert slots == expected, frame
        # every slot is still held and is the template stored under that index
        assert [int(memory.template(i)) for i in slots] == slots
        newest = memory.count - 1
        want = np.concatenate([np.ones(TOKENS, bool) if i == newest else _mask_for(i)
                               for i in slots])
        np.testing.assert_array_equal(memory.keep_mask(slots), want)
        memory.add(np.array(memory.count), _mask_for(newest))
    n = memory.count
    assert len(memory.stored_indices) <= 2 + 0.7 * (n - 1)
    assert len(memory.stored_indices) < n


def test_early_frames_repeat_the_init_template():
    memory = TemplateMemory(5, 0.7, TOKENS)
    memory.reset(np.array(0))
    assert memory.selection() == [0, 0, 0, 0, 0]
    assert memory.keep_mask([0] * 5).all()
    memory.add(np.array(1), _mask_for(0))
    assert memory.selection() == [0, 0, 0, 0, 1]
    assert (~memory.keep_mask(memory.selection())).sum() == 4 * 12


def test_add_before_reset_is_an_error():
    with pytest.raises(RuntimeError):
        TemplateMemory(5, 0.7, TOKENS).add(np.array(1), np.ones(TOKENS, bool))


@pytest.mark.parametrize('cap', [10, 64, 300])
def test_capped_store_stays_under_the_cap_and_near_the_reference(cap):
    frames = 4000
    exact = TemplateMemory(5, 0.7, TOKENS)
    capped = TemplateMemory(5, 0.7, TOKENS, max_stored=cap)
    for memory in (exact, capped):
        memory.reset(np.array(0))
    thinned_at = None
    for frame, expected in enumerate(_unbounded_reference(frames)):
        slots = capped.selection()
        assert len(capped.stored_indices) <= cap, frame
        if capped.stride == 1:
            assert slots == expected, frame
        else:
            thinned_at = frame if thinned_at is None else thinned_at
            n = capped.count
            assert capped.stride <= 2 * (n - 1) / cap, frame
            assert slots[0] == 0 and slots[-1] == n - 1
            assert all(abs(got - want) < capped.stride
                       for got, want in zip(slots, expected)), (frame, slots, expected)
        # every slot reads the template and the mask stored under its index
        assert [int(capped.template(i)) for i in slots] == slots
        newest = capped.count - 1
        want = np.concatenate([np.ones(TOKENS, bool) if i == newest else _mask_for(i)
                               for i in slots])
        np.testing.assert_array_equal(capped.keep_mask(slots), want)
        for memory in (exact, capped):
            memory.add(np.array(memory.count), _mask_for(newest))
    # exact while the reference's own pruned store fits under the cap
    assert thinned_at is not None and len(exact.stored_indices) > cap
    assert 0.7 * thinned_at >= cap - 2


def test_cap_must_leave_room_for_the_slots():
    with pytest.raises(ValueError, match='max_stored'):
        TemplateMemory(5, 0.7, TOKENS, max_stored=9)
