# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
The long-term stress protocol: hidden-target events and jump cuts made from real sequences.

- **Hidden**: for ``HIDDEN_FRAMES`` frames the target's box (grown by 15 % per side) is
  replaced by image content of the same frame taken from elsewhere (a fixed offset, chosen so the
  source never overlaps the target during the event), while the target moves on. The event is
  placed where the target moves farthest during it, so a tracker that stays where it lost the
  target is not found on it again by luck. Hidden frames have no ground truth.
- **Cut**: frames are removed after a frame ``t`` until the target's centre is at least
  ``CUT_DISTANCE`` target sizes (the larger side) from where it was at ``t``.

Each sequence gets up to two events of each kind, each followed by at least
``REACQUIRE_WINDOW + CONFIRM_RUN`` frames, and the two kinds are run as separate passes
(initialised on the first frame, never re-initialised). Everything is deterministic.

Metrics (:func:`score_events`): an event counts only when the tracker published a box with
IoU >= 0.5 on the frame just before it. It is re-acquired when, within ``REACQUIRE_WINDOW``
frames after the target is visible again (hidden) or after the cut, a run of ``CONFIRM_RUN``
consecutive published boxes with IoU >= 0.5 starts; frames to re-acquire counts from the first
visible frame to the start of that run. The published rate is the fraction of hidden frames on
which a box was published.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import math
from typing import Callable, Optional, Sequence

import numpy as np

from lite_tracker_ros.core.types import BoxXYWH, Frame, TrackState
from lite_tracker_ros.evaluation.metrics import iou, present

HIDDEN_FRAMES = 20
CUT_DISTANCE = 2.0
REACQUIRE_WINDOW = 30
CONFIRM_RUN = 5
ON_TARGET_IOU = 0.5
#: frames tracked normally after init before the first event
WARM_UP = 10
EVENTS_PER_KIND = 2
_GROW = 0.15


@dataclass(frozen=True)
class Patch:
    """On one frame, copy ``source`` (x0, y0) of the same size over ``target`` (x0, y0, w, h)."""

    target: tuple[int, int, int, int]
    source: tuple[int, int]


@dataclass(frozen=True)
class StressEvent:
    kind: str
    #: index, in the modified sequence, of the frame just before the event
    before: int
    #: index of the first frame the target can be seen again (after the hidden run or the cut)
    visible: int


@dataclass
class StressSequence:
    """A modified sequence: which source frames in which order, patches, ground truth, events."""

    name: str
    kind: str
    frames: list[int]
    groundtruth: np.ndarray
    patches: dict[int, Patch] = field(default_factory=dict)
    events: list[StressEvent] = field(default_factory=list)

    def hidden_mask(self) -> np.ndarray:
        mask = np.zeros(len(self.frames), dtype=bool)
        mask[list(self.patches)] = True
        return mask


def apply_patch(pixels: np.ndarray, patch: Optional[Patch]) -> np.ndarray:
    """Return the frame with the patch applied (a copy), or the frame itself without one."""
    if patch is None:
        return pixels
    out = pixels.copy()
    x, y, w, h = patch.target
    sx, sy = patch.source
    out[y:y + h, x:x + w] = pixels[sy:sy + h, sx:sx + w]
    return out


def _size(box: np.ndarray) -> float:
    return float(max(box[2], box[3]))


def _centre(box: np.ndarray) -> np.ndarray:
    return box[:2] + 0.5 * box[2:]


def _cover(box: np.ndarray, width: int, height: int) -> tuple[int, int, int, int]:
    x0 = int(math.floor(box[0] - _GROW * box[2]))
    y0 = int(math.floor(box[1] - _GROW * box[3]))
    x1 = int(math.ceil(box[0] + box[2] * (1 + _GROW)))
    y1 = int(math.ceil(box[1] + box[3] * (1 + _GROW)))
    x0, y0 = max(x0, 0), max(y0, 0)
    x1, y1 = min(x1, width), min(y1, height)
    return x0, y0, max(x1 - x0, 0), max(y1 - y0, 0)


