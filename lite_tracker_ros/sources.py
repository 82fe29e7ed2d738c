# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Frames from disk: a video file, or a folder of images in sorted order, and ground-truth boxes.

The sequence layout is the one of OTB/GOT-10k/LaSOT-style folders: ``<seq>/img/*.jpg`` (or the
images directly in ``<seq>``) and ``<seq>/groundtruth.txt`` with one ``x,y,w,h`` line per frame
(commas, tabs or spaces; ``nan`` for an absent target).
"""

from __future__ import annotations

from pathlib import Path
import re

import cv2
import numpy as np

from lite_tracker_ros.core.types import BoxXYWH

IMAGE_SUFFIXES = {'.jpg', '.jpeg', '.png', '.bmp', '.ppm', '.tif', '.tiff', '.webp'}


class FrameSource:
    """Yields BGR uint8 frames; ``read()`` returns None at the end."""

    default_groundtruth: Path | None = None

    def read(self) -> np.ndarray | None:
        raise NotImplementedError


class ImageFolderSource(FrameSource):
    """The images of a folder (or its ``img/`` subfolder) in sorted file-name order."""

    def __init__(self, folder: Path, loop: bool = False):
        images = folder / 'img' if (folder / 'img').is_dir() else folder
        self.paths = sorted(p for p in images.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self.paths:
            raise FileNotFoundError(f'no images ({", ".join(sorted(IMAGE_SUFFIXES))}) in {images}')
        self.loop = loop
        self.index = 0
        gt = folder / 'groundtruth.txt'
        self.default_groundtruth = gt if gt.is_file() else None

    def read(self) -> np.ndarray | None:
        if self.index >= len(self.paths):
            if not self.loop:
                return None
            self.index = 0
        path = self.paths[self.index]
        self.index += 1
        frame = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if frame is None:
            raise ValueError(f'cannot decode image {path}')
        return frame


class VideoFileSource(FrameSource):
    """Frames of a video file decoded by OpenCV."""

    def __init__(self, path: Path, loop: bool = False):
        self.path = path
        self.loop = loop
        self.capture = cv2.VideoCapture(str(path))
        if not self.capture.isOpened():
            raise FileNotFoundError(f'cannot open video {path}')

    def read(self) -> np.ndarray | None:
        ok, frame = self.capture.read()
        if not ok and self.loop:
            self.capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self.capture.read()
        return frame if ok else None


def open_frame_source(path: Path, loop: bool = False) -> FrameSource:
    """Open a video file or an image folder."""
    if path.is_dir():
        return ImageFolderSource(path, loop)
    if path.is_file():
        return VideoFileSource(path, loop)
    raise FileNotFoundError(f'no video file or image folder at {path}')


def read_groundtruth(path: Path) -> np.ndarray:
    """Return an (N, 4) float64 array of x, y, w, h per frame; NaN rows for absent targets."""
    rows = []
    for line in path.read_text().splitlines():
        if line.strip():
            rows.append([float(v) for v in re.split(r'[,\s]+', line.strip())[:4]])
    return np.asarray(rows, dtype=np.float64).reshape(-1, 4)


def first_groundtruth_box(path: Path) -> BoxXYWH:
    """Return the first ground-truth box, for initialising a tracker."""
    boxes = read_groundtruth(path)
    if not len(boxes) or not np.all(np.isfinite(boxes[0])):
        raise ValueError(f'{path} has no usable first box')
    return BoxXYWH(*map(float, boxes[0]))
