# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
``lite-tracker eval`` end to end: NanoTrack v2 on two real sequences, checked independently.

The scores in results.json are recomputed here from the per-frame boxes the tool wrote and the
sequences' groundtruth.txt, with a per-frame loop that shares no code with the package.
"""

import contextlib
import io
import json
import math
from pathlib import Path

import cv2
import numpy as np
import pytest

from lite_tracker_ros import cli

SEQUENCES = ('Deer', 'Football1')


def read_boxes(path: Path):
    rows = []
    for line in path.read_text().splitlines():
        if line.strip():
            rows.append([float(v) for v in line.replace('\t', ',').split(',')[:4]])
    return rows


def overlap(a, b):
    ax2, ay2, bx2, by2 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    iw = min(ax2, bx2) - max(a[0], b[0])
    ih = min(ay2, by2) - max(a[1], b[1])
    if iw <= 0 or ih <= 0:
        return 0.0
    return iw * ih / (a[2] * a[3] + b[2] * b[3] - iw * ih)


def independent_scores(boxes, gt):
    """AUC (21 thresholds, IoU > t), precision (<= 20 px), norm. precision (<= 0.2)."""
    start = next(i for i, g in enumerate(gt) if all(math.isfinite(v) for v in g))
    ious, near, near_norm = [], 0, 0
    for box, g in zip(boxes[start + 1:], gt[start + 1:]):
        if not all(math.isfinite(v) for v in g):
            continue  # absent target: not scored
        ious.append(overlap(box, g))
        dx = box[0] + box[2] / 2 - g[0] - g[2] / 2
        dy = box[1] + box[3] / 2 - g[1] - g[3] / 2
        near += math.sqrt(dx * dx + dy * dy) <= 20
        near_norm += math.sqrt((dx / g[2]) ** 2 + (dy / g[3]) ** 2) <= 0.2
    auc = sum(sum(1 for v in ious if v > k * 0.05) for k in range(21)) / len(ious) / 21
    return auc, near / len(ious), near_norm / len(ious), start


def run_cli(argv):
    err = io.StringIO()
    out = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        rc = cli.main(argv)
    return rc, out.getvalue(), err.getvalue()


@pytest.fixture(scope='module')
def nanotrack(nanotrack_dir, tmp_path_factory):
    """Model path set for NanoTrack; yields the backend that can build nanotrack_v2."""
    from lite_tracker_ros.factory import create_tracker, TrackerCreationError
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv('LITE_TRACKER_MODEL_PATH', str(nanotrack_dir))
        patch.setenv('LITE_TRACKER_CACHE', str(tmp_path_factory.mktemp('empty_cache')))
        reasons = []
        for backend in ('onnxruntime', 'torch'):
            try:
                create_tracker('nanotrack_v2', backend=backend)
            except TrackerCreationError as error:
                reasons.append(f'{backend}: {error}')
                continue
            yield backend
            return
        pytest.skip('nanotrack_v2 cannot be built by create_tracker yet (' +
                    '; '.join(reasons) + ')')


@pytest.fixture(scope='module')
def first_run(nanotrack, sot_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp('eval')
    argv = ['eval', 'nanotrack_v2', '--backend', nanotrack, '--data', str(sot_dir),
            '--sequences', ','.join(SEQUENCES), '--out', str(out), '--threads', '1']
    rc, stdout, stderr = run_cli(argv)
    assert rc == 0, stderr
    return out, argv, stdout, stderr


def test_scores_match_an_independent_computation(first_run, nanotrack, sot_dir):
    out, _, stdout, _ = first_run
    results = json.loads((out / 'results.json').read_text())
    [run] = results['runs']
    assert (run['model'], run['backend']) == ('nanotrack_v2', nanotrack)
    assert list(run['sequences']) == list(SEQUENCES)
    aucs = []
    for name in SEQUENCES:
        stored = json.loads((out / f'nanotrack_v2__{nanotrack}' / f'{name}.json').read_text())
        gt = read_boxes(sot_dir / name / 'groundtruth.txt')
        assert len(stored['boxes']) == len(gt) == run['sequences'][name]['frames']
        auc, precision, norm_precision, start = independent_scores(stored['boxes'], gt)
        assert stored['boxes'][start] == gt[start]  # initialised on the ground truth
        scores = run['sequences'][name]
        assert scores['auc'] == pytest.approx(auc, abs=1e-12)
        assert scores['precision_20px'] == pytest.approx(precision, abs=1e-12)
        assert scores['norm_precision_0.2'] == pytest.approx(norm_precision, abs=1e-12)
        assert scores['frames_scored'] == len(gt) - 1
        aucs.append(auc)
        assert f'| {name} | {len(gt)} |' in stdout
    assert run['mean']['auc'] == pytest.approx(sum(aucs) / len(aucs), abs=1e-12)
    assert np.mean(run['curves']['success']) == pytest.approx(run['mean']['auc'], abs=1e-12)
    # a real tracker on these easy sequences, not a run of empty boxes
    assert run['mean']['auc'] > 0.3


def test_progress_and_plots(first_run):
    out, _, _, stderr = first_run
    assert any(line.startswith('[') and ' 100% ' in line for line in stderr.splitlines())
    for name in ('success', 'precision', 'norm_precision'):
        path = out / f'{name}.png'
        assert path.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        assert image.shape == (600, 800, 3)
        # the curve's colour (first palette entry) is drawn, not only the white canvas
        assert np.sum(np.all(image == (180, 119, 31), axis=-1)) > 100
    assert 'nanotrack_v2' in (out / 'results.md').read_text()


def test_long_term_and_stress_protocol(nanotrack, sot_dir, tmp_path):
    # both variants scored, the stress tables and strips written; the stress numbers agree
    # with the per-event records, and the mode publishes fewer boxes while the target is hidden
    argv = ['eval', 'nanotrack_v2', '--backend', nanotrack, '--data', str(sot_dir),
            '--sequences', 'Human7', '--out', str(tmp_path), '--threads', '1',
            '--long-term', '--stress', '--quiet']
    rc, stdout, stderr = run_cli(argv)
    assert rc == 0, stderr
    runs = json.loads((tmp_path / 'results.json').read_text())['runs']
    assert [r['variant'] for r in runs] == ['', 'long_term']
    assert (tmp_path / f'nanotrack_v2__{nanotrack}__long_term' / 'Human7.json').exists()
    stress = json.loads((tmp_path / 'stress.json').read_text())
    assert '--long-term --stress' in stress['command']
    by_label = {r['label']: r for r in stress['runs']}
    assert len(by_label) == 2
    for run in by_label.values():
        hidden = [e for e in run['events'] if e['kind'] == 'hidden' and e['counted']]
        assert hidden
        summary = run['summary']['hidden']
        assert summary['counted'] == len(hidden)
        assert summary['published_hidden_rate'] == pytest.approx(
            sum(e['published_hidden'] for e in hidden) / sum(e['hidden_frames'] for e in hidden))
    off = by_label[f'nanotrack_v2/{nanotrack}']['summary']['hidden']['published_hidden_rate']
    on = by_label[f'nanotrack_v2/{nanotrack} long_term']['summary']['hidden'][
        'published_hidden_rate']
    assert on < off
    assert (tmp_path / 'strip_hidden.png').read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    assert 'published while hidden' in (tmp_path / 'stress.md').read_text()


def test_resume_skips_finished_sequences(first_run, monkeypatch):
    out, argv, _, _ = first_run
    from lite_tracker_ros import factory
    files = sorted(out.glob('nanotrack_v2__*/*.json'))
    before = {p: p.stat().st_mtime_ns for p in files}
    scores = json.loads((out / 'results.json').read_text())['runs'][0]['sequences']

    def no_tracker(*args, **kwargs):
        raise AssertionError('a finished sequence was tracked again')
    monkeypatch.setattr(factory, 'create_tracker', no_tracker)
    rc, _, stderr = run_cli(argv)
    assert rc == 0, stderr
    assert {p: p.stat().st_mtime_ns for p in files} == before
    again = json.loads((out / 'results.json').read_text())['runs'][0]['sequences']
    assert again == scores


def test_litetrack_with_a_weights_file_runs_through_the_torch_backend(
        sot_dir, synthetic_weights_file, tmp_path):
    weights = synthetic_weights_file('litetrack_b4')
    rc, _, stderr = run_cli(['eval', 'litetrack_b4', '--data', str(sot_dir), '--sequences',
                             'Deer', '--max-frames', '3', '--weights', str(weights),
                             '--out', str(tmp_path), '--threads', '1', '--quiet'])
    assert rc == 0, stderr
    stored = json.loads((tmp_path / 'litetrack_b4__torch' / 'Deer.json').read_text())
    assert stored['weights'] == str(weights.resolve()) and len(stored['boxes']) == 3
    assert all(v is not None for v in stored['update_s'][1:])
    results = json.loads((tmp_path / 'results.json').read_text())
    assert results['runs'][0]['sequences']['Deer']['frames_scored'] == 2
    assert '100%' not in stderr  # --quiet


def test_user_errors_exit_with_one_line(sot_dir, tmp_path):
    rc, _, stderr = run_cli(['eval', 'litetrack_b4', '--data', str(sot_dir), '--sequences',
                             'NoSuchSequence', '--out', str(tmp_path)])
    assert rc == 2 and 'unknown sequence(s) NoSuchSequence' in stderr
    rc, _, stderr = run_cli(['eval', 'litetrack_b4', 'mvt', '--data', str(sot_dir),
                             '--weights', 'w.pth', '--out', str(tmp_path)])
    assert rc == 2 and 'with several models write MODEL=FILE' in stderr
    rc, _, stderr = run_cli(['eval', 'no_such_model', '--data', str(sot_dir), '--sequences',
                             'Deer', '--max-frames', '2', '--out', str(tmp_path), '--quiet'])
    assert rc == 1 and "unknown model 'no_such_model'" in stderr
