# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
One descriptor per model family: the registry, the factory and checkpoint detection read them.

A family added as a new spec module (here a stand-in written at test time, outside the package)
is built, loaded through ``load_network`` and recognised from its keys without any central edit.
"""

from pathlib import Path
import subprocess
import sys
import textwrap

from lite_tracker_ros import model_registry
from lite_tracker_ros.specs import all_families, all_specs
from lite_tracker_ros.specs.family import resolve

ROOT = Path(__file__).resolve().parents[1]


def test_every_model_has_exactly_one_family_descriptor():
    variants = [v for family in all_families().values() for v in family.variants]
    assert sorted(variants) == sorted(all_specs())
    for family in all_families().values():
        assert all(all_specs()[v].family == family.name for v in family.variants)


def test_every_registry_entry_has_a_described_family():
    for name, entry in model_registry.load_registry().items():
        assert entry.family in all_families(), name
        assert name in all_families()[entry.family].variants, name


def test_every_import_path_of_a_descriptor_resolves():
    for family in all_families().values():
        for path in (family.network, family.tracker, family.key_filter,
                     family.variant_detector, family.checkpoint_hints,
                     family.published_graphs):
            if path is not None:
                assert callable(resolve(path)), f'{family.name}: {path}'


_STAND_IN_SPEC = """
import dataclasses
from lite_tracker_ros.specs.family import ModelFamily
from lite_tracker_ros.specs.mvt import SPECS as _MVT

SPECS = {'standin_a': dataclasses.replace(_MVT['mvt'], name='standin_a', family='standin')}
FAMILY = ModelFamily('standin', tuple(SPECS), network='standin_network:TinyNetwork',
                     key_filter='standin_network:drop_ema',
                     variant_detector='standin_network:detect')
"""

_STAND_IN_NETWORK = """
import torch
from torch import nn


class TinyNetwork(nn.Module):
    def __init__(self, spec):
        super().__init__()
        self.spec = spec
        self.gain = nn.Parameter(torch.zeros(3))


def drop_ema(state):
    return {k: v for k, v in state.items() if not k.startswith('ema.')}


def detect(keys):
    return 'standin_a' if 'gain' in keys else None
"""

_CHECK = """
import sys
sys.path.insert(0, sys.argv[1])
import lite_tracker_ros.specs as specs
specs.__path__.append(sys.argv[2])  # as if standin.py were a module of the package
import torch
from lite_tracker_ros import factory
from lite_tracker_ros.networks.checkpoint import detect_variant
network = factory.load_network('standin_a', {'gain': torch.ones(3), 'ema.gain': torch.ones(3)})
assert torch.equal(network.gain.detach(), torch.ones(3)) and not network.training
assert detect_variant({'gain'}) == 'standin_a'
assert detect_variant(['backbone.distill_blocks.3.norm1.weight']) == 'compresstracker_4'
print('family', sorted(factory.FAMILY_BUILDERS))
"""


def test_a_new_family_is_one_spec_module_and_its_network(tmp_path):
    (tmp_path / 'specs').mkdir()
    (tmp_path / 'specs' / 'standin.py').write_text(textwrap.dedent(_STAND_IN_SPEC))
    (tmp_path / 'standin_network.py').write_text(textwrap.dedent(_STAND_IN_NETWORK))
    done = subprocess.run([sys.executable, '-c', _CHECK, str(tmp_path), str(tmp_path / 'specs')],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "'standin'" in done.stdout
