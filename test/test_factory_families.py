# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Every family, built by ``create_tracker`` from a checkpoint file, tracks like the reference.

On every CPU backend: the first frames of the conformance track, to 0.01 px.
"""

import csv

import cv2
import numpy as np
import pytest
import torch

from lite_tracker_ros.core.types import BoxXYWH, ChannelOrder, Frame
from lite_tracker_ros.factory import create_tracker

FRAMES = 6


@pytest.fixture(scope='module')
def deer_frames(sot_dir):
    paths = sorted((sot_dir / 'Deer' / 'img').glob('*.jpg'))[:FRAMES]
    return [Frame(cv2.imread(str(p)), ChannelOrder.BGR) for p in paths]


def reference_track(conformance_dir, name):
    with open(conformance_dir / f'{name}.track.tsv') as f:
        rows = list(csv.DictReader(f, delimiter='\t'))
    return np.array([[float(r[k]) for k in 'xywh'] for r in rows[:FRAMES]])


@pytest.mark.parametrize('backend', ['torch', 'onnxruntime'])
@pytest.mark.parametrize('name', ['litetrack_b4', 'mvt', 'compresstracker_2', 'fartrack'])
def test_family_tracks_like_the_reference(name, backend, conformance_dir,
                                          conformance_state_dict, deer_frames, tmp_path,
                                          monkeypatch):
    monkeypatch.setenv('LITE_TRACKER_CACHE', str(tmp_path))  # exported graphs go here
    checkpoint = tmp_path / f'{name}.pth.tar'
    torch.save({'net': {k: torch.from_numpy(np.array(v))
                        for k, v in conformance_state_dict(name).items()}}, checkpoint)
    tracker = create_tracker(name, backend=backend, weights=checkpoint, num_threads=1)
    expected = reference_track(conformance_dir, name)
    tracker.init(deer_frames[0], BoxXYWH(*expected[0]))
    got = [tracker.update(frame).box.as_tuple() for frame in deer_frames[1:]]
    np.testing.assert_allclose(got, expected[1:], atol=0.01)
