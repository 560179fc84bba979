"""How one request is retried: the `RetryPolicy`, its one delay curve, and `decide`.

`decide` is the single retry decision: a pure function of the attempt's outcome, the
policy, the counts so far and the clock. The API loop (`SessionCore.request`) and the
artifact downloader (`Fetcher.fetch`) both call it, so they cannot disagree.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import attrs
import backoff

from .errors import CircleCIError, RateLimitError
from .wire import Failure, should_retry

__all__ = ["Counters", "Decision", "Outcome", "RetryPolicy", "decide"]


def _positive(_instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if value < 0:
        raise ValueError(f"RetryPolicy.{attribute.name} must not be negative, got {value}")


def _positive_or_none(instance: object, attribute: attrs.Attribute[float], value: object) -> None:
    if value is not None:
        _positive(instance, attribute, value)  # type: ignore[arg-type]


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """Limits for retrying one request; the same policy applies to every page of a list.

    `attempts` counts every try of a request that failed for a reason other than rate
    limiting (5xx, timeouts, broken connections); `rate_limit_retries` counts 429 answers on
    their own, since the shared gate already makes every task wait out the server's pause.
    `budget` is the total seconds one request may spend, waits included: it is a deadline
    that also clips each attempt's timeout, and a wait that would end past it is not started
    (the last error is raised instead). Delays follow one curve, `backoff.expo` from
    `base_delay` doubling up to `max_delay`: retries after a failure take a full-jitter share
    of it, a 429 without a stated wait pauses the gate for half to all of it. `max_pause` is
    the longest server-requested wait honoured (default: `budget`); a longer one fails.
    """

    attempts: int = attrs.field(default=4, validator=attrs.validators.ge(1))
    rate_limit_retries: int = attrs.field(default=8, validator=attrs.validators.ge(0))
    budget: float = attrs.field(default=300.0, validator=_positive)
    base_delay: float = attrs.field(default=0.5, validator=_positive)
    max_delay: float = attrs.field(default=30.0, validator=_positive)
    max_pause: float | None = attrs.field(default=None, validator=_positive_or_none)

    @classmethod
    def never(cls) -> RetryPolicy:
        """A policy that sends each request once and never retries, not even on 429."""
        return cls(attempts=1, rate_limit_retries=0)

    @property
    def pause_cap(self) -> float:
        """The longest wait a server may impose: `max_pause`, or `budget` when unset."""
        return self.budget if self.max_pause is None else self.max_pause

    def ceiling(self, retry: int) -> float:
        """The curve: the delay ceiling before retry number `retry` (1, 2, ...)."""
        curve = backoff.expo(base=2, factor=self.base_delay, max_value=self.max_delay)
        next(curve)
        return float(next(itertools.islice(curve, max(retry, 1) - 1, None)))

    def delays(self, random: Callable[[], float]) -> Iterator[float]:
        """Full-jitter delays, one per retry: uniform in [0, ceiling(n)]."""
        for retry in itertools.count(1):
            yield random() * self.ceiling(retry)

    def guess_pause(self, strike: int, random: Callable[[], float]) -> float:
        """A 429 pause when the server named none: between half and all of `ceiling(strike)`.

        Never near zero, which would only earn the next 429.
        """
        return self.ceiling(strike) * (0.5 + 0.5 * random())


@attrs.define
class Counters:
    """What one request has gone through so far; `decide` updates it."""

    failures: int = 0
    """Failed attempts other than 429s (these count against `attempts`)."""
    limited: int = 0
    """429 answers (these count against `rate_limit_retries`)."""


@attrs.frozen(kw_only=True)
class Outcome:
    """One failed attempt, as far as retrying is concerned.

    `failure` is None for a failure never worth retrying (a 4xx other than 429, a cap
    exceeded, local resources exhausted); `wait` is the server's stated wait (`Retry-After`,
    or the rate-limit reset on a 429), if any.
    """

    failure: Failure | None
    error: CircleCIError
    method: str = "GET"
    idempotent: bool | None = None
    wait: float | None = None


@attrs.frozen
class Decision:
    """Retry after `delay` seconds, or (`retry` false) give up and raise `error`."""

    retry: bool
    delay: float
    error: CircleCIError


def decide(
    outcome: Outcome,
    policy: RetryPolicy,
    counters: Counters,
    *,
    now: float,
    deadline: float,
    random: Callable[[], float],
) -> Decision:
    """The one retry decision shared by every loop that sends.

    - A failure that is None, or not safe for the method (POST after sending), gives up.
    - A 429 counts against `rate_limit_retries`, anything else against `attempts`.
    - The delay is the server's wait when it named one (429 and 503 alike; never shortened
      by jitter), else the policy's curve. A server wait longer than `pause_cap` gives up at
      once, with the server's figure on a `RateLimitError`.
    - A retry whose delay would end past `deadline` is not started.
    """
    error = outcome.error
    failure = outcome.failure
    if failure is None or not should_retry(outcome.method, failure, idempotent=outcome.idempotent):
        return Decision(False, 0.0, error)
    if failure is Failure.RATE_LIMITED:
        counters.limited += 1
        if counters.limited > policy.rate_limit_retries:
            return Decision(False, 0.0, error)
        delay = outcome.wait
        if delay is None:
            delay = policy.guess_pause(counters.limited, random)
    else:
        counters.failures += 1
        if counters.failures >= policy.attempts:
            return Decision(False, 0.0, error)
        delay = random() * policy.ceiling(counters.failures)
        if outcome.wait is not None:
            delay = max(delay, outcome.wait)
    if outcome.wait is not None and outcome.wait > policy.pause_cap:
        if isinstance(error, RateLimitError):
            error.retry_after = outcome.wait
        return Decision(False, 0.0, error)
    if now + delay > deadline:
        return Decision(False, 0.0, error)
    return Decision(True, delay, error)
