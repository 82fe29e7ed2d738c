# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""The small ``lite-tracker`` commands: models, convert, download, install."""

import subprocess
import sys

import pytest
import torch


def lite_tracker(*args, env=None):
    return subprocess.run([sys.executable, '-m', 'lite_tracker_ros.cli', *args],
                          capture_output=True, text=True, env=env, timeout=300)


def test_models_lists_installed_files_from_the_model_path(nanotrack_dir, tmp_path, monkeypatch):
    monkeypatch.setenv('LITE_TRACKER_CACHE', str(tmp_path))
    monkeypatch.setenv('LITE_TRACKER_MODEL_PATH', str(nanotrack_dir))
    result = lite_tracker('models')
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    assert 'checkpoint, onnx_backbone, onnx_head' in rows['nanotrack_v2']
    assert ' no ' in rows['litetrack_b4']
    assert str(nanotrack_dir) in result.stdout


def test_convert_writes_an_equal_safetensors_file(tmp_path):
    from safetensors.torch import load_file
    state = {'backbone.w': torch.arange(12, dtype=torch.float32).reshape(3, 4),
             'head.b': torch.tensor([0.5, -1.5])}
    src = tmp_path / 'model.pth.tar'
    torch.save({'net': state, 'epoch': 3}, src)
    result = lite_tracker('convert', str(src), str(tmp_path / 'model.safetensors'))
    assert result.returncode == 0, result.stderr
    loaded = load_file(str(tmp_path / 'model.safetensors'))
    assert set(loaded) == set(state)
    for key in state:
        assert torch.equal(loaded[key], state[key])


def test_convert_refuses_junk_in_one_line(tmp_path):
    junk = tmp_path / 'junk.pth'
    junk.write_bytes(b'\x00not a checkpoint')
    result = lite_tracker('convert', str(junk), str(tmp_path / 'out.safetensors'))
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert 'junk.pth' in result.stderr


def test_download_of_a_drive_only_model_explains_the_manual_route(tmp_path, monkeypatch):
    monkeypatch.setenv('LITE_TRACKER_CACHE', str(tmp_path))
    result = lite_tracker('download', 'mvt')
    assert result.returncode == 1
    assert 'lite-tracker install mvt FILE' in result.stderr


@pytest.mark.parametrize('args', [['--help'], ['eval', '--help'], ['bench', '--help'],
                                  ['export', '--help'], ['demo', '--help']])
def test_every_subcommand_has_help(args):
    result = lite_tracker(*args)
    assert result.returncode == 0, result.stderr
    assert 'usage: lite-tracker' in result.stdout
