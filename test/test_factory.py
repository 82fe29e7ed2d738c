# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""``create_tracker`` / ``build_network``: the user entry point and its errors."""

import pytest
import torch

from lite_tracker_ros import factory
from lite_tracker_ros.core.center_tracker import CenterHeadTracker
from lite_tracker_ros.factory import build_network, create_tracker, TrackerCreationError
from lite_tracker_ros.networks.litetrack import LiteTrackNetwork


@pytest.fixture(scope='module')
def b4_checkpoint(tmp_path_factory):
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp('weights') / 'LiteTrack_ep0300.pth.tar'
    torch.save({'net': build_network('litetrack_b4').state_dict(), 'epoch': 300}, path)
    return path


def test_build_network_per_variant():
    with torch.device('meta'):
        for name, depth in (('litetrack_b6', 6), ('litetrack_b8', 8)):
            net = build_network(name)
            assert isinstance(net, LiteTrackNetwork) and not net.training
            assert len(net.backbone.blocks) == depth


def test_create_from_name_and_weights(b4_checkpoint):
    tracker = create_tracker('litetrack_b4', weights=b4_checkpoint, lost_threshold=0.4)
    assert isinstance(tracker, CenterHeadTracker)
    assert tracker.spec.name == 'litetrack_b4' and tracker.lost_threshold == 0.4
    state = tracker.backend.network.state_dict()
    torch.manual_seed(0)
    expected = build_network('litetrack_b4').state_dict()
    assert all(torch.equal(state[k], v) for k, v in expected.items())


def test_create_from_a_checkpoint_path_detects_the_variant(b4_checkpoint):
    tracker = create_tracker(str(b4_checkpoint))
    assert tracker.spec.name == 'litetrack_b4'


def test_wrong_variant_weights_say_what_differs(b4_checkpoint):
    with pytest.raises(TrackerCreationError, match='9 blocks|4 blocks'):
        create_tracker('litetrack_b9', weights=b4_checkpoint)


@pytest.mark.parametrize('kwargs, match', [
    ({'model': 'litetrack_b4', 'backend': 'openvino'}, 'torch \\(cpu'),
    ({'model': 'litetrack_b42'}, 'known models: .*litetrack_b4'),
    ({'model': 'litetrack_b4', 'precision': 'fp16'}, 'use fp32'),
    ({'model': 'litetrack_b4', 'weights': '/nonexistent/ckpt.pth'}, 'no such file'),
    # the message names the setting (the node's weights parameter, the tools' --weights)
    ({'model': 'litetrack_b4', 'weights': '/nonexistent/ckpt.pth'},
     "^weights '/nonexistent/ckpt.pth': no such file"),
    ({'model': 'nanotrack_v2', 'backend': 'onnxruntime', 'weights': '/nonexistent/x.onnx'},
     "^weights '/nonexistent/x.onnx': no such file"),
])
def test_errors_say_what_to_change(kwargs, match):
    with pytest.raises(TrackerCreationError, match=match):
        create_tracker(**kwargs)


def test_bad_tracker_option(b4_checkpoint):
    with pytest.raises(TrackerCreationError, match='lost_threshold'):
        create_tracker('litetrack_b4', weights=b4_checkpoint, lost_threshold=3.0)


def test_missing_weights_point_to_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv('LITE_TRACKER_CACHE', str(tmp_path))
    monkeypatch.delenv('LITE_TRACKER_MODEL_PATH', raising=False)
    with pytest.raises(TrackerCreationError, match='not installed'):
        create_tracker('litetrack_b4')


def test_family_without_builder(monkeypatch):
    monkeypatch.setattr(factory, 'FAMILY_BUILDERS', {})
    with pytest.raises(TrackerCreationError, match='no network builder'):
        build_network('litetrack_b4')


class _NoBackend:
    """A backend the loops only hold until init (these tests never track)."""

    name, device = 'none', 'cpu'


@pytest.mark.parametrize('model, loop', [
    ('litetrack_b4', 'CenterHeadTracker'), ('mvt', 'CenterHeadTracker'),
    ('fartrack', 'FARTrackTracker'), ('nanotrack_v2', 'NanoTracker')])
def test_build_tracker_runs_the_family_loop_on_a_given_backend(model, loop):
    backend = _NoBackend()
    tracker = factory.build_tracker(model, backend, lost_threshold=0.5)
    assert type(tracker).__name__ == loop and tracker.spec.name == model
    assert tracker.lost_threshold == 0.5
    wrapped = factory.build_tracker(model, backend, long_term=True)
    assert type(wrapped).__name__ == 'LongTermTracker' and type(wrapped.inner).__name__ == loop


def test_build_tracker_errors_say_what_to_change():
    with pytest.raises(TrackerCreationError, match='known models'):
        factory.build_tracker('litetrack_b42', _NoBackend())
    with pytest.raises(TrackerCreationError, match='lost_threshold'):
        factory.build_tracker('litetrack_b4', _NoBackend(), lost_threshold=3.0)
