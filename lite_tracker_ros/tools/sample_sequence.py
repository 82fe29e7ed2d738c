# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
A generated demo sequence: a textured target moving over a textured background.

Deterministic for a seed, with exact ground truth, so the demo needs no downloaded data.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np


def _texture(rng: np.random.Generator, height: int, width: int, cell: int) -> np.ndarray:
    coarse = rng.integers(0, 256, size=(height // cell + 1, width // cell + 1, 3), dtype=np.uint8)
    return cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC)


def write_sample_sequence(folder: Path, frames: int = 240, width: int = 640, height: int = 480,
                          seed: int = 0) -> Path:
    """Write ``folder/img/00001.jpg ...`` and ``folder/groundtruth.txt``; return ``folder``."""
    rng = np.random.default_rng(seed)
    background = cv2.GaussianBlur(_texture(rng, height, width, 24), (0, 0), 3)
    # a calm, low-contrast scene, so the target stands out to a person watching the demo
    background = cv2.addWeighted(background, 0.35, np.full_like(background, 110), 0.65, 0)
    target = _texture(rng, 96, 96, 8)
    cv2.circle(target, (48, 48), 30, (20, 20, 230), 6)
    cv2.line(target, (10, 86), (86, 10), (240, 240, 30), 5)
    (folder / 'img').mkdir(parents=True, exist_ok=True)
    lines = []
    for i in range(frames):
        t = i / frames * 2 * np.pi
        size = 70 + 25 * np.sin(2 * t)  # the target grows and shrinks
        cx = width / 2 + (width / 2 - 90) * np.sin(t)
        cy = height / 2 + (height / 2 - 90) * np.sin(2 * t + 0.5)
        w = h = int(round(size))
        x, y = int(round(cx - w / 2)), int(round(cy - h / 2))
        frame = np.roll(background, shift=i, axis=1)  # a slowly panning camera
        frame[y:y + h, x:x + w] = cv2.resize(target, (w, h), interpolation=cv2.INTER_AREA)
        cv2.imwrite(str(folder / 'img' / f'{i + 1:05d}.jpg'), frame,
                    [cv2.IMWRITE_JPEG_QUALITY, 92])
        lines.append(f'{x},{y},{w},{h}')
    (folder / 'groundtruth.txt').write_text('\n'.join(lines) + '\n')
    return folder
