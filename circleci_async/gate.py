"""The rate-limit gate: one per client, so a 429 pauses every task, not just the one that got it.

The gate's rules are pure functions of numbers (`header_budget`, `budget_at`, `pace_target`,
`pause_span`), so another gate with the same interface (one whose state lives elsewhere)
can apply exactly the same arithmetic. The Redis gate (redis_gate.py) computes its budget
with `header_budget` and hands Redis the numbers; its script applies `pace_target` and
`pause_span` to the shared state. tests/test_redis_gate_arithmetic.py runs one table of
cases, and Hypothesis over header values, through both gates.
"""

from __future__ import annotations

import asyncio
import random as _random
import time
from collections.abc import Awaitable, Callable

import attrs

from .retry import RetryPolicy
from .wire import RateLimitInfo

__all__ = [
    "Budget",
    "Clock",
    "GateTimeout",
    "RateLimitGate",
    "Sleep",
    "budget_at",
    "header_budget",
    "pace_target",
    "pause_span",
]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

UNTIMED_WINDOW = 60.0
"""How long a header budget is believed when the answer named no reset time."""


class GateTimeout(Exception):
    """The gate would open only after the caller's deadline.

    `wait` is the seconds until the gate opens; `server_wait` the seconds the server asked
    for (longer than `wait` when its figure was beyond the longest pause honoured).
    """

    def __init__(self, wait: float, server_wait: float | None = None) -> None:
        self.wait = wait
        self.server_wait = wait if server_wait is None else max(wait, server_wait)
        super().__init__(f"the rate-limit pause lasts {self.server_wait:.1f}s more")


@attrs.frozen
class Budget:
    """What the rate-limit headers of the latest answer said, valid until `expires_at`.

    `remaining` requests may go at once; when it is below 1, requests are spaced `spacing`
    seconds apart (the server's average rate) until `expires_at`, the window's reset.
    """

    remaining: float
    spacing: float
    expires_at: float

    @property
    def paced(self) -> bool:
        """Whether requests must be spaced out rather than sent at once."""
        return self.remaining < 1 and self.spacing > 0


def header_budget(info: RateLimitInfo | None, *, now: float, in_flight: int) -> Budget | None:
    """The budget an answer's rate-limit headers give (None when they give none).

    Requests still in flight are charged against `remaining`. The budget expires at the
    reset time (`now + reset`; `UNTIMED_WINDOW` seconds when no reset was sent): after it,
    answers without headers mean no known budget. `info.reset` is already a delay (see
    `wire.parse_rate_limit`, which reads an epoch-looking reset as a time).
    """
    if info is None or info.remaining is None:
        return None
    reset = info.reset
    if reset is None or reset <= 0:
        return Budget(info.remaining - in_flight, 0.0, now + UNTIMED_WINDOW)
    spacing = reset / max(info.limit or info.remaining or 1, 1)
    return Budget(info.remaining - in_flight, spacing, now + reset)


def budget_at(budget: Budget | None, now: float) -> Budget | None:
    """The budget still in force at `now`: None once its reset time has passed."""
    if budget is None or now >= budget.expires_at:
        return None
    return budget


def pace_target(budget: Budget | None, next_slot: float, now: float) -> float:
    """When a paced request may go: its slot, but never past the window's reset."""
    if budget is None or not budget.paced:
        return now
    return max(now, min(next_slot, budget.expires_at))


def pause_span(seconds: float, cap: float) -> float:
    """How long a pause of `seconds` closes the gate: at most `cap` (it reopens after that)."""
    return max(0.0, min(seconds, cap))


class RateLimitGate:
    """Holds a monotonic `resume_at`; every request waits for it before it is sent.

    Rules (each a pure function above):

    - A 429 moves `resume_at` forward by the server's wait, capped at `max_pause` (default:
      the policy's `pause_cap`, i.e. its budget); with no stated wait, by the policy's curve
      (`RetryPolicy.guess_pause`, by consecutive strikes). A caller whose deadline falls
      before `resume_at` (or on it: it would have no time left) gets `GateTimeout` at once,
      carrying the server's figure; the gate reopens when the capped pause has passed,
      whatever the server said.
    - Waiters leave with a random spread of up to `spread` seconds on top, so they do not
      all wake in the same instant, and never before the server's time.
    - The rate-limit headers give a `Budget`: the latest `remaining` less requests in
      flight. While it lasts, requests go at once; once spent, requests are spaced at the
      server's average rate (`reset ÷ limit`). The budget expires at its reset time; after
      that, answers without headers mean no known budget and requests go unpaced.
    - Pacing never fails a call: when a paced slot falls after the caller's deadline, the
      request goes now and the server decides (the gate never invents a 429).
    """

    def __init__(
        self,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        random: Callable[[], float] = _random.random,
        spread: float = 0.25,
        policy: RetryPolicy | None = None,
        max_pause: float | None = None,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._random = random
        self._spread = spread
        self._policy = policy or RetryPolicy()
        self.max_pause = self._policy.pause_cap if max_pause is None else max_pause
        """The longest pause honoured, in seconds."""
        self._resume_at = clock()
        self._announced = self._resume_at
        self._next_slot = self._resume_at
        self._budget: Budget | None = None
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

    @property
    def budget(self) -> Budget | None:
        """The header budget in force now (None: unknown, requests go unpaced)."""
        self._budget = budget_at(self._budget, self._clock())
        return self._budget

    async def wait(self, deadline: float | None = None) -> float:
        """Wait until a request may be sent; return the seconds waited.

        Every call must be matched by `finished()` once the answer is in (or the attempt
        failed). Raises `GateTimeout` without waiting when a 429 pause ends only after
        `deadline`.
        """
        waited = 0.0
        on_slot = True
        while True:
            now = self._clock()
            budget = self.budget
            if now < self._resume_at:
                if deadline is not None and self._resume_at >= deadline:
                    raise GateTimeout(self._resume_at - now, self._announced - now)
                delay = self._resume_at - now + self._spread * self._random()
            else:
                target = pace_target(budget, self._next_slot, now)
                if target <= now:
                    break
                if deadline is not None and target > deadline:
                    on_slot = False
                    break
                delay = target - now
            await self._sleep(delay)
            waited += delay
        if budget is not None and budget.paced:
            if on_slot:
                self._next_slot = max(now, self._next_slot) + budget.spacing
        elif budget is not None:
            self._budget = attrs.evolve(budget, remaining=budget.remaining - 1)
        self._in_flight += 1
        return waited

    def finished(self) -> None:
        """A request let through by `wait()` is over."""
        self._in_flight = max(0, self._in_flight - 1)

    def pause(self, seconds: float | None) -> float:
        """Record a 429: nobody sends for `seconds` (the policy's guess if None).

        Returns the seconds the gate is closed for: at most `max_pause`.
        """
        self.pauses += 1
        self._strikes += 1
        if seconds is None:
            seconds = self._policy.guess_pause(self._strikes, self._random)
        now = self._clock()
        span = pause_span(seconds, self.max_pause)
        self._resume_at = max(self._resume_at, now + span)
        self._announced = max(self._announced, now + seconds)
        return span

    def observe(self, info: RateLimitInfo | None, *, success: bool = True) -> None:
        """Take an answer's rate-limit headers (None when it had none) into account."""
        if success:
            self._strikes = 0
        budget = header_budget(info, now=self._clock(), in_flight=self._in_flight)
        if budget is not None:
            self._budget = budget
