# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
lite_tracker_ros: single-object tracking with pruned transformer trackers, for ROS 2.

Layers, with one direction of dependency (a test enforces it):

* ``lite_tracker_ros.core``     ROS-free and torch-free tracking core (numpy + OpenCV only)
* ``lite_tracker_ros.networks`` PyTorch model definitions and safe checkpoint loading
* ``lite_tracker_ros.backends`` torch / onnxruntime / tensorrt behind one small interface
* ``lite_tracker_ros.ros``      the thin ROS 2 layer: node, message conversion, diagnostics
"""

__version__ = '0.1.0'