def _source_offset(covers: Sequence[tuple[int, int, int, int]], width: int,
                   height: int) -> Optional[tuple[int, int]]:
    """One (dx, dy) such that every cover moved by it stays in the frame and off every cover."""
    best, best_gap = None, -1.0
    for dy in np.linspace(-height, height, 25):
        for dx in np.linspace(-width, width, 25):
            ok, gap = True, math.inf
            for x, y, w, h in covers:
                sx, sy = x + dx, y + dy
                if sx < 0 or sy < 0 or sx + w > width or sy + h > height:
                    ok = False
                    break
            if not ok:
                continue
            for x, y, w, h in covers:
                for ox, oy, ow, oh in covers:
                    sx, sy = x + dx, y + dy
                    gap_x = max(ox - (sx + w), sx - (ox + ow))
                    gap_y = max(oy - (sy + h), sy - (oy + oh))
                    gap = min(gap, max(gap_x, gap_y))
            if gap > 0 and gap > best_gap:
                best, best_gap = (int(round(dx)), int(round(dy))), gap
    return best


def hidden_sequence(name: str, groundtruth: np.ndarray, width: int,
                    height: int) -> StressSequence:
    """Plan the hidden-target events of one sequence (frames unchanged in number)."""
    n = len(groundtruth)
    seq = StressSequence(name, 'hidden', list(range(n)), groundtruth.copy())
    ok = present(groundtruth)
    tail = REACQUIRE_WINDOW + CONFIRM_RUN
    earliest = WARM_UP + 1
    while len(seq.events) < EVENTS_PER_KIND:
        options = []
        for start in range(earliest, n - HIDDEN_FRAMES - tail + 1):
            span = range(start - 1, start + HIDDEN_FRAMES + 1)
            if not all(ok[i] for i in span):
                continue
            before, after = groundtruth[start - 1], groundtruth[start + HIDDEN_FRAMES]
            moved = np.linalg.norm(_centre(after) - _centre(before)) / _size(before)
            options.append((moved, -start, start))
        placed = False
        for moved, _, start in sorted(options, reverse=True):
            if hide_target(seq, groundtruth, start, width, height):
                earliest = start + HIDDEN_FRAMES + tail
                placed = True
                break
        if not placed:
            break
    seq.events.sort(key=lambda e: e.before)
    return seq


def hide_target(seq: StressSequence, groundtruth: np.ndarray, start: int, width: int,
                height: int) -> bool:
    """
    Add to ``seq`` one hidden-target event of ``HIDDEN_FRAMES`` frames from frame ``start``.

    Return False (``seq`` unchanged) when no content of the frame can cover every box.
    """
    covers = [_cover(groundtruth[i], width, height) for i in range(start, start + HIDDEN_FRAMES)]
    offset = _source_offset(covers, width, height)
    if offset is None:
        return False
    for i, cover in zip(range(start, start + HIDDEN_FRAMES), covers):
        seq.patches[i] = Patch(cover, (cover[0] + offset[0], cover[1] + offset[1]))
        seq.groundtruth[i] = np.nan
    seq.events.append(StressEvent('hidden', start - 1, start + HIDDEN_FRAMES))
    return True


def cut_sequence(name: str, groundtruth: np.ndarray) -> StressSequence:
    """Plan the jump cuts of one sequence (frames removed)."""
    n = len(groundtruth)
    tail = REACQUIRE_WINDOW + CONFIRM_RUN
    cuts: list[tuple[int, int]] = []
    t = WARM_UP
    while len(cuts) < EVENTS_PER_KIND and t < n:
        found = next_cut(groundtruth, t)
        if found is None:
            break
        cuts.append(found)
        t = found[1] + tail
    removed = {i for last, first in cuts for i in range(last + 1, first)}
    keep = [i for i in range(n) if i not in removed]
    position = {source: index for index, source in enumerate(keep)}
    seq = StressSequence(name, 'cut', keep, groundtruth[keep].copy())
    seq.events = [StressEvent('cut', position[last], position[first]) for last, first in cuts]
    return seq


def far_apart(groundtruth: np.ndarray, last: int, other: int, distance: float) -> bool:
    """Whether the target's centre on ``other`` is ``distance`` sizes (on ``last``) away."""
    moved = np.linalg.norm(_centre(groundtruth[other]) - _centre(groundtruth[last]))
    return moved >= distance * _size(groundtruth[last])


