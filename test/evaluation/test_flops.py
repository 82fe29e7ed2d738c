# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""FLOP counting of a network's two paths on recorded inputs, against hand-counted FLOPs."""

import numpy as np
import pytest

from lite_tracker_ros.evaluation.flops import count_flops, path_flops


def two_path_net():
    """Template path: one 8 -> 16 linear layer; search path: a 3x3 conv, 2 -> 4 channels."""
    torch = pytest.importorskip('torch', reason='FLOPs are counted with torch')

    class TwoPathNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = torch.nn.Linear(8, 16, bias=False)
            self.conv = torch.nn.Conv2d(2, 4, 3, padding=1, bias=False)

        def forward_template(self, template):
            return {'z': self.embed(template)}

        def forward_search(self, cache, search):
            return {'score': self.conv(search) * cache['z'].sum()}
    return TwoPathNet()


def test_counts_match_hand_counted_multiply_adds():
    template = {'template': np.ones((5, 8), np.float32)}
    search = {'search': np.ones((1, 2, 6, 7), np.float32)}
    template_flops, search_flops = count_flops(two_path_net(), template, search)
    assert template_flops == 2 * 5 * 8 * 16
    assert search_flops == 2 * (6 * 7 * 4) * (2 * 3 * 3)


def test_the_backend_network_is_used_and_failures_say_unknown():
    class Backend:
        network = two_path_net()
    count = path_flops('any', Backend(), {'template': np.ones((1, 8), np.float32)},
                       {'search': np.ones((1, 2, 4, 4), np.float32)})
    assert count.template == 2 * 8 * 16 and count.note == 'counted on the backend network'
    assert path_flops('any', Backend(), None, None).search is None
    broken = path_flops('any', Backend(), {'template': np.ones((1, 3), np.float32)},
                        {'search': np.ones((1, 2, 4, 4), np.float32)})
    assert broken.template is None and broken.note.startswith('unknown: counting failed')
    missing = path_flops('no_such_model', object(), {'template': np.ones((1, 8))},
                         {'search': np.ones((1, 2, 4, 4))})
    assert missing.search is None and 'no torch network for no_such_model' in missing.note
