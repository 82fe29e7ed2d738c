# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
FARTrack's template memory: stored templates, their pruning masks and the slot sampling.

The reference (``FARTrackSparse.template_update_sampling``, 'exponential') keeps every template
ever cropped: stored index 0 is the init template and index k the template cropped after frame k.
Each template's token keep-mask comes from the forward in which it was the newest slot, i.e. the
next frame's. With ``n`` stored templates and ``K`` slots the next forward reads

* ``n < K``: slot p -> ``max(0, p - (K - n))`` (the init template repeated, then the newest);
* ``n >= K``: ``[0, int((n-1)(1-r)), int((n-1)(1-r^2)), ..., int((n-1)(1-r^(K-2))), n-1]``,
  evaluated in float64 as written (r = 0.7 officially);

and a slot gets its template's mask, or all-True for the newest template (no mask yet).

**Bounded store, same selections.** Once ``n >= K`` every later selection uses the second rule
with a larger or equal ``n``. Each middle term is nondecreasing in ``n`` (float64 products and
``int`` are monotone) and ``1 - r^i >= 1 - r`` for i >= 1, so no later slot other than slot 0
can pick an index below ``lo(n) = int((n-1)(1-r))``. Indices ``1 .. lo(n)-1`` are therefore
never read again and are dropped; index 0 and everything from ``lo(n)`` on are kept (each of
those is still read later, as ``int((m-1)(1-r))`` takes every integer value while ``m`` grows
because ``1 - r < 1``). The selections are exactly the reference's; the store holds about
``1 + r (n - 1)`` templates instead of ``n``: still linear in time, about 0.8 MB per second of
tracking at 30 fps with 112x112 uint8 crops (2.8 GB an hour).

**Capped store (``max_stored``), near selections.** A robot tracks for hours, so the store can
also be capped. While the exact store fits under the cap nothing changes. Past it, the held
indices are thinned to a stride that doubles each time the cap is exceeded (index 0 and the
newest are always held), and each slot reads the held index nearest the one the reference would
read. The stride stays at most ``2 (n - 1) / max_stored`` and a slot's template is less than one
stride from the reference's: a tiny fraction of the history it samples from. The newest slot and
slot 0 stay exact.
"""

from __future__ import annotations

import bisect

import numpy as np


class TemplateMemory:
    """Stored FARTrack templates (uint8 crops) with their token keep-masks."""

    def __init__(self, num_templates: int, sampling_ratio: float, tokens_per_template: int,
                 max_stored: int | None = None):
        if num_templates < 2 or not 0.0 < sampling_ratio < 1.0:
            raise ValueError('FARTrack sampling needs >= 2 templates and a ratio in (0, 1)')
        if max_stored is not None and max_stored < 2 * num_templates:
            raise ValueError(f'max_stored must be None (unbounded) or >= {2 * num_templates} '
                             f'(twice the template slots), got {max_stored}')
        self.num_templates = num_templates
        self.sampling_ratio = sampling_ratio
        self.tokens_per_template = tokens_per_template
        self.max_stored = max_stored
        self._templates: dict[int, np.ndarray] = {}
        self._masks: dict[int, np.ndarray] = {}
        self._count = 0
        self._stride = 1

    @property
    def stride(self) -> int:
        """Spacing of the held middle indices; 1 while selections are exactly the reference's."""
        return self._stride

    @property
    def count(self) -> int:
        """Templates stored so far in the reference's unbounded list (``n``)."""
        return self._count

    @property
    def stored_indices(self) -> tuple[int, ...]:
        """Return the indices actually held (the ones a later selection can still read)."""
        return tuple(sorted(self._templates))

    def reset(self, template: np.ndarray) -> None:
        """Forget everything; ``template`` (the init crop) becomes stored index 0."""
        self._templates = {0: template}
        self._masks = {}
        self._count = 1
        self._stride = 1

    def add(self, template: np.ndarray, newest_mask: np.ndarray) -> None:
        """
        Store the template cropped after a frame, and that frame's mask of the newest slot.

        ``newest_mask`` (tokens_per_template,) bool belongs to the template that was newest in the
        frame's forward, stored index ``n - 1``.
        """
        if self._count == 0:
            raise RuntimeError('TemplateMemory.add before reset')
        mask = np.asarray(newest_mask, dtype=bool).reshape(self.tokens_per_template)
        self._masks[self._count - 1] = mask
        self._templates[self._count] = template
        self._count += 1
        self._drop_unreachable()
        if self.max_stored is not None:
            self._thin()

    def selection(self) -> list[int]:
        """Return the stored indices of the next forward's slots, in slot order."""
        n, k = self._count, self.num_templates
        if n < k:
            return [max(0, pos - (k - n)) for pos in range(k)]
        middle = [int((n - 1) * (1 - self.sampling_ratio ** i)) for i in range(1, k - 1)]
        if self._stride > 1:
            held = sorted(self._templates)
            middle = [_nearest(held, index) for index in middle]
        return [0] + middle + [n - 1]

    def template(self, index: int) -> np.ndarray:
        return self._templates[index]

    def keep_mask(self, indices: list[int]) -> np.ndarray:
        """Return the slots' masks, concatenated; the newest template's is all-True."""
        ones = np.ones(self.tokens_per_template, dtype=bool)
        return np.concatenate([self._masks.get(i, ones) for i in indices])

    def _drop_unreachable(self) -> None:
        n = self._count
        if n < self.num_templates:
            return
        lo = int((n - 1) * (1 - self.sampling_ratio))
        for index in [i for i in self._templates if 0 < i < lo]:
            self._forget(index)

    def _thin(self) -> None:
        newest = self._count - 1
        previous = newest - 1  # no longer the newest: held only if on the stride
        if previous > 0 and previous % self._stride:
            self._forget(previous)
        while len(self._templates) > self.max_stored:
            self._stride *= 2
            for index in [i for i in self._templates if i % self._stride and i != newest]:
                self._forget(index)

    def _forget(self, index: int) -> None:
        del self._templates[index]
        self._masks.pop(index, None)


def _nearest(held: list[int], index: int) -> int:
    """Return the value of sorted ``held`` closest to ``index`` (the lower one on a tie)."""
    pos = bisect.bisect_left(held, index)
    return min(held[max(0, pos - 1):pos + 1], key=lambda i: (abs(i - index), i))
