# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""``lite-tracker demo`` end to end: three processes over DDS, an annotated video out."""

import json
import os
import subprocess
import sys

import cv2


def run_demo(tmp_path, env_extra, *args):
    env = dict(os.environ, LITE_TRACKER_CACHE=str(tmp_path / 'cache'), **env_extra)
    return subprocess.run([sys.executable, '-m', 'lite_tracker_ros.cli', 'demo',
                           '--out', str(tmp_path / 'demo'), *args],
                          capture_output=True, text=True, env=env, timeout=600)


def test_demo_tracks_the_generated_sample_and_writes_the_results(tmp_path, nanotrack_dir):
    # --offline: the sample video is not fetched, the generated sample is the fallback
    result = run_demo(tmp_path, {'LITE_TRACKER_MODEL_PATH': str(nanotrack_dir)},
                      '--max-frames', '60', '--rate', '20', '--offline')
    assert result.returncode == 0, result.stdout + result.stderr
    out = tmp_path / 'demo'
    summary = json.loads((out / 'summary.json').read_text())
    assert summary['model'] == 'nanotrack_v2' and summary['frames_published'] == 60
    assert summary['frames_tracked'] >= 50
    # the generated target is easy: a working pipeline overlaps it well
    assert summary['accuracy']['success_auc'] > 0.6
    video = cv2.VideoCapture(str(out / 'annotated.mp4'))
    assert int(video.get(cv2.CAP_PROP_FRAME_COUNT)) == 60
    assert cv2.imread(str(out / 'strip.png')) is not None
    assert 'success AUC' in (out / 'summary.md').read_text()


def test_demo_without_weights_says_how_to_install_them(tmp_path):
    # online, the demo downloads the default model (test/tools/test_first_run.py); offline it
    # says how to install one
    result = run_demo(tmp_path, {'LITE_TRACKER_MODEL_PATH': ''}, '--offline')
    assert result.returncode == 1
    assert 'lite-tracker download nanotrack_v2' in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_demo_prefers_the_real_sample_video_when_it_is_installed(tmp_path, nanotrack_dir,
                                                                 videos_dir):
    result = run_demo(tmp_path, {'LITE_TRACKER_MODEL_PATH': f'{nanotrack_dir}:{videos_dir}'},
                      '--max-frames', '30', '--rate', '20', '--offline')
    assert result.returncode == 0, result.stdout + result.stderr
    assert f'using the sample video {videos_dir / "pysot_bag.avi"} (Apache-2.0' in result.stdout
    summary = json.loads((tmp_path / 'demo' / 'summary.json').read_text())
    assert summary['frames_published'] == 30 and summary['frames_tracked'] >= 25
