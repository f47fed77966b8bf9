"""API Gateway's throttles: token buckets (a steady rate and a burst) for the stage's methods
and each API key's usage plan, and a usage plan's request quota per day, week or month."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable


class TokenBucket:
    """Holds up to `burst` tokens, refilled at `rate` per second; a request takes one."""

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._rate = rate
        self._burst = burst
        self._clock = clock
        self._tokens = float(burst)
        self._updated = clock()
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            now = self._clock()
            self._tokens = min(self._burst, self._tokens + (now - self._updated) * self._rate)
            self._updated = now
            if self._tokens < 1:
                return False
            self._tokens -= 1
            return True


def period_start(period: str, now: dt.datetime) -> dt.datetime:
    """The start (UTC) of the quota period that `now` falls in."""
    day = now.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "DAY":
        return day
    if period == "WEEK":
        return day - dt.timedelta(days=day.weekday())
    if period == "MONTH":
        return day.replace(day=1)
    raise ValueError(f"unknown quota period {period!r}")


class Quota:
    """At most `limit` requests per period (counted from the period's start, UTC)."""

    def __init__(
        self,
        limit: int,
        period: str,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self._limit = limit
        self._period = period
        self._clock = clock
        self._started = period_start(period, clock())
        self._used = 0
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            started = period_start(self._period, self._clock())
            if started != self._started:
                self._started, self._used = started, 0
            if self._used >= self._limit:
                return False
            self._used += 1
            return True
