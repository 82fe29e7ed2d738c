# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Offline evaluation and benchmarking: metrics, sequence folders, runs, reports, plots, latency.

Nothing here imports torch or rclpy when imported; the trackers come from
``lite_tracker_ros.factory.create_tracker`` at run time.
"""
