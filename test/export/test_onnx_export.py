# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
The ONNX exporter and ``lite-tracker export``: graph properties, genericity, FP16, the CLI.

LiteTrack-B4 is exported once through the CLI (with the conformance pack's weights) and its two
graphs are inspected; a toy TrackerNetwork covers what must hold for any network. Expected
values come from the pack or from torch.
"""

import contextlib
import io

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from torch import nn

from lite_tracker_ros import cli
from lite_tracker_ros.core.model_spec import CropSpec, ModelSpec
from lite_tracker_ros.export import fp16
from lite_tracker_ros.export.graph_store import resolve_graphs
from lite_tracker_ros.export.metadata import graph_paths, read_metadata
from lite_tracker_ros.export.onnx_export import (compare_with_torch, example_inputs,
                                                 export_onnx, ExportError)
from lite_tracker_ros.networks.base import TrackerNetwork
from lite_tracker_ros.specs import get_spec

TOY = ModelSpec(name='toy', family='toy', template=CropSpec(16, 2.0), search=CropSpec(32, 4.0),
                feat_size=4, template_inputs=('template', 'template_bb'),
                search_inputs=('z_k', 'search'))


class ToyNetwork(TrackerNetwork):
    """Patch embedding, a box token, LayerNorm, cross-attention and a 1x1 head."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.spec = TOY
        self.embed = nn.Conv2d(3, 8, 8, 8)
        self.box = nn.Linear(4, 8)
        self.norm = nn.LayerNorm(8)
        self.head = nn.Conv2d(8, 5, 1)

    def forward_template(self, template, template_bb):
        z = self.embed(template).flatten(2).transpose(1, 2) + self.box(template_bb)[:, None]
        return {'unused_tokens': z, 'z_k': self.norm(z)}

    def forward_search(self, cache, search):
        x = self.embed(search).flatten(2).transpose(1, 2)
        z = cache['z_k']
        x = x + (x @ z.transpose(1, 2)).softmax(-1) @ z
        h = self.head(x.transpose(1, 2).reshape(1, 8, 4, 4))
        return {'score_map': h[:, :1].sigmoid(), 'size_map': h[:, 1:3].sigmoid(),
                'offset_map': h[:, 3:]}


@pytest.fixture(scope='module')
def cli_export(synthetic_weights_file, tmp_path_factory):
    """``lite-tracker export litetrack_b4`` into a temporary folder: (rc, stdout, folder)."""
    folder = tmp_path_factory.mktemp('cli_export')
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = cli.main(['export', 'litetrack_b4', '--weights',
                       str(synthetic_weights_file('litetrack_b4')), '--output', str(folder)])
    return rc, out.getvalue(), folder


@pytest.fixture(scope='module')
def b4_graphs(cli_export):
    _, _, folder = cli_export
    return [onnx.load(str(p)) for p in graph_paths(folder, 'litetrack_b4')]


def test_cli_writes_both_graphs_and_prints_the_check(cli_export):
    rc, text, folder = cli_export
    assert rc == 0, text
    for path in graph_paths(folder, 'litetrack_b4'):
        assert str(path) in text
    assert 'z_k_0, z_v_0, z_k_1, z_v_1' in text
    rows = {line.split()[0]: float(line.split()[1]) for line in text.splitlines()
            if line.startswith(('template/', 'search/'))}
    assert set(rows) == {'template/template_tokens', 'template/z_k_0', 'template/z_v_0',
                         'template/z_k_1', 'template/z_v_1', 'search/score_map',
                         'search/size_map', 'search/offset_map'}
    assert max(rows.values()) < 1e-4


def test_cli_export_runs_the_pack_inputs(cli_export, conformance_dir):
    _, _, folder = cli_export
    pack = np.load(conformance_dir / 'litetrack_b4.npz')
    template, search = (ort.InferenceSession(str(p), providers=['CPUExecutionProvider'])
                        for p in graph_paths(folder, 'litetrack_b4'))
    cache = dict(zip([o.name for o in template.get_outputs()],
                     template.run(None, {'template': pack['template_in'],
                                         'template_bb': pack['template_bb']})))
    assert float(np.abs(cache['template_tokens'] - pack['zf']).max()) <= 1e-4
    feed = {i.name: cache[i.name] for i in search.get_inputs() if i.name != 'search'}
    score, size, offset = search.run(None, {**feed, 'search': pack['search_in']})
    assert float(np.abs(score - pack['score_map']).max()) <= 5e-6
    assert float(np.abs(size - pack['size_map']).max()) <= 5e-6
    assert float(np.abs(offset - pack['offset_map']).max()) <= 2e-5


def test_graphs_are_static_named_opset17_self_contained(b4_graphs):
    spec = get_spec('litetrack_b4')
    template, search = b4_graphs
    # the search crop and every search output have a symbolic batch axis (batched search), the
    # template cache and the template graph are static batch 1
    batched = {'search'} | set(spec.search_outputs)
    for model in (template, search):
        assert {o.domain: o.version for o in model.opset_import}.get('', None) == 17
        for value in list(model.graph.input) + list(model.graph.output):
            dims = list(value.type.tensor_type.shape.dim)
            if model is search and value.name in batched:
                assert dims[0].dim_param == 'batch' and not dims[0].HasField('dim_value'), \
                    value.name
                dims = dims[1:]
            assert dims and all(d.HasField('dim_value') and d.dim_value > 0 for d in dims), \
                value.name
            assert value.type.tensor_type.elem_type == onnx.TensorProto.FLOAT
        assert all(init.data_location != onnx.TensorProto.EXTERNAL
                   for init in model.graph.initializer)
        assert 'LayerNormalization' in {n.op_type for n in model.graph.node}
    assert [i.name for i in template.graph.input] == list(spec.template_inputs)
    assert [o.name for o in template.graph.output] == ['template_tokens', 'z_k_0', 'z_v_0',
                                                       'z_k_1', 'z_v_1']
    assert [i.name for i in search.graph.input] == list(spec.search_inputs)
    assert [o.name for o in search.graph.output] == list(spec.search_outputs)
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
              for v in search.graph.input}
    assert shapes['z_k_0'] == [1, 12, 64, 64] and shapes['search'] == [0, 3, 256, 256]
    # weights embedded: the search graph holds every backbone block and the head
    stored = sum(np.prod(init.dims) for init in search.graph.initializer)
    assert stored > 30e6


