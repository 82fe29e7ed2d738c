# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Success, precision and normalised-precision plots as PNG, drawn with OpenCV (no matplotlib).

One curve per run (model/backend); the legend gives each curve's summary value (success AUC,
precision at 20 px, normalised precision at 0.2), best first.
"""

from __future__ import annotations

from dataclasses import dataclass
import math
from pathlib import Path
from typing import Mapping, Sequence

import cv2
import numpy as np

from lite_tracker_ros.evaluation.metrics import (NORM_PRECISION_THRESHOLDS,
                                                 PRECISION_THRESHOLDS_PX, SequenceScores,
                                                 SUCCESS_THRESHOLDS)

WIDTH, HEIGHT = 800, 600
LEFT, RIGHT, TOP, BOTTOM = 80, 24, 56, 70
FONT = cv2.FONT_HERSHEY_SIMPLEX
BLACK, GRID = (0, 0, 0), (225, 225, 225)
#: BGR colours, distinguishable on white
COLOURS = ((180, 119, 31), (14, 127, 255), (44, 160, 44), (40, 39, 214), (189, 103, 148),
           (75, 86, 140), (194, 119, 227), (127, 127, 127), (34, 189, 188), (207, 190, 23))


@dataclass(frozen=True)
class Curve:
    """One plotted line: ``label`` in the legend, ``y`` over ``x``."""

    label: str
    x: tuple[float, ...]
    y: tuple[float, ...]


@dataclass(frozen=True)
class Axes:
    """The plot's text and ranges; ``legend`` is 'upper right' or 'lower right'."""

    title: str
    x_label: str
    y_label: str
    x_max: float
    x_ticks: tuple[float, ...]
    legend: str = 'lower right'


def _to_pixel(x: float, y: float, axes: Axes) -> tuple[int, int]:
    px = LEFT + x / axes.x_max * (WIDTH - LEFT - RIGHT)
    py = HEIGHT - BOTTOM - y * (HEIGHT - TOP - BOTTOM)
    return int(round(px)), int(round(py))


def _text(canvas: np.ndarray, text: str, at: tuple[int, int], scale: float = 0.5,
          centre: bool = False) -> None:
    (w, h), _ = cv2.getTextSize(text, FONT, scale, 1)
    x, y = at
    if centre:
        x -= w // 2
    cv2.putText(canvas, text, (x, y + h // 2), FONT, scale, BLACK, 1, cv2.LINE_AA)


def _frame(canvas: np.ndarray, axes: Axes) -> None:
    for tick in np.linspace(0.0, 1.0, 11):
        a, b = _to_pixel(0, tick, axes), _to_pixel(axes.x_max, tick, axes)
        cv2.line(canvas, a, b, GRID, 1)
        _text(canvas, f'{tick:.1f}', (a[0] - 36, a[1]))
    for tick in axes.x_ticks:
        a, b = _to_pixel(tick, 0, axes), _to_pixel(tick, 1, axes)
        cv2.line(canvas, a, b, GRID, 1)
        _text(canvas, f'{tick:g}', (a[0], a[1] + 16), centre=True)
    cv2.rectangle(canvas, _to_pixel(0, 1, axes), _to_pixel(axes.x_max, 0, axes), BLACK, 1)
    _text(canvas, axes.title, (WIDTH // 2, TOP // 2), 0.65, centre=True)
    _text(canvas, axes.x_label, ((LEFT + WIDTH - RIGHT) // 2, HEIGHT - BOTTOM // 3), centre=True)
    label = np.full((24, HEIGHT - TOP - BOTTOM, 3), 255, np.uint8)
    _text(label, axes.y_label, (label.shape[1] // 2, 10), centre=True)
    canvas[TOP:HEIGHT - BOTTOM, 8:32] = cv2.rotate(label, cv2.ROTATE_90_COUNTERCLOCKWISE)


def _legend(canvas: np.ndarray, curves: Sequence[Curve], axes: Axes) -> None:
    if not curves:
        return
    scale, row = 0.45, 20
    width = max(cv2.getTextSize(c.label, FONT, scale, 1)[0][0] for c in curves) + 48
    height = row * len(curves) + 8
    right = WIDTH - RIGHT - 10
    top = TOP + 10 if axes.legend == 'upper right' else HEIGHT - BOTTOM - 10 - height
    cv2.rectangle(canvas, (right - width, top), (right, top + height), (255, 255, 255), -1)
    cv2.rectangle(canvas, (right - width, top), (right, top + height), BLACK, 1)
    for i, curve in enumerate(curves):
        y = top + 4 + row * i + row // 2
        colour = COLOURS[i % len(COLOURS)]
        cv2.line(canvas, (right - width + 8, y), (right - width + 36, y), colour, 2, cv2.LINE_AA)
        _text(canvas, curve.label, (right - width + 42, y), scale)


def draw_plot(curves: Sequence[Curve], axes: Axes, path: Path) -> Path:
    """Draw ``curves`` (already in legend order) on ``axes`` and write a PNG at ``path``."""
    canvas = np.full((HEIGHT, WIDTH, 3), 255, np.uint8)
    _frame(canvas, axes)
    for i, curve in enumerate(curves):
        points = [_to_pixel(x, y, axes) for x, y in zip(curve.x, curve.y)
                  if math.isfinite(x) and math.isfinite(y)]
        if len(points) > 1:
            cv2.polylines(canvas, [np.asarray(points, np.int32)], False,
                          COLOURS[i % len(COLOURS)], 2, cv2.LINE_AA)
    _legend(canvas, curves, axes)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(path), canvas):
        raise OSError(f'cannot write {path}; check that the folder is writable')
    return path


def _ranked(scores: Mapping[str, SequenceScores], curve: str, value: str,
            thresholds: np.ndarray) -> list[Curve]:
    def key(item):
        number = getattr(item[1], value)
        return -number if math.isfinite(number) else math.inf
    return [Curve(f'{label} [{getattr(s, value):.3f}]', tuple(float(t) for t in thresholds),
                  getattr(s, curve)) for label, s in sorted(scores.items(), key=key)]


def write_plots(scores: Mapping[str, SequenceScores], out_dir: Path,
                title: str = '') -> dict[str, Path]:
    """Write success.png, precision.png and norm_precision.png; ``scores`` maps label -> mean."""
    suffix = f' - {title}' if title else ''
    out_dir = Path(out_dir)
    return {
        'success': draw_plot(
            _ranked(scores, 'success', 'auc', SUCCESS_THRESHOLDS),
            Axes(f'Success plot (AUC){suffix}', 'IoU threshold', 'success rate', 1.0,
                 tuple(np.round(np.linspace(0, 1, 11), 2)), 'upper right'),
            out_dir / 'success.png'),
        'precision': draw_plot(
            _ranked(scores, 'precision', 'precision_20', PRECISION_THRESHOLDS_PX),
            Axes(f'Precision plot (at 20 px){suffix}', 'centre error threshold (px)',
                 'precision', 50.0, tuple(range(0, 51, 5))),
            out_dir / 'precision.png'),
        'norm_precision': draw_plot(
            _ranked(scores, 'norm_precision', 'norm_precision_20', NORM_PRECISION_THRESHOLDS),
            Axes(f'Normalised precision plot (at 0.2){suffix}',
                 'normalised centre error threshold', 'normalised precision', 0.5,
                 tuple(np.round(np.linspace(0, 0.5, 11), 2))),
            out_dir / 'norm_precision.png'),
    }
