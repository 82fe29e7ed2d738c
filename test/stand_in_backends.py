# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""Stand-in backends with fixed maps, for tests of what the loops do with a frame's crops."""

import numpy as np


class _FixedMaps:
    """Records every search input and answers each with the same maps (``maps()``)."""

    device = 'cpu'

    def __init__(self):
        self.searches = []

    def set_template(self, inputs):
        pass

    def search(self, inputs):
        self.searches.append(np.array(inputs['search']))
        return self.maps()


class CentrePeakBackend(_FixedMaps):
    """A centre-head backend whose maps put the target at the crop centre, 1/4 of its side."""

    name = 'centre_peak'

    @staticmethod
    def maps():
        score = np.full((1, 1, 16, 16), 1e-4, np.float32)
        score[0, 0, 8, 8] = 0.9
        size = np.full((1, 2, 16, 16), 0.25, np.float32)
        return {'score_map': score, 'size_map': size,
                'offset_map': np.zeros((1, 2, 16, 16), np.float32)}


class NanoCentreBackend(_FixedMaps):
    """NanoTrack maps whose centre cell predicts a 60 x 40 px box at the cell."""

    name = 'nano_centre'

    @staticmethod
    def maps():
        cls = np.zeros((1, 2, 16, 16), np.float32)
        cls[0, 1] = -16.0
        cls[0, 1, 8, 8] = 16.0
        loc = np.empty((1, 4, 16, 16), np.float32)
        loc[0, [0, 2]], loc[0, [1, 3]] = 30.0, 20.0
        return {'cls': cls, 'loc': loc}
