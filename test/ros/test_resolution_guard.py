# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""A frame of another size than the track's is refused; a size that persists ends the track."""

from lite_tracker_ros.ros.resolution_guard import ResolutionGuard, SizeVerdict


def test_one_odd_frame_is_refused_and_the_track_goes_on():
    guard = ResolutionGuard(stop_after=5)
    guard.start((640, 480))
    assert guard.check((640, 480)) is SizeVerdict.ACCEPT
    assert guard.check((1, 1)) is SizeVerdict.REJECT
    assert guard.check((640, 480)) is SizeVerdict.ACCEPT
    assert guard.tracked == (640, 480)


def test_a_persisting_new_size_stops_the_track():
    guard = ResolutionGuard(stop_after=3)
    guard.start((640, 480))
    assert [guard.check((1280, 720)) for _ in range(3)] == [
        SizeVerdict.REJECT, SizeVerdict.REJECT, SizeVerdict.STOP_TRACK]
    assert guard.tracked is None
    assert guard.check((1280, 720)) is SizeVerdict.ACCEPT  # no track: any size


def test_alternating_odd_sizes_never_count_as_a_new_stream():
    guard = ResolutionGuard(stop_after=2)
    guard.start((640, 480))
    verdicts = [guard.check(size) for size in [(1, 1), (2, 2), (1, 1), (640, 480), (1, 1)]]
    assert SizeVerdict.STOP_TRACK not in verdicts


def test_without_a_track_every_size_is_accepted():
    assert ResolutionGuard().check((3, 3)) is SizeVerdict.ACCEPT
