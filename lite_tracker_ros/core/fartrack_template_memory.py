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
``1 + r (n - 1)`` templates instead of ``n`` (still linear in time: at 30 fps and 112x112 uint8
crops that is about 0.8 MB per second of tracking, which bounds session length on small devices).
"""

from __future__ import annotations

import numpy as np


class TemplateMemory:
    """Stored FARTrack templates (uint8 crops) with their token keep-masks."""

    def __init__(self, num_templates: int, sampling_ratio: float, tokens_per_template: int):
        if num_templates < 2 or not 0.0 < sampling_ratio < 1.0:
            raise ValueError('FARTrack sampling needs >= 2 templates and a ratio in (0, 1)')
        self.num_templates = num_templates
        self.sampling_ratio = sampling_ratio
        self.tokens_per_template = tokens_per_template
        self._templates: dict[int, np.ndarray] = {}
        self._masks: dict[int, np.ndarray] = {}
        self._count = 0

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

    def selection(self) -> list[int]:
        """Return the stored indices of the next forward's slots, in slot order."""
        n, k = self._count, self.num_templates
        if n < k:
            return [max(0, pos - (k - n)) for pos in range(k)]
        middle = [int((n - 1) * (1 - self.sampling_ratio ** i)) for i in range(1, k - 1)]
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
            del self._templates[index]
            self._masks.pop(index, None)
