# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
The vision_msgs in use has the layout of the real package, field names, types and order.

Reference: ros-perception/vision_msgs, branch ros2, 4.1.1 (Humble, Jazzy) and 4.2.0 (Kilted,
Rolling), whose 2D messages are identical. A copy generated from interfaces/vision_msgs must be
wire-compatible with it: any difference here would make our detections unreadable by a real
subscriber.
"""

import pytest
# a hard dependency (package.xml): missing is an error, not a skip
from vision_msgs import msg as vision_msgs_msg

EXPECTED = {
    'Point2D': [('x', 'double'), ('y', 'double')],
    'Pose2D': [('position', 'vision_msgs/Point2D'), ('theta', 'double')],
    'BoundingBox2D': [('center', 'vision_msgs/Pose2D'), ('size_x', 'double'),
                      ('size_y', 'double')],
    'BoundingBox2DArray': [('header', 'std_msgs/Header'),
                           ('boxes', 'sequence<vision_msgs/BoundingBox2D>')],
    'ObjectHypothesis': [('class_id', 'string'), ('score', 'double')],
    'ObjectHypothesisWithPose': [('hypothesis', 'vision_msgs/ObjectHypothesis'),
                                 ('pose', 'geometry_msgs/PoseWithCovariance')],
    'Detection2D': [('header', 'std_msgs/Header'),
                    ('results', 'sequence<vision_msgs/ObjectHypothesisWithPose>'),
                    ('bbox', 'vision_msgs/BoundingBox2D'), ('id', 'string')],
    'Detection2DArray': [('header', 'std_msgs/Header'),
                         ('detections', 'sequence<vision_msgs/Detection2D>')],
}


@pytest.mark.parametrize('name', sorted(EXPECTED))
def test_layout_matches_reference(name):
    msg_type = getattr(vision_msgs_msg, name)
    fields = list(msg_type.get_fields_and_field_types().items())
    assert fields == EXPECTED[name]


def test_no_foxy_era_fields():
    # Foxy's Detection2D had source_img/is_tracking/tracking_id and a geometry_msgs center.
    det = vision_msgs_msg.Detection2D()
    assert not hasattr(det, 'source_img')
    assert type(det.bbox.center).__module__.startswith('vision_msgs')
