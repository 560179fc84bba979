"""The fake's time: one monotonic clock, and the UTC date-time clock that moves with it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

__all__ = ["datetime_clock"]


def datetime_clock(
    monotonic: Callable[[], float], *, start: datetime | None = None
) -> Callable[[], datetime]:
    """A UTC date-time clock that advances exactly as `monotonic` does.

    It reads `start` (default: the wall clock now) when first built, then adds the seconds
    `monotonic` has moved on since, so fault windows and dated records share one time line.
    """
    origin = (start or datetime.now(UTC)).astimezone(UTC)
    zero = monotonic()

    def now() -> datetime:
        return origin + timedelta(seconds=monotonic() - zero)

    return now
