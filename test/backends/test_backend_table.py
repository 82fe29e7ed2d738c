# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
One backend table: the node's parameters, the command line and the errors are written from it.

A row added here (a stand-in backend that runs nothing) must show up everywhere a backend is
named, without touching any other file; that is what adding a backend costs.
"""

import argparse
from pathlib import Path

import pytest

from lite_tracker_ros.backends import registry
from lite_tracker_ros.backends.registry import (BackendInfo, BackendRow,
                                                BackendUnavailableError, make_backend)


class _StandInBackend:
    def __init__(self, **arguments):
        self.arguments = arguments


@pytest.fixture
def stand_in_row(monkeypatch):
    row = BackendRow('standin', lambda: BackendInfo('standin', ('cpu',), 'standin 0.1'),
                     lambda **arguments: _StandInBackend(**arguments), runs='graphs',
                     devices=('cpu',), graphs={'fp32': 'fp32', 'bf16': 'fp32'},
                     precision_notes={'bf16': 'bfloat16 kernels over the float32 graphs'})
    monkeypatch.setitem(registry.BACKEND_TABLE, row.name, row)
    return row


def test_a_new_row_reaches_the_node_parameters(stand_in_row):
    from lite_tracker_ros.ros import node_parameters
    from lite_tracker_ros.ros.node_parameters import TrackerParameters
    assert 'standin' in node_parameters._descriptor('backend').description
    precision = node_parameters._descriptor('precision').description
    assert 'bf16' in precision and 'bfloat16 kernels' in precision
    accepted = node_parameters._validated(TrackerParameters(backend='standin', precision='bf16'))
    assert accepted.backend == 'standin'
    with pytest.raises(ValueError, match='standin'):
        node_parameters._validated(TrackerParameters(backend='nosuch'))


def test_a_new_row_reaches_the_command_line(stand_in_row):
    from lite_tracker_ros.evaluation.weights_option import add_model_arguments
    from lite_tracker_ros.tools import demo
    parser = argparse.ArgumentParser()
    demo.add_arguments(parser)
    assert parser.parse_args(['--backend', 'standin']).backend == 'standin'
    with pytest.raises(SystemExit):
        parser.parse_args(['--backend', 'nosuch'])
    parser = argparse.ArgumentParser()
    add_model_arguments(parser)
    assert 'standin' in parser.format_help()


def test_a_new_row_reaches_the_errors_and_is_built(stand_in_row, tmp_path):
    with pytest.raises(BackendUnavailableError, match=r'standin \(cpu; standin 0\.1\)'):
        registry.check_available('nosuch')
    with pytest.raises(BackendUnavailableError, match='use fp32, bf16'):
        registry.check_available('standin', precision='int8')
    with pytest.raises(ValueError, match='standin backend needs graphs='):
        make_backend('standin')
    graphs = (Path('t.onnx'), Path('s.onnx'))
    built = make_backend('standin', precision='bf16', graphs=graphs, cache_folder=tmp_path)
    assert built.arguments['graphs'] == graphs and built.arguments['precision'] == 'bf16'
    assert registry.graph_precision('standin', 'cpu', 'bf16') == 'fp32'


def test_descriptions_say_what_the_backends_do():
    devices = registry.describe_devices()
    for syntax in ('cpu', 'cuda[:N]', 'tensorrt[:N]'):
        assert syntax in devices
    precisions = registry.describe_precisions()
    assert 'int8' in precisions and 'CUDA only' not in precisions
    # the fp16 text says onnxruntime runs the float16 graphs on the CPU: so it does
    registry.check_available('onnxruntime', 'cpu', 'fp16')
    assert registry.graph_precision('onnxruntime', 'cpu', 'fp16') == 'fp16'
    onnxruntime_part = precisions.split('onnxruntime:')[1].split(';')[0]
    assert 'float16 graphs on cpu' in onnxruntime_part


def test_a_row_that_runs_the_network_is_given_the_loaded_network(
        monkeypatch, synthetic_weights_file):
    """create_tracker follows the row's ``runs``: no edit to the factory for such a backend."""
    from lite_tracker_ros.backends.torch_backend import TorchBackend
    from lite_tracker_ros.factory import create_tracker
    from lite_tracker_ros.networks.base import TrackerNetwork
    built = []

    def build(**arguments):
        built.append(arguments)
        return TorchBackend(arguments['network'], device='cpu')
    row = BackendRow('standin_net', lambda: BackendInfo('standin_net', ('cpu',), 'net 0.1'),
                     build, runs='network', devices=('cpu',), graphs={'fp32': 'fp32'})
    monkeypatch.setitem(registry.BACKEND_TABLE, row.name, row)
    tracker = create_tracker('litetrack_b4', backend='standin_net',
                             weights=synthetic_weights_file('litetrack_b4'), num_threads=1)
    [arguments] = built
    assert isinstance(arguments['network'], TrackerNetwork) and arguments['graphs'] is None
    assert arguments['num_threads'] == 1 and tracker.backend.__class__ is TorchBackend
