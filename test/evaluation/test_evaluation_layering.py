# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""The evaluation modules import neither torch nor rclpy when imported (they may at run time)."""

import subprocess
import sys

SCRIPT = """
import importlib.abc, pkgutil, sys

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('torch', 'rclpy'):
            raise ImportError(f'{name} is blocked in this test')

sys.meta_path.insert(0, Block())
import lite_tracker_ros.evaluation as evaluation
prefix = 'lite_tracker_ros.evaluation.'
names = [info.name for info in pkgutil.walk_packages(evaluation.__path__, prefix)]
for name in names + ['lite_tracker_ros.tools.eval', 'lite_tracker_ros.tools.bench']:
    __import__(name)
print('IMPORTED', len(names))
print('LEAKED', sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'rclpy')))
"""


def test_evaluation_imports_without_torch_and_rclpy():
    done = subprocess.run([sys.executable, '-c', SCRIPT], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert 'LEAKED []' in done.stdout
    assert int(done.stdout.split('IMPORTED ')[1].split()[0]) >= 10
