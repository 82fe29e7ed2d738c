# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
The shared tracker-loop skeleton: what it does around a family's hooks, and who owns its state.

A toy loop whose hooks are scripted by the test shows the template method's contract (IDLE
check, new id per init, LOST judged against the threshold, stage timings, reset, resume); an
AST scan of the package shows that no loop writes the base's track state, id or box.
"""

import ast
from pathlib import Path
import time

import numpy as np
import pytest

from lite_tracker_ros.core.tracker import Tracker
from lite_tracker_ros.core.tracker_loop import TrackerLoop
from lite_tracker_ros.core.types import BoxXYWH, Frame, TrackState

PACKAGE = Path(__file__).resolve().parents[2] / 'lite_tracker_ros'
OWNED = ('_state', '_track_id', '_box')
FRAME = np.zeros((40, 60, 3), dtype=np.uint8)


class ToyLoop(TrackerLoop):
    """Moves the box by ``shift`` each frame and scores it with the next of ``scores``."""

    default_lost_threshold = 0.5

    def __init__(self, scores=(0.9,), lost_threshold=None, fail_start=False):
        super().__init__(lost_threshold)
        self.scores = list(scores)
        self.fail_start = fail_start
        self.calls = []

    def _start(self, frame, box):
        self.calls.append(('start', frame.width, box))
        if self.fail_start:
            raise RuntimeError('backend refused the template')
        return BoxXYWH(box.x + 0.5, box.y, box.w, box.h)  # the kept box differs on purpose

    def _step(self, frame, box, timer):
        self.calls.append(('step', box))
        timer.mark('preprocess')
        time.sleep(0.02)
        timer.mark('inference')
        return BoxXYWH(box.x + 1.0, box.y + 2.0, box.w, box.h), self.scores.pop(0)

    def _forget(self):
        self.calls.append(('forget',))

    def _move_to(self, box):
        self.calls.append(('move', box))
        return BoxXYWH(box.x, box.y, box.w * 2, box.h)

    def _next_resampling(self, box):
        return box.w / 10


def test_idle_until_init_and_update_refuses():
    loop = ToyLoop()
    assert isinstance(loop, Tracker)
    assert loop.state is TrackState.IDLE and loop.track_id == 0 and loop.box is None
    assert loop.search_resampling() is None
    with pytest.raises(RuntimeError, match=r'call init\(frame, box\) first'):
        loop.update(FRAME)
    assert loop.calls == []  # the hook never ran


def test_init_keeps_the_box_the_hook_returns_and_counts_tracks():
    loop = ToyLoop(scores=(0.9, 0.9))
    loop.init(Frame(FRAME), BoxXYWH(10, 10, 8, 6))
    assert loop.calls == [('start', 60, BoxXYWH(10, 10, 8, 6))]
    assert loop.state is TrackState.TRACKING and loop.track_id == 1
    assert loop.box == BoxXYWH(10.5, 10, 8, 6)
    assert loop.search_resampling() == pytest.approx(0.8)
    loop.init(FRAME, BoxXYWH(1, 1, 4, 4))  # a bare array is accepted as a frame
    assert loop.track_id == 2 and loop.box == BoxXYWH(1.5, 1, 4, 4)


def test_bad_init_box_or_failed_start_leaves_the_loop_as_it_was():
    loop = ToyLoop()
    with pytest.raises(ValueError, match='positive width'):
        loop.init(FRAME, BoxXYWH(0, 0, 0, 5))
    failing = ToyLoop(fail_start=True)
    with pytest.raises(RuntimeError, match='refused'):
        failing.init(FRAME, BoxXYWH(0, 0, 5, 5))
    for tracker in (loop, failing):
        assert tracker.state is TrackState.IDLE and tracker.track_id == 0 and tracker.box is None


def test_update_steps_from_the_previous_box_and_judges_the_score():
    loop = ToyLoop(scores=(0.7, 0.2, 0.5))
    loop.init(FRAME, BoxXYWH(10, 10, 8, 6))
    first = loop.update(FRAME)
    assert loop.calls[-1] == ('step', BoxXYWH(10.5, 10, 8, 6))
    assert first.box == BoxXYWH(11.5, 12, 8, 6) == loop.box
    assert (first.score, first.state, first.track_id) == (0.7, TrackState.TRACKING, 1)
    second = loop.update(FRAME)
    assert loop.calls[-1] == ('step', BoxXYWH(11.5, 12, 8, 6))
    assert second.state is TrackState.LOST and loop.state is TrackState.LOST
    assert loop.update(FRAME).state is TrackState.TRACKING  # the threshold itself is kept
    assert set(first.timings_s) == {'preprocess', 'inference', 'postprocess'}
    assert all(v >= 0 for v in first.timings_s.values())
    assert first.timings_s['inference'] >= 0.02  # the stage the toy sleeps in


def test_lost_threshold_is_checked_and_changeable():
    loop = ToyLoop(scores=(0.3,), lost_threshold=0.25)
    assert loop.lost_threshold == 0.25
    loop.lost_threshold = None
    assert loop.lost_threshold == ToyLoop.default_lost_threshold
    with pytest.raises(ValueError, match=r'\[0, 1\]'):
        loop.lost_threshold = 1.5
    loop.init(FRAME, BoxXYWH(10, 10, 8, 6))
    assert loop.update(FRAME).state is TrackState.LOST  # 0.3 < 0.5, the default


def test_reset_forgets_and_resume_continues_the_same_track():
    loop = ToyLoop(scores=(0.9,))
    loop.init(FRAME, BoxXYWH(10, 10, 8, 6))
    loop.resume(BoxXYWH(30, 20, 5, 5))
    assert loop.calls[-1] == ('move', BoxXYWH(30, 20, 5, 5))
    assert loop.box == BoxXYWH(30, 20, 10, 5) and loop.track_id == 1
    assert loop.state is TrackState.TRACKING
    assert loop.update(FRAME).box == BoxXYWH(31, 22, 10, 5)
    loop.reset()
    assert loop.calls[-1] == ('forget',)
    assert loop.state is TrackState.IDLE and loop.box is None and loop.track_id == 1
    assert loop.search_resampling() is None
    with pytest.raises(RuntimeError, match='init'):
        loop.update(FRAME)


def _loop_classes(tree: ast.Module, known: set[str]) -> list[ast.ClassDef]:
    """Classes deriving from TrackerLoop or from a class already found to (by name)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            bases = {b.id if isinstance(b, ast.Name) else getattr(b, 'attr', None)
                     for b in node.bases}
            if bases & known:
                found.append(node)
    return found


