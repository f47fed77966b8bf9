"""API Gateway's token buckets and quotas, on a clock the test moves: how a bucket refills and
when a quota's period starts over, with no wall-clock time in the test."""

from __future__ import annotations

import datetime as dt

import pytest

from localapi.throttling import Quota, TokenBucket, period_start


class Clock:
    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_full_bucket_lets_a_burst_through_then_refills_at_its_rate() -> None:
    # Given a bucket of burst 2 refilled at 1 token a second
    clock = Clock()
    bucket = TokenBucket(rate=1.0, burst=2, clock=clock)
    # When three requests come at once, Then the burst lets two through
    assert [bucket.take(), bucket.take(), bucket.take()] == [True, True, False]
    # When half a second passes, Then half a token is not enough
    clock.now += 0.5
    assert not bucket.take()
    # When another half second passes, Then one token is there, and only one
    clock.now += 0.5
    assert [bucket.take(), bucket.take()] == [True, False]


def test_a_bucket_never_holds_more_than_its_burst() -> None:
    # Given a bucket left alone for an hour
    clock = Clock()
    bucket = TokenBucket(rate=1.0, burst=2, clock=clock)
    clock.now += 3_600
    # Then it lets through its burst, not an hour's worth
    assert [bucket.take() for _ in range(3)] == [True, True, False]


def test_a_quota_is_used_up_then_starts_over_with_the_next_period() -> None:
    # Given a quota of 2 a day, late in a day
    now = [dt.datetime(2026, 12, 4, 23, 59, tzinfo=dt.UTC)]
    quota = Quota(limit=2, period="DAY", clock=lambda: now[0])
    # Then two requests pass and the third does not
    assert [quota.take(), quota.take(), quota.take()] == [True, True, False]
    # When the day turns (UTC), Then the quota starts over
    now[0] += dt.timedelta(minutes=2)
    assert quota.take()


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("DAY", dt.datetime(2026, 12, 4, tzinfo=dt.UTC)),
        ("WEEK", dt.datetime(2026, 11, 30, tzinfo=dt.UTC)),  # the Monday
        ("MONTH", dt.datetime(2026, 12, 1, tzinfo=dt.UTC)),
    ],
)
def test_a_period_starts_at_midnight_utc(period: str, expected: dt.datetime) -> None:
    now = dt.datetime(2026, 12, 4, 15, 30, tzinfo=dt.timezone(dt.timedelta(hours=-8)))
    # 15:30 at UTC-8 is 23:30 UTC, the same day
    assert period_start(period, now) == expected


def test_an_unknown_period_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown quota period"):
        period_start("YEAR", dt.datetime(2026, 12, 4, tzinfo=dt.UTC))
