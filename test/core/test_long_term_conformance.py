# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
With the long-term mode on, conformance tracks keep the reference's boxes until declared lost.

Until the first SEARCHING frame every box equals the reference's; frames the mode only reports
LOST still follow the reference. The weights are the conformance pack's deterministic ones (not
trained), so how long a track stays before a loss says nothing about accuracy; it is printed.
"""

from conformance_tools import read_tsv  # the shared test helper module
import numpy as np
import pytest

from lite_tracker_ros.core.long_term import LongTermTracker
from lite_tracker_ros.core.types import BoxXYWH, ChannelOrder, Frame, TrackState
from lite_tracker_ros.factory import create_tracker

TRACK_PX_ATOL = 0.01
MODELS = ('litetrack_b4', 'mvt', 'compresstracker_2', 'fartrack')


@pytest.mark.slow
@pytest.mark.parametrize('name', MODELS)
def test_boxes_equal_the_reference_until_declared_lost(name, conformance_dir,
                                                       conformance_frames,
                                                       synthetic_weights_file):
    reference = read_tsv(conformance_dir / f'{name}.track.tsv')
    frames = conformance_frames(len(reference))
    tracker = create_tracker(name, backend='torch', weights=synthetic_weights_file(name),
                             num_threads=1, long_term=True)
    assert isinstance(tracker, LongTermTracker)
    tracker.init(Frame(frames[0][:, :, ::-1], ChannelOrder.BGR),
                 BoxXYWH(*(float(reference[0][k]) for k in 'xywh')))
    compared = 0
    for ref, frame in zip(reference[1:], frames[1:]):
        result = tracker.update(Frame(frame[:, :, ::-1], ChannelOrder.BGR))
        if result.state is TrackState.SEARCHING:
            break
        err = float(np.abs(np.array(result.box.as_tuple())
                           - [float(ref[k]) for k in 'xywh']).max())
        assert err <= TRACK_PX_ATOL, f'frame {ref["frame"]}: {err:.2e} px'
        compared += 1
    print(f'{name}: {compared} of {len(reference) - 1} frames before the mode declared lost')
    assert compared >= 1
