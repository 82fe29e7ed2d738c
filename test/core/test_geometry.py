# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""Map-back and clipping of centre-head boxes: hand-computed cases and the conformance pack."""

import numpy as np
import pytest

from lite_tracker_ros.core.center_decode import box_to_crop_pixels, decode_center, hann_window
from lite_tracker_ros.core.geometry import clip_box, map_box_back, xywh_to_xyxy, xyxy_to_xywh
from lite_tracker_ros.core.types import BoxXYWH


def test_box_conversions_round_trip():
    box = BoxXYWH(1.5, -2.0, 10.0, 4.25)
    assert xywh_to_xyxy(box) == (1.5, -2.0, 11.5, 2.25)
    assert xyxy_to_xywh(*xywh_to_xyxy(box)) == box


def test_map_back_relative_to_the_crop_corner():
    previous = BoxXYWH(100.0, 50.0, 20.0, 10.0)  # centre (110, 55)
    # crop side 256 / 0.5 = 512 image pixels centred on (110, 55): corner (-146, -201)
    box = map_box_back([256.0, 256.0, 30.0, 12.0], previous, 0.5, 256)
    assert box == BoxXYWH(110.0 - 15.0, 55.0 - 6.0, 30.0, 12.0)
    box = map_box_back([0.0, 10.0, 8.0, 8.0], previous, 0.5, 256)
    assert box == BoxXYWH(-146.0 - 4.0, -201.0 + 10.0 - 4.0, 8.0, 8.0)


@pytest.mark.parametrize('box, expected', [
    (BoxXYWH(10, 20, 30, 40), BoxXYWH(10, 20, 30, 40)),           # inside: unchanged
    (BoxXYWH(-5, -8, 30, 40), BoxXYWH(0, 0, 25, 32)),             # far corner kept
    (BoxXYWH(90, 70, 30, 40), BoxXYWH(90, 70, 10, 10)),           # at most margin from edge
    (BoxXYWH(95, 75, 30, 40), BoxXYWH(90, 70, 10, 10)),           # corner pulled inside
    (BoxXYWH(-50, -60, 20, 20), BoxXYWH(0, 0, 10, 10)),           # far corner at least margin
    (BoxXYWH(40, 30, 3, 2), BoxXYWH(40, 30, 10, 10)),             # tiny box widened
    (BoxXYWH(40, 30, -6, -4), BoxXYWH(40, 30, 10, 10)),           # inverted box
])
def test_clip_box_margin_10(box, expected):
    assert clip_box(box, width=100, height=80) == expected


@pytest.mark.parametrize('model', ['litetrack_b4', 'litetrack_b9'])
def test_conformance_frame1_box_bit_exact(conformance_dir, model):
    pack = np.load(conformance_dir / f'{model}.npz')
    rows = [line.split('\t') for line in (conformance_dir / 'frames.tsv').read_text().splitlines()
            if not line.startswith('#')]
    height, width = int(rows[2][2]), int(rows[2][3])  # frame 1 (0002.jpg)
    rf = float(pack['search_resize_factor'])
    peak = decode_center(pack['score_map'], pack['size_map'], pack['offset_map'],
                         hann_window(16))
    previous = BoxXYWH(*pack['init_box_xywh'].tolist())
    box = clip_box(map_box_back(box_to_crop_pixels(peak.box_cxcywh, 256, rf), previous, rf, 256),
                   width, height)
    assert box.as_tuple() == tuple(pack['frame1_box_xywh'].tolist())
