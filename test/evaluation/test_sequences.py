# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""Sequence discovery in the OTB, GOT-10k and LaSOT layouts, built in tmp_path."""

from pathlib import Path

import cv2
import numpy as np
import pytest

from lite_tracker_ros.evaluation.sequences import discover_sequences, SequenceError


def write_frames(folder: Path, count: int, suffix: str = '.jpg') -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        cv2.imwrite(str(folder / f'{i + 1:08d}{suffix}'), np.full((8, 8, 3), i, np.uint8))


def write_gt(folder: Path, rows, sep: str = ',') -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / 'groundtruth.txt').write_text(
        '\n'.join(sep.join(str(v) for v in row) for row in rows) + '\n')


def box(i):
    return (10 + i, 20, 30, 40)


def test_otb_layout(tmp_path):
    for name, n in (('Deer', 3), ('Couple', 4)):
        write_frames(tmp_path / name / 'img', n)
        write_gt(tmp_path / name, [box(i) for i in range(n)], sep='\t')
    (tmp_path / 'notes').mkdir()  # a folder without ground truth is not a sequence
    sequences = discover_sequences(tmp_path)
    assert [s.name for s in sequences] == ['Couple', 'Deer']
    couple = sequences[0]
    assert couple.n_frames == 4 and couple.images[0].parent == tmp_path / 'Couple' / 'img'
    assert couple.groundtruth().tolist() == [list(map(float, box(i))) for i in range(4)]


def test_got10k_layout_with_absence_label(tmp_path):
    seq = tmp_path / 'GOT-10k_Val_000001'
    write_frames(seq, 4)
    write_gt(seq, [box(i) for i in range(4)])
    (seq / 'absence.label').write_text('0\n1\n0\n0\n')
    (seq / 'cover.label').write_text('8\n0\n8\n8\n')  # not an absence flag
    (tmp_path / 'list.txt').write_text('GOT-10k_Val_000001\n')
    [sequence] = discover_sequences(tmp_path)
    assert sequence.name == 'GOT-10k_Val_000001' and sequence.n_frames == 4
    assert all(p.suffix == '.jpg' for p in sequence.images)
    gt = sequence.groundtruth()
    assert np.isnan(gt[1]).all() and np.isfinite(gt[[0, 2, 3]]).all()


def test_lasot_layout_with_occlusion_and_out_of_view(tmp_path):
    for cls, index, n in (('airplane', 1, 5), ('airplane', 2, 3), ('bird', 1, 4)):
        seq = tmp_path / cls / f'{cls}-{index}'
        write_frames(seq / 'img', n)
        write_gt(seq, [box(i) for i in range(n)])
        flags = ['0'] * n
        occluded = ['0'] * n
        flags[-1] = '1'
        occluded[1] = '1'
        (seq / 'out_of_view.txt').write_text(','.join(flags) + '\n')
        (seq / 'full_occlusion.txt').write_text(','.join(occluded) + '\n')
    sequences = discover_sequences(tmp_path)
    assert [s.name for s in sequences] == ['airplane-1', 'airplane-2', 'bird-1']
    gt = sequences[0].groundtruth()
    assert np.isnan(gt[:, 0]).tolist() == [False, True, False, False, True]


def test_nan_rows_stay_absent_and_one_sequence_folder_is_its_own_root(tmp_path):
    write_frames(tmp_path / 'img', 3)
    write_gt(tmp_path, [box(0), ('nan', 'nan', 'nan', 'nan'), box(2)])
    [sequence] = discover_sequences(tmp_path)
    assert sequence.name == tmp_path.name
    assert np.isnan(sequence.groundtruth()[1]).all()


def test_selection_keeps_the_requested_order_and_rejects_unknown_names(tmp_path):
    for name in ('a', 'b', 'c'):
        write_frames(tmp_path / name / 'img', 2)
        write_gt(tmp_path / name, [box(0), box(1)])
    assert [s.name for s in discover_sequences(tmp_path, ['c', 'a'])] == ['c', 'a']
    with pytest.raises(SequenceError, match='unknown sequence.*zz.*known: a, b, c'):
        discover_sequences(tmp_path, ['a', 'zz'])


def test_same_name_in_two_classes_is_named_by_path(tmp_path):
    for cls in ('x', 'y'):
        seq = tmp_path / cls / 'run-1'
        write_frames(seq / 'img', 2)
        write_gt(seq, [box(0), box(1)])
    assert [s.name for s in discover_sequences(tmp_path)] == ['x__run-1', 'y__run-1']


def test_problems_are_reported_with_what_to_fix(tmp_path):
    with pytest.raises(SequenceError, match='no folder'):
        discover_sequences(tmp_path / 'missing')
    (tmp_path / 'empty').mkdir()
    with pytest.raises(SequenceError, match='no sequence'):
        discover_sequences(tmp_path / 'empty')
    seq = tmp_path / 'short'
    write_frames(seq / 'img', 3)
    write_gt(seq, [box(0), box(1)])
    [sequence] = discover_sequences(seq)
    with pytest.raises(SequenceError, match='2 rows for 3 frames'):
        sequence.groundtruth()
    (seq / 'out_of_view.txt').write_text('0,1\n')
    write_gt(seq, [box(0), box(1), box(2)])
    with pytest.raises(SequenceError, match='2 flags for 3 frames'):
        discover_sequences(seq)[0].groundtruth()
    no_frames = tmp_path / 'noframes'
    write_gt(no_frames, [box(0)])
    with pytest.raises(SequenceError, match='no images'):
        discover_sequences(no_frames)