def test_metadata_names_the_model(cli_export):
    _, _, folder = cli_export
    template_path, search_path = graph_paths(folder, 'litetrack_b4')
    for path, role in ((template_path, 'template'), (search_path, 'search')):
        meta = read_metadata(path)
        assert meta.spec == get_spec('litetrack_b4')
        assert (meta.role, meta.precision) == (role, 'fp32')
        assert meta.cache == ('z_k_0', 'z_v_0', 'z_k_1', 'z_v_1')


def test_cli_reports_a_user_error_in_one_line(tmp_path, capsys):
    assert cli.main(['export', 'no_such_model', '--output', str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith('lite-tracker export: ') and 'litetrack_b4' in err
    assert '\n' not in err


def test_toy_network_exports_generically(tmp_path):
    network = ToyNetwork().eval()
    graphs = export_onnx(network, tmp_path)
    assert graphs.template_outputs == ('unused_tokens', 'z_k')
    assert graphs.cache == ('z_k',)  # only what forward_search reads crosses over
    search = onnx.load(str(graphs.search))
    assert [i.name for i in search.graph.input] == ['z_k', 'search']
    # a network that does not say it batches keeps a fixed batch 1, run one crop per call
    assert search.graph.input[1].type.tensor_type.shape.dim[0].dim_value == 1
    from lite_tracker_ros.backends.onnxruntime_backend import OnnxRuntimeBackend
    assert OnnxRuntimeBackend(graphs.template, graphs.search, num_threads=1).max_batch == 1
    diffs = compare_with_torch(network, graphs)
    assert set(diffs) == {'template/unused_tokens', 'template/z_k', 'search/score_map',
                          'search/size_map', 'search/offset_map'}
    assert max(d.max_abs for d in diffs.values()) < 1e-5
    assert all(d.scale > 0 for d in diffs.values())


def test_toy_fp16_keeps_float32_at_the_boundary(tmp_path):
    network = ToyNetwork().eval()
    graphs = export_onnx(network, tmp_path, precision='fp16')
    assert graphs.search.name == 'toy.search.fp16.onnx'
    model = onnx.load(str(graphs.search))
    assert {i.data_type for i in model.graph.initializer} == {onnx.TensorProto.FLOAT16}
    for value in list(model.graph.input) + list(model.graph.output):
        assert value.type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    assert read_metadata(graphs.search).precision == 'fp16'
    diffs = compare_with_torch(network, graphs)
    worst = max(d.max_abs for d in diffs.values())
    assert 0 < worst < 2e-2  # float16 rounding: visible, small


def test_fp16_converter_refuses_control_flow():
    branch = onnx.helper.make_graph([], 'branch', [], [])
    node = onnx.helper.make_node('If', ['c'], [], then_branch=branch, else_branch=branch)
    graph = onnx.helper.make_graph([node], 'g', [onnx.helper.make_tensor_value_info(
        'c', onnx.TensorProto.BOOL, [])], [])
    with pytest.raises(fp16.Fp16ConversionError, match='subgraph'):
        fp16.convert_to_fp16(onnx.helper.make_model(graph))


def test_example_inputs_follow_the_spec():
    network = ToyNetwork()
    template = example_inputs(network, 'template')
    assert {k: tuple(v.shape) for k, v in template.items()} == {
        'template': (1, 3, 16, 16), 'template_bb': (1, 4)}
    assert {k: tuple(v.shape) for k, v in example_inputs(network, 'search').items()} == {
        'search': (1, 3, 32, 32)}


def test_unknown_input_asks_for_an_example_hook(tmp_path):
    network = ToyNetwork()
    network.spec = ModelSpec(name='odd', family='toy', template=TOY.template,
                             search=TOY.search, template_inputs=('template', 'depth'))
    with pytest.raises(ExportError, match='example_inputs'):
        export_onnx(network, tmp_path)


@pytest.mark.parametrize('kwargs, match', [({'opset': 13}, 'opset 13'),
                                           ({'precision': 'int8'}, 'precision')])
def test_bad_export_options_are_refused(tmp_path, kwargs, match):
    with pytest.raises(ExportError, match=match):
        export_onnx(ToyNetwork(), tmp_path, **kwargs)


def test_resolve_graphs_exports_once_per_checkpoint(tmp_path, monkeypatch):
    monkeypatch.setenv('LITE_TRACKER_CACHE', str(tmp_path / 'cache'))
    weights = tmp_path / 'toy.safetensors'
    weights.write_bytes(b'stand-in checkpoint bytes')
    calls = []

    def load_network():
        calls.append(1)
        return ToyNetwork()

    first = resolve_graphs('toy', weights, load_network=load_network)
    again = resolve_graphs('toy', weights, load_network=load_network)
    assert first == again and len(calls) == 1
    assert all(p.is_file() and str(tmp_path / 'cache' / 'onnx') in str(p) for p in first)
    assert resolve_graphs('toy', first[1]) == first  # an .onnx file names its folder
    weights.write_bytes(b'other weights')
    with pytest.raises(FileNotFoundError, match='lite-tracker export toy'):
        resolve_graphs('toy', weights)  # new checksum, nothing exported, no network given


#: outputs that are argmaxes or masks: exact in the measurements, reported rather than asserted
#: because a near-tie on random example inputs could flip them on another CPU
DISCRETE = {'template/template_keep', 'search/seqs', 'search/mask'}


@pytest.mark.slow
@pytest.mark.parametrize('name', ['compresstracker_2', 'fartrack'])
def test_other_families_export_generically(name, conformance_state_dict, tmp_path):
    from lite_tracker_ros.factory import load_network
    network = load_network(name, {k: torch.from_numpy(v)
                                  for k, v in conformance_state_dict(name).items()})
    graphs = export_onnx(network, tmp_path)
    spec = get_spec(name)
    assert graphs.template_inputs == spec.template_inputs
    assert graphs.search_outputs == spec.search_outputs
    assert 'template_tokens' in graphs.cache  # both read the template tokens every frame
    diffs = compare_with_torch(network, graphs)
    print(f'{name}: ' + ', '.join(f'{k} {v.max_abs:.1e}' for k, v in diffs.items()))
    for key, diff in diffs.items():
        if key not in DISCRETE:
            assert diff.max_abs <= 1e-4, key
