"""How one request is retried: the `RetryPolicy` and the delays it allows."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import attrs
import backoff

__all__ = ["RetryPolicy"]


def _positive(_instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if value < 0:
        raise ValueError(f"RetryPolicy.{attribute.name} must not be negative, got {value}")


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """Limits for retrying one request; the same policy applies to every page of a list.

    `attempts` counts every try of a request that failed for a reason other than rate
    limiting (5xx, timeouts, broken connections); `rate_limit_retries` counts 429 answers on
    their own, since the shared gate already makes every task wait out the server's pause.
    `budget` is the total seconds one request may spend, waits included: a wait that would
    end past it is not started and the last error is raised instead. Delays grow
    exponentially from `base_delay` up to `max_delay` with full jitter.
    """

    attempts: int = attrs.field(default=4, validator=attrs.validators.ge(1))
    rate_limit_retries: int = attrs.field(default=8, validator=attrs.validators.ge(0))
    budget: float = attrs.field(default=300.0, validator=_positive)
    base_delay: float = attrs.field(default=0.5, validator=_positive)
    max_delay: float = attrs.field(default=30.0, validator=_positive)

    @classmethod
    def never(cls) -> RetryPolicy:
        """A policy that sends each request once and never retries, not even on 429."""
        return cls(attempts=1, rate_limit_retries=0)

    def delays(self, random: Callable[[], float]) -> Iterator[float]:
        """Jittered exponential delays, one per retry: uniform in [0, min(max, base * 2**n)]."""
        ceilings = backoff.expo(base=2, factor=self.base_delay, max_value=self.max_delay)
        next(ceilings)
        for ceiling in ceilings:
            yield random() * ceiling
