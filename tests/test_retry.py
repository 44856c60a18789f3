"""The shared retry policy (bot/retry.py), on a fake clock: no I/O, no sleeps."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import FakeClock
from bot.retry import ERROR, RATE_LIMITED, Backoff, MonotonicClock, Retries

S = timedelta(seconds=1)


def test_backoff_doubles_up_to_its_cap():
    backoff = Backoff(timedelta(seconds=0.5), timedelta(seconds=60))
    assert [backoff.delay(n).total_seconds() for n in range(0, 10)] == [
        0, 0.5, 1, 2, 4, 8, 16, 32, 60, 60]
    assert backoff.delay(10_000) == timedelta(seconds=60)  # days of failures: no overflow
    assert Backoff.seconds(5, 600) == Backoff(5 * S, 600 * S)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def retries(clock: FakeClock) -> Retries:
    return Retries(Backoff(5 * S, 40 * S), clock)


def test_a_key_backs_off_and_a_success_resets_it(retries: Retries, clock: FakeClock):
    assert retries.wait("topic:sem:C-1") is None  # never failed: go now
    assert retries.failed("topic:sem:C-1") == 5 * S
    assert retries.wait("topic:sem:C-1") == 5 * S
    clock.advance(3 * S)
    assert retries.wait("topic:sem:C-1") == 2 * S
    clock.advance(2 * S)
    assert retries.wait("topic:sem:C-1") is None  # its time has come
    assert [retries.failed("topic:sem:C-1") for _ in range(4)] == [10 * S, 20 * S, 40 * S, 40 * S]
    waiting = retries.waiting["topic:sem:C-1"]
    assert (waiting.reason, waiting.failures, waiting.until) == (ERROR, 5, clock.now() + 40 * S)
    assert retries.failures("topic:sem:C-1") == 5
    retries.succeeded("topic:sem:C-1")
    assert retries.wait("topic:sem:C-1") is None and retries.failures("topic:sem:C-1") == 0
    assert retries.failed("topic:sem:C-1") == 5 * S  # from the start again


def test_one_failing_key_holds_back_only_itself(retries: Retries):
    for _ in range(3):
        retries.failed("room:sem")
    assert retries.wait("room:sem") == 20 * S
    assert retries.wait("dm:@bob:example.org") is None
    assert retries.failed("dm:@bob:example.org") == 5 * S  # its own count


def test_a_rate_limit_waits_what_the_server_asks_for_every_key(retries: Retries,
                                                               clock: FakeClock):
    retries.failed("poll")
    retries.failed("poll")
    assert retries.failed("poll", retry_after=30 * S) == 30 * S  # not the backoff's 20 s
    waiting = retries.waiting["poll"]
    assert (waiting.reason, waiting.failures) == (RATE_LIMITED, 2)  # not one more failure
    assert retries.held_until == clock.now() + 30 * S
    assert retries.wait("topic:sem:C-1") == 30 * S  # the limit is the site's, not the item's
    clock.advance(30 * S)
    assert retries.wait("topic:sem:C-1") is None and retries.wait("poll") is None
    assert retries.failed("poll") == 20 * S  # the backoff goes on where it was


def test_the_servers_latest_word_replaces_the_earlier_one(retries: Retries, clock: FakeClock):
    retries.failed("a", retry_after=60 * S)
    clock.advance(10 * S)
    retries.failed("b", retry_after=2 * S)
    assert retries.held_until == clock.now() + 2 * S
    assert retries.wait("b") == 2 * S
    assert retries.wait("a") == 50 * S  # a's own wait from the first answer still stands
    assert retries.wait("c") == 2 * S
    assert retries.failed("c", retry_after=timedelta(seconds=-3)) == timedelta(0)  # nonsense: go


def test_a_key_failing_while_held_keeps_the_longer_wait(retries: Retries, clock: FakeClock):
    retries.failed("poll", retry_after=30 * S)
    retries.failed("topic:sem:C-1")  # a 5xx of its own meanwhile: 5 s, but the gate is 30 s
    assert retries.wait("topic:sem:C-1") == 30 * S


def test_the_monotonic_clock_never_goes_back():
    clock = MonotonicClock()
    instants = [clock.now() for _ in range(100)]
    assert instants == sorted(instants)
    assert instants[0].tzinfo is not None
