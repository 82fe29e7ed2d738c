# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""A damaged weights file stops the tracker node's start-up with one line and exit code 2."""

import zipfile

import pytest
from ros_harness import TrackerProcess
import torch


def _bit_rot(path):
    torch.save({'net': {'w': torch.arange(4096, dtype=torch.float32)}}, path)
    with zipfile.ZipFile(path) as archive:
        info = next(i for i in archive.infolist() if i.filename.endswith('data/0'))
    blob = bytearray(path.read_bytes())
    blob[info.header_offset + 4096] ^= 0x04  # inside the storage: its CRC no longer matches
    path.write_bytes(bytes(blob))


def _deep_nesting(path):
    with zipfile.ZipFile(path, 'w') as archive:
        archive.writestr('archive/data.pkl', b'\x80\x02' + b']' * 5000 + b'a' * 4999 + b'.')


def _nan_weight(path):
    torch.save({'net': {'w': torch.tensor([0.5, float('nan')])}}, path)


@pytest.mark.parametrize('damage,expected', [(_bit_rot, 'CRC'),
                                             (_deep_nesting, 'nested more than'),
                                             (_nan_weight, "tensor 'w' holds non-finite")])
def test_damaged_checkpoint_stops_startup_with_one_line(tmp_path, damage, expected):
    path = tmp_path / f'{damage.__name__.strip("_")}.pth.tar'
    damage(path)
    tracker = TrackerProcess(f'/ckpt_{damage.__name__.strip("_")}',
                             {'model': 'litetrack_b4', 'weights': str(path), 'backend': 'torch',
                              'num_threads': 1})
    tracker.process.wait(120)
    err = tracker.process.stderr.read()
    lines = [line for line in err.splitlines() if line.strip()]
    assert tracker.process.returncode == 2, err
    assert len(lines) == 1 and lines[0].startswith('tracker_node: '), err
    assert expected in lines[0] and str(path) in lines[0]
