# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""Tracker results to vision_msgs, and init messages to boxes."""

from __future__ import annotations

from vision_msgs.msg import Detection2D, Detection2DArray, ObjectHypothesisWithPose

from lite_tracker_ros.core.types import BoxXYWH, TrackResult


def detection_from_result(header, result: TrackResult, class_id: str) -> Detection2D:
    """Build the Detection2D of one tracked frame, in original-image pixels."""
    det = Detection2D()
    det.header = header
    det.id = str(result.track_id)
    det.bbox.center.position.x = float(result.box.cx)
    det.bbox.center.position.y = float(result.box.cy)
    det.bbox.center.theta = 0.0
    det.bbox.size_x = float(result.box.w)
    det.bbox.size_y = float(result.box.h)
    hypothesis = ObjectHypothesisWithPose()
    hypothesis.hypothesis.class_id = class_id
    hypothesis.hypothesis.score = float(result.score)
    det.results.append(hypothesis)
    return det


def detection_array(header, detection: Detection2D | None) -> Detection2DArray:
    array = Detection2DArray()
    array.header = header
    if detection is not None:
        array.detections.append(detection)
    return array


def box_from_detection(det: Detection2D) -> BoxXYWH:
    """Read the init box (centre and size, pixels) of a Detection2D."""
    return BoxXYWH.from_center(float(det.bbox.center.position.x),
                               float(det.bbox.center.position.y),
                               float(det.bbox.size_x), float(det.bbox.size_y))
