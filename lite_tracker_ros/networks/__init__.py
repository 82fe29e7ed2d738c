# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
PyTorch definitions of the tracker networks.

Parameter names match the official checkpoints, so they load strictly.
"""
