# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Find the tracking sequences under a folder, in the layouts of the common benchmarks.

A sequence is a folder with a ``groundtruth.txt`` (one ``x,y,w,h`` row per frame) and its frames
either in an ``img/`` subfolder or beside the ground truth:

- OTB and ``../shared/data/sot``: ``ROOT/<seq>/img/*.jpg`` + ``ROOT/<seq>/groundtruth.txt``;
- GOT-10k: ``ROOT/<seq>/*.jpg`` + ``groundtruth.txt`` (``absence.label``: 1 per absent frame);
- LaSOT: ``ROOT/<class>/<class-N>/img/*.jpg`` + ``groundtruth.txt``, with ``full_occlusion.txt``
  and ``out_of_view.txt`` (0/1 per frame).

Frames marked by any of those flag files, and ground-truth rows with NaN, become absent frames
(NaN rows). ROOT may also be a single sequence folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
import re
from typing import Iterable, Sequence

import numpy as np

from lite_tracker_ros.errors import LiteTrackerError
from lite_tracker_ros.sources import ImageFolderSource, read_groundtruth

GROUNDTRUTH = 'groundtruth.txt'
#: per-frame 0/1 files whose 1 means the target is not visible (LaSOT, GOT-10k)
ABSENCE_FILES = ('full_occlusion.txt', 'out_of_view.txt', 'absence.label')


class SequenceError(LiteTrackerError, ValueError):
    """A sequence folder that cannot be evaluated; the message says what to fix."""


@dataclass(frozen=True)
class SequenceInfo:
    """One sequence on disk: its frames in order, its ground truth and absence flag files."""

    name: str
    folder: Path
    images: tuple[Path, ...]
    groundtruth_file: Path
    absence_files: tuple[Path, ...] = ()

    @property
    def n_frames(self) -> int:
        return len(self.images)

    def groundtruth(self) -> np.ndarray:
        """Return the (N, 4) ground truth, with NaN rows for frames flagged absent."""
        boxes = read_groundtruth(self.groundtruth_file)
        if len(boxes) != self.n_frames:
            raise SequenceError(f'{self.groundtruth_file} has {len(boxes)} rows for '
                                f'{self.n_frames} frames; give it one row per frame')
        for path in self.absence_files:
            flags = _read_flags(path)
            if len(flags) != self.n_frames:
                raise SequenceError(f'{path} has {len(flags)} flags for {self.n_frames} frames; '
                                    'give it one 0/1 flag per frame')
            boxes[flags] = np.nan
        return boxes


def _read_flags(path: Path) -> np.ndarray:
    values = [v for v in re.split(r'[,\s]+', path.read_text().strip()) if v]
    try:
        return np.asarray([float(v) != 0 for v in values], dtype=bool)
    except ValueError as error:
        raise SequenceError(f'{path} must hold 0/1 flags separated by commas or newlines') \
            from error


def _sequence(folder: Path, name: str) -> SequenceInfo:
    try:
        images = tuple(ImageFolderSource(folder).paths)
    except FileNotFoundError as error:
        raise SequenceError(f'{error}; put the frames in {folder}/img or beside '
                            f'{GROUNDTRUTH}') from error
    absence = tuple(folder / n for n in ABSENCE_FILES if (folder / n).is_file())
    return SequenceInfo(name, folder, images, folder / GROUNDTRUTH, absence)


def _sequence_folders(root: Path) -> list[Path]:
    if (root / GROUNDTRUTH).is_file():
        return [root]
    found = []
    for child in sorted(p for p in root.iterdir() if p.is_dir()):
        if (child / GROUNDTRUTH).is_file():
            found.append(child)  # OTB / GOT-10k: ROOT/<seq>
        else:
            found.extend(sorted(g for g in child.iterdir()  # LaSOT: ROOT/<class>/<seq>
                                if g.is_dir() and (g / GROUNDTRUTH).is_file()))
    return found


def discover_sequences(root: Path, names: Iterable[str] | None = None) -> list[SequenceInfo]:
    """
    Return the sequences under ``root`` sorted by path, optionally only those in ``names``.

    A sequence is named by its folder; when two folders share a name (e.g. in two LaSOT
    classes), each is named by its path relative to ``root`` with ``/`` written as ``__``.
    """
    root = Path(root)
    if not root.is_dir():
        raise SequenceError(f'no folder at {root}; pass --data a folder of sequences')
    folders = _sequence_folders(root)
    if not folders:
        raise SequenceError(f'no sequence (a folder with {GROUNDTRUTH}) under {root}')
    counts: dict[str, int] = {}
    for folder in folders:
        counts[folder.name] = counts.get(folder.name, 0) + 1

    def name_of(folder: Path) -> str:
        if counts[folder.name] == 1 or folder == root:
            return folder.name
        return folder.relative_to(root).as_posix().replace('/', '__')
    sequences = [_sequence(folder, name_of(folder)) for folder in folders]
    return select(sequences, names) if names else sequences


def select(sequences: Sequence[SequenceInfo], names: Iterable[str]) -> list[SequenceInfo]:
    """Return the sequences called ``names``, in that order; unknown names are an error."""
    by_name = {s.name: s for s in sequences}
    wanted = list(dict.fromkeys(names))
    unknown = [n for n in wanted if n not in by_name]
    if unknown:
        known = sorted(by_name)
        shown = ', '.join(known[:12]) + (', ...' if len(known) > 12 else '')
        raise SequenceError(f'unknown sequence(s) {", ".join(unknown)}; known: {shown}')
    return [by_name[n] for n in wanted]
