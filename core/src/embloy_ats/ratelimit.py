"""Client-side rate limiting: we stay under each ATS's documented limit instead of
finding it with 429s, and we pause when the ATS tells us its budget is spent."""

from __future__ import annotations

from dataclasses import dataclass

from embloy_ats.clock import Clock


@dataclass(frozen=True)
class RateLimitPolicy:
    """`requests` per `per_seconds`, per account (the ATS's credentials or board)."""

    requests: int
    per_seconds: float
    #: the ATS's own words for it, shown in docs and `embloy-ats connectors`.
    note: str = ""

    def __post_init__(self) -> None:
        if self.requests < 1 or self.per_seconds <= 0:
            raise ValueError("a rate limit needs requests >= 1 and per_seconds > 0")

    def describe(self) -> str:
        text = f"{self.requests} requests / {self.per_seconds:g} s"
        return f"{text} ({self.note})" if self.note else text


class RateBudgetSpent(Exception):
    """This account's requests are booked further ahead than the caller may wait."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"the next request may go in {wait:.1f} s")
        self.wait = wait


class TokenBucket:
    """Bursts up to `requests`, refills at `requests / per_seconds`; waits are fair (FIFO).

    A caller that finds no token reserves the next one (the balance goes negative: the
    queue) and sleeps until it is due, so a queue of any length costs no polling and every
    caller knows at once how long it would wait; `acquire(max_wait=...)` refuses, taking
    nothing, a wait longer than the caller may afford.
    """

    def __init__(self, policy: RateLimitPolicy, clock: Clock) -> None:
        self._capacity = float(policy.requests)
        self._rate = policy.requests / policy.per_seconds
        self._clock = clock
        self._tokens = self._capacity
        self._stamp = clock.monotonic()
        self._blocked_until = 0.0

    def _refill(self, now: float) -> None:
        self._tokens = min(self._capacity, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now

    async def acquire(self, max_wait: float | None = None) -> None:
        now = self._clock.monotonic()
        self._refill(now)
        self._tokens -= 1
        wait = max(self._blocked_until - now, -self._tokens / self._rate, 0.0)
        if max_wait is not None and wait > max_wait:
            self._tokens += 1
            raise RateBudgetSpent(wait)
        try:
            if wait > 0:
                await self._clock.sleep(wait)
            # A pause announced while we slept (the ATS said its budget is spent) holds us too.
            for _ in range(3):
                paused = self._blocked_until - self._clock.monotonic()
                if paused <= 0:
                    break
                await self._clock.sleep(paused)
        except BaseException:
            self._tokens += 1  # cancelled while waiting: the reserved slot goes back
            raise

    def pause(self, seconds: float) -> None:
        """The ATS said its budget is spent: send nothing for `seconds`."""
        self._blocked_until = max(self._blocked_until, self._clock.monotonic() + seconds)


class RateLimiter:
    """One bucket per key (connector mode + account); buckets live as long as the limiter."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._buckets: dict[str, TokenBucket] = {}

    def bucket(self, key: str, policy: RateLimitPolicy) -> TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = TokenBucket(policy, self._clock)
        return bucket
