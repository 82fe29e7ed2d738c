# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
One error base: every error the package raises on purpose is a ``LiteTrackerError``.

The command line and the node catch that one type and print one line; the library below them
keeps the cause on the error it raises.
"""

import ast
import builtins
import importlib
from pathlib import Path
import types

import pytest

from lite_tracker_ros import cli
from lite_tracker_ros.errors import first_line, LiteTrackerError

PACKAGE = Path(__file__).resolve().parents[1] / 'lite_tracker_ros'
BUILTIN_BASES = {name for name, value in vars(builtins).items()
                 if isinstance(value, type) and issubclass(value, BaseException)}


def _error_classes_in_sources() -> list[tuple[str, str]]:
    """List (module, class) of each class in the package whose base looks like an exception."""
    found = []
    for path in sorted(PACKAGE.rglob('*.py')):
        module = '.'.join(path.relative_to(PACKAGE.parent).with_suffix('').parts)
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.ClassDef):
                continue
            bases = [getattr(base, 'id', getattr(base, 'attr', '')) for base in node.bases]
            if any(b in BUILTIN_BASES or b.endswith(('Error', 'Exception')) for b in bases):
                found.append((module, node.name))
    return found


def test_every_error_class_of_the_package_derives_from_the_base():
    classes = _error_classes_in_sources()
    names = {name for _, name in classes}
    # the scan sees errors of every layer (so this test cannot pass by finding nothing)
    assert {'TrackerCreationError', 'StartupError', 'CheckpointError', 'UnsafeCacheFile',
            'CameraModelError', 'CorruptFileError', 'ArgumentError', 'InitError',
            'BackendUnavailableError', 'ImageConversionError'} <= names
    outside = []
    for module, name in classes:
        cls = getattr(importlib.import_module(module), name)
        if issubclass(cls, BaseException) and not issubclass(cls, LiteTrackerError):
            outside.append(f'{module}.{name}')
    assert outside == []


def test_errors_keep_the_builtin_base_callers_caught():
    from lite_tracker_ros.cache_files import UnsafeCacheFile
    from lite_tracker_ros.factory import TrackerCreationError
    from lite_tracker_ros.model_registry import CorruptFileError
    assert issubclass(TrackerCreationError, ValueError)
    assert issubclass(CorruptFileError, LookupError)
    assert issubclass(UnsafeCacheFile, OSError)


def test_first_line():
    assert first_line(LiteTrackerError('no weights; run lite-tracker download\nkey report')) \
        == 'no weights; run lite-tracker download'
    assert first_line(LiteTrackerError()) == 'LiteTrackerError'


class _ToolError(LiteTrackerError):
    """Stands for any error of the package that a tool does not catch itself."""


def _tool_raising(error):
    def run(args):
        raise error
    return types.SimpleNamespace(add_arguments=lambda parser: None, run=run)


def test_cli_prints_one_line_for_any_package_error(monkeypatch, capsys):
    error = _ToolError('the graphs are float16; export them again\nsecond line')
    monkeypatch.setattr(cli, '_tool', lambda name: _tool_raising(error))
    assert cli.main(['models']) == 1
    assert capsys.readouterr().err == 'lite-tracker models: the graphs are float16; ' \
                                      'export them again\n'


def test_cli_does_not_hide_a_bug(monkeypatch):
    monkeypatch.setattr(cli, '_tool', lambda name: _tool_raising(KeyError('bug')))
    with pytest.raises(KeyError):
        cli.main(['models'])


def test_node_startup_prints_one_line_for_any_package_error(capsys):
    from lite_tracker_ros.ros.node_main import run_node

    def make_node():
        raise _ToolError('model litetrack_b9 unknown; known: litetrack_b4\nmore detail')

    assert run_node('tracker_node', make_node) == 2
    assert capsys.readouterr().err == \
        'tracker_node: model litetrack_b9 unknown; known: litetrack_b4\n'


def test_factory_keeps_the_cause(tmp_path):
    from lite_tracker_ros.factory import create_tracker, TrackerCreationError
    from lite_tracker_ros.networks.errors import CheckpointError
    broken = tmp_path / 'LiteTrack_ep0300.pth.tar'
    broken.write_bytes(b'not a zip archive')
    with pytest.raises(TrackerCreationError) as caught:
        create_tracker('litetrack_b4', weights=broken)
    assert isinstance(caught.value.__cause__, CheckpointError)
    with pytest.raises(TrackerCreationError) as caught:
        create_tracker('litetrack_b4', backend='no_such_backend')
    assert caught.value.__cause__ is not None