def next_cut(groundtruth: np.ndarray, start: int,
             distance: float = CUT_DISTANCE) -> Optional[tuple[int, int]]:
    """
    Return the first ``(last, first)`` with ``last >= start`` where a cut can go.

    After ``last`` the sequence goes on at the first later frame whose target is ``distance``
    target sizes away and still followed by a re-acquisition window; None where there is none.
    """
    n, ok = len(groundtruth), present(groundtruth)
    tail = REACQUIRE_WINDOW + CONFIRM_RUN
    for last in range(start, n):
        if not ok[last]:
            continue
        for first in range(last + 1, n - tail + 1):
            if ok[first] and far_apart(groundtruth, last, first, distance):
                return last, first
    return None


@dataclass(frozen=True)
class EventScore:
    kind: str
    counted: bool
    reacquired: bool
    frames_to_reacquire: Optional[int]
    hidden_frames: int
    published_hidden: int


def score_events(seq: StressSequence, boxes: np.ndarray,
                 published: np.ndarray) -> list[EventScore]:
    """Score each event of ``seq`` from the run's boxes and per-frame published flags."""
    shown = np.where(published[:, None], boxes, np.nan)
    overlap = np.nan_to_num(iou(shown, np.where(present(seq.groundtruth)[:, None],
                                                seq.groundtruth, np.nan)), nan=0.0)
    on = overlap >= ON_TARGET_IOU
    hidden = seq.hidden_mask()
    scores = []
    for event in seq.events:
        counted = bool(on[event.before])
        found = None
        for start in range(event.visible, min(event.visible + REACQUIRE_WINDOW, len(on))):
            if on[start:start + CONFIRM_RUN].all() and start + CONFIRM_RUN <= len(on):
                found = start - event.visible
                break
        span = np.arange(event.before + 1, event.visible)
        span = span[hidden[span]] if len(span) else span
        scores.append(EventScore(event.kind, counted, found is not None, found, len(span),
                                 int(published[span].sum()) if len(span) else 0))
    return scores


def summarise_events(scores: Sequence[EventScore]) -> dict:
    """Per kind: events counted, re-acquired rate, mean/median frames, published rate."""
    summary = {}
    for kind in sorted({s.kind for s in scores}):
        mine = [s for s in scores if s.kind == kind]
        counted = [s for s in mine if s.counted]
        frames = [s.frames_to_reacquire for s in counted if s.reacquired]
        hidden = sum(s.hidden_frames for s in counted)
        summary[kind] = {
            'events': len(mine), 'counted': len(counted),
            'reacquired': sum(s.reacquired for s in counted),
            'reacquired_rate': (sum(s.reacquired for s in counted) / len(counted)
                                if counted else math.nan),
            'frames_to_reacquire_mean': float(np.mean(frames)) if frames else math.nan,
            'frames_to_reacquire_median': float(np.median(frames)) if frames else math.nan,
            'hidden_frames': hidden,
            'published_hidden_rate': (sum(s.published_hidden for s in counted) / hidden
                                      if hidden else math.nan)}
    return summary


def run_stress(tracker, seq: StressSequence, read: Callable[[int], object],
               on_frame: Callable[[], None] = lambda: None) -> tuple[np.ndarray, np.ndarray]:
    """
    Track a modified sequence; return per-frame boxes and published flags.

    ``read(source_index)`` returns the source frame as a ``Frame``; the init frame is published.
    """
    n = len(seq.frames)
    boxes = np.full((n, 4), np.nan)
    published = np.zeros(n, dtype=bool)
    for index, source in enumerate(seq.frames):
        frame = read(source)
        patch = seq.patches.get(index)
        if patch is not None:
            frame = Frame(apply_patch(frame.pixels, patch), frame.order)
        if index == 0:
            tracker.init(frame, BoxXYWH(*(float(v) for v in seq.groundtruth[0])))
            boxes[0], published[0] = seq.groundtruth[0], True
        else:
            result = tracker.update(frame)
            boxes[index] = result.box.as_tuple()
            published[index] = result.state is TrackState.TRACKING
        on_frame()
    return boxes, published