def _writes(cls: ast.ClassDef) -> list[str]:
    """Each write of ``self.<owned>`` in the class body: assignment, del or setattr."""
    found = []

    def target_names(target):
        if isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                yield from target_names(element)
        elif isinstance(target, ast.Starred):
            yield from target_names(target.value)
        elif (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
              and target.value.id == 'self'):
            yield target.attr

    for node in ast.walk(cls):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Delete):
            targets = node.targets
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ('setattr', 'delattr') and node.args
              and isinstance(node.args[0], ast.Name) and node.args[0].id == 'self'
              and len(node.args) > 1 and isinstance(node.args[1], ast.Constant)):
            if node.args[1].value in OWNED:
                found.append(f'{cls.name} line {node.lineno}: {node.func.id} {node.args[1].value}')
        for target in targets:
            for name in target_names(target):
                if name in OWNED:
                    found.append(f'{cls.name} line {node.lineno}: self.{name}')
    return found


def _scan(sources: dict[str, str]) -> tuple[list[str], list[str]]:
    """(names of the loop classes found, their writes of the base's state) in ``sources``."""
    trees = {name: ast.parse(text, name) for name, text in sources.items()}
    known, classes = {'TrackerLoop'}, {}
    while True:  # subclasses of subclasses, in any module
        new = {c.name: (name, c) for name, tree in trees.items()
               for c in _loop_classes(tree, known) if c.name not in classes}
        if not new:
            break
        classes.update(new)
        known |= set(new)
    writes = [f'{module}: {w}' for module, cls in classes.values() for w in _writes(cls)]
    return sorted(classes), writes


def test_no_loop_writes_the_base_state():
    sources = {str(p.relative_to(PACKAGE)): p.read_text() for p in PACKAGE.rglob('*.py')}
    classes, writes = _scan(sources)
    # the scan sees every loop of the package (an empty scan would prove nothing)
    assert {'CenterHeadTracker', 'FARTrackTracker', 'NanoTracker'} <= set(classes)
    assert writes == []


@pytest.mark.parametrize('line', [
    'self._state = TrackState.IDLE',
    'self._box, self.other = None, 1',
    'self._track_id += 1',
    'self._box: object = None',
    "setattr(self, '_state', 0)",
    'del self._box',
])
def test_the_scan_catches_a_write(line):
    source = ('class Base(TrackerLoop):\n    pass\n\n\n'
              'class Leaf(Base):\n    def reset(self):\n        ' + line + '\n')
    classes, writes = _scan({'leaf.py': source})
    assert classes == ['Base', 'Leaf']
    assert len(writes) == 1 and writes[0].startswith('leaf.py: Leaf line 7')
