# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""Parameter values the node refuses, at start and at run time."""

from types import SimpleNamespace

import pytest

from lite_tracker_ros.ros.node_parameters import (
    MAX_CLASS_ID_CHARS, RUNTIME, TrackerParameters)


def change(name, value):
    return SimpleNamespace(name=name, value=value)


def test_class_id_length_is_bounded_at_run_time():
    params = TrackerParameters()
    assert params.updated([change('class_id', 'c' * MAX_CLASS_ID_CHARS)]).class_id.startswith('c')
    with pytest.raises(ValueError, match='class_id has 4194304 characters'):
        params.updated([change('class_id', 'c' * (4 << 20))])


def test_limits_and_waits_change_at_run_time():
    assert {'max_image_pixels', 'init_wait_s', 'processing_timeout_s'} <= RUNTIME
    updated = TrackerParameters().updated([change('max_image_pixels', 1920 * 1080),
                                           change('init_wait_s', 0.1)])
    assert updated.max_image_pixels == 1920 * 1080 and updated.init_wait_s == 0.1
