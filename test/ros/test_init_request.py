# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""The frame buffer an init is matched against, and the mailbox that holds the newest init."""

import pytest

from lite_tracker_ros.ros.init_request import InitError, InitMailbox, StampedBuffer


class Clock:
    def __init__(self):
        self.now = 50.0

    def __call__(self):
        return self.now


def test_buffer_is_bounded_by_bytes_as_well_as_count():
    buffer = StampedBuffer(size=30, max_bytes=1000)
    for stamp in range(1, 11):
        buffer.push(stamp, f'frame{stamp}', nbytes=300)
    assert len(buffer) == 3 and buffer.nbytes == 900  # 4 x 300 would pass the budget
    assert buffer.newest() == (10, 'frame10')
    with pytest.raises(InitError):
        buffer.find(7)  # evicted: older than every kept frame
    assert buffer.find(8) == (8, 'frame8')
    counted = StampedBuffer(size=2, max_bytes=10**9)
    for stamp in range(5):
        counted.push(stamp, stamp, nbytes=1)
    assert len(counted) == 2


def test_a_frame_over_the_whole_budget_is_still_kept_as_the_newest():
    buffer = StampedBuffer(size=30, max_bytes=100)
    buffer.push(1, 'small', nbytes=10)
    buffer.push(2, 'huge', nbytes=500)
    assert len(buffer) == 1 and buffer.newest() == (2, 'huge') and buffer.nbytes == 500


def test_newest_init_wins_and_the_replaced_ones_are_counted():
    clock = Clock()
    frames = StampedBuffer(10)
    frames.push(100, 'f100')
    mailbox = InitMailbox(wait_s=0.5, clock=clock)
    for i in range(5):
        mailbox.put(f'init{i}', 100)
    assert mailbox.coalesced == 4
    assert mailbox.take(frames) == ('init4', (100, 'f100'))
    assert not mailbox and mailbox.take(frames) is None


def test_init_for_a_frame_not_yet_received_waits_for_it():
    clock = Clock()
    frames = StampedBuffer(10)
    frames.push(100, 'f100')
    mailbox = InitMailbox(wait_s=0.5, clock=clock)
    mailbox.put('init', 130)  # drawn on a frame 30 ns (think: ms) newer than any received
    assert mailbox.take(frames) is None and mailbox.seconds_left() == pytest.approx(0.5)
    clock.now += 0.03
    frames.push(130, 'f130')
    assert mailbox.take(frames) == ('init', (130, 'f130'))


def test_a_held_init_gives_up_after_wait_s():
    clock = Clock()
    frames = StampedBuffer(10)
    frames.push(100, 'f100')
    mailbox = InitMailbox(wait_s=0.5, clock=clock)
    mailbox.put('init', 200)
    clock.now += 0.49
    assert mailbox.take(frames) is None
    clock.now += 0.02
    assert mailbox.seconds_left() == 0.0
    assert mailbox.take(frames) == ('init', None)
    assert mailbox.seconds_left() is None


def test_an_init_older_than_the_buffer_fails_at_once_and_is_dropped():
    frames = StampedBuffer(10)
    frames.push(100, 'f100')
    mailbox = InitMailbox(wait_s=0.5, clock=Clock())
    mailbox.put('init', 50)
    with pytest.raises(InitError) as refused:
        mailbox.take(frames)
    assert refused.value.kind == 'init_stamp_too_old'
    assert not mailbox
