# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""The generic torch backend, with a tiny two-path network whose outputs are known."""

import numpy as np
import pytest
import torch

from lite_tracker_ros.backends.torch_backend import TorchBackend
from lite_tracker_ros.core.backend import Backend
from lite_tracker_ros.networks.base import TrackerNetwork


class TinyNetwork(TrackerNetwork):
    """Template path: channel means (and a call count); search path: search * mean + bias."""

    def __init__(self):
        super().__init__()
        self.bias = torch.nn.Parameter(torch.tensor(0.5))
        self.template_calls = 0

    def forward_template(self, template):
        self.template_calls += 1
        return {'z_mean': template.mean(dim=(2, 3), keepdim=True)}

    def forward_search(self, cache, search):
        return {'score_map': search * cache['z_mean'] + self.bias,
                'size_map': (search * 2).double()}


def test_backend_protocol_and_named_outputs():
    net = TinyNetwork()
    backend = TorchBackend(net)
    assert isinstance(backend, Backend) and backend.name == 'torch' and backend.device == 'cpu'
    template = np.full((1, 2, 4, 4), 3.0, np.float32)
    backend.set_template({'template': template})
    search = np.arange(8, dtype=np.float64).reshape(1, 2, 2, 2)  # converted to float32
    for _ in range(3):
        out = backend.search({'search': search})
    assert net.template_calls == 1  # the cache is reused, the template path ran once
    assert set(out) == {'score_map', 'size_map'}
    assert all(isinstance(v, np.ndarray) and v.dtype == np.float32 for v in out.values())
    np.testing.assert_array_equal(out['score_map'], search.astype(np.float32) * 3.0 + 0.5)
    np.testing.assert_array_equal(out['size_map'], search.astype(np.float32) * 2)
    np.testing.assert_array_equal(backend.template_cache['z_mean'], np.full((1, 2, 1, 1), 3.0))


def test_search_before_template_raises():
    with pytest.raises(RuntimeError, match='set_template'):
        TorchBackend(TinyNetwork()).search({'search': np.zeros((1, 2, 2, 2), np.float32)})


def test_runs_in_eval_and_inference_mode():
    net = TinyNetwork().train()
    backend = TorchBackend(net)
    assert not net.training
    backend.set_template({'template': np.ones((1, 2, 4, 4), np.float32)})
    assert backend._cache['z_mean'].is_inference()


@pytest.mark.parametrize('name', ['litetrack_b4', 'mvt', 'compresstracker_2', 'nanotrack_v2',
                                  'fartrack'])
def test_batched_search_equals_single_searches(name):
    # the long-term mode's tiled search: one call, the template cache broadcast over the batch
    from lite_tracker_ros.core.batched_search import search_many
    from lite_tracker_ros.factory import build_network
    from lite_tracker_ros.specs import all_specs

    torch.manual_seed(0)
    spec = all_specs()[name]
    backend = TorchBackend(build_network(name))
    assert backend.max_batch > 1
    rng = np.random.default_rng(0)
    size = spec.template.size
    template = {'template': rng.standard_normal((1, 3, size, size)).astype(np.float32)}
    if name == 'fartrack':  # five template slots and their token mask (one selection)
        slots = backend.network.params.num_templates
        template = {'templates': rng.standard_normal((1, slots, 3, size, size)).astype(
            np.float32), 'template_mask': np.ones((1, backend.network.n_z), np.float32)}
    if 'template_bb' in spec.template_inputs:
        template['template_bb'] = np.array([[0.3, 0.3, 0.7, 0.7]], np.float32)
    backend.set_template(template)
    size = spec.search.size
    crops = [{'search': rng.standard_normal((1, 3, size, size)).astype(np.float32)}
             for _ in range(3)]
    singles = [backend.search(c) for c in crops]
    calls = []
    original = backend.network.forward_search

    def counting(cache, **inputs):
        calls.append(next(iter(inputs.values())).shape[0])
        return original(cache, **inputs)

    backend.network.forward_search = counting
    batched = search_many(backend, crops)
    assert calls == [3]
    for one, many in zip(singles, batched):
        for key in one:
            np.testing.assert_allclose(many[key], one[key], rtol=1e-5, atol=1e-5)
