"""The rate-limit gate: one per client, so a 429 pauses every task, not just the one that got it."""

from __future__ import annotations

import asyncio
import random as _random
import time
from collections.abc import Awaitable, Callable

from .wire import RateLimitInfo

__all__ = ["Clock", "RateLimitGate", "Sleep"]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class GateTimeout(Exception):
    """The gate would open only after the caller's deadline."""

    def __init__(self, wait: float) -> None:
        self.wait = wait
        super().__init__(f"the rate-limit pause lasts {wait:.1f}s more")


class RateLimitGate:
    """Holds a monotonic `resume_at`; every request waits for it before it is sent.

    A 429 moves `resume_at` forward by the server's wait, or, when the server named none, by
    an exponential guess jittered between half and all of its ceiling (a full-jitter wait
    near zero would only earn the next 429). Waiters leave with a random spread of up to
    `spread` seconds on top of that, so they do not all wake in the same instant and never
    before the server's time.

    The rate-limit headers keep a budget: the `remaining` count of the latest answer less
    the requests still in flight. While it lasts, requests go at once; once it is spent,
    requests are spaced at the server's average rate (`reset ÷ limit` seconds apart) until
    an answer shows budget again, so a crowd of tasks slows down before the 429s come.
    """

    def __init__(
        self,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        random: Callable[[], float] = _random.random,
        spread: float = 0.25,
        base_delay: float = 1.0,
        max_delay: float = 60.0,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._random = random
        self._spread = spread
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._resume_at = clock()
        self._next_slot = self._resume_at
        self._budget: float | None = None
        self._spacing = 0.0
        self._in_flight = 0
        self._strikes = 0
        self.pauses = 0
        """How many 429 answers have paused the gate (a figure for reports)."""

    @property
    def resume_at(self) -> float:
        """The clock value before which no request may be sent."""
        return self._resume_at

    @property
    def in_flight(self) -> int:
        """Requests let through whose answers have not come back yet."""
        return self._in_flight

    def _paced(self) -> bool:
        return self._budget is not None and self._budget < 1 and self._spacing > 0

    async def wait(self, deadline: float | None = None) -> float:
        """Wait until a request may be sent; return the seconds waited.

        Every call must be matched by `finished()` once the answer is in (or the attempt
        failed). Raises `GateTimeout` without waiting when the gate would open only after
        `deadline`.
        """
        waited = 0.0
        while True:
            now = self._clock()
            target = self._resume_at
            if self._paced():
                target = max(target, self._next_slot)
            if target <= now:
                break
            if deadline is not None and target > deadline:
                raise GateTimeout(target - now)
            spread = self._spread * self._random() if target == self._resume_at else 0.0
            delay = target - now + spread
            await self._sleep(delay)
            waited += delay
        if self._paced():
            self._next_slot = max(now, self._next_slot) + self._spacing
        elif self._budget is not None:
            self._budget -= 1
        self._in_flight += 1
        return waited

    def finished(self) -> None:
        """A request let through by `wait()` is over."""
        self._in_flight = max(0, self._in_flight - 1)

    def pause(self, seconds: float | None) -> float:
        """Record a 429: nobody sends for `seconds` (a jittered guess if None); return the wait."""
        self.pauses += 1
        self._strikes += 1
        if seconds is None:
            ceiling = min(self._max_delay, self._base_delay * 2 ** (self._strikes - 1))
            seconds = ceiling * (0.5 + 0.5 * self._random())
        self._resume_at = max(self._resume_at, self._clock() + seconds)
        return seconds

    def observe(self, info: RateLimitInfo | None, *, success: bool = True) -> None:
        """Take an answer's rate-limit headers (None when it had none) into account."""
        if success:
            self._strikes = 0
        if info is None or info.remaining is None:
            return
        self._budget = info.remaining - self._in_flight
        if info.reset is not None and info.reset > 0:
            self._spacing = info.reset / max(info.limit or info.remaining or 1, 1)
