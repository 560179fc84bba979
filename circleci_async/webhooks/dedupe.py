"""`RecentIds`: the event ids seen lately, bounded in number and age.

The window is whichever ends first: `max_age` seconds (an hour by default) or `max_size`
ids (10,000 by default, about 2.4 MiB of 36-character ids). A repeat from before the window
is not recognised: a replay 61 minutes later, or after 10,001 other ids, looks new.
`horizon` says how far back the memory reaches, so a receiver with a maximum event age can
refuse what it can no longer tell from a repeat (see `WebhookReceiver(max_event_age=...)`).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

__all__ = ["RecentIds"]


class RecentIds:
    """Remembers ids for `max_age` seconds of `clock`, at most `max_size` of them.

    `seen(id)` says whether the id was noted within the window; `note(id)` notes it now.
    The oldest ids are forgotten first, so memory stays bounded however many arrive.
    """

    def __init__(
        self,
        *,
        max_size: int = 10_000,
        max_age: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        if not max_age > 0:
            raise ValueError("max_age must be positive")
        self.max_size = max_size
        self.max_age = max_age
        self._clock = clock
        self._noted: OrderedDict[str, tuple[float, float | None]] = OrderedDict()
        self.horizon: float | None = None
        """The latest `happened_at` (Unix seconds) of an id forgotten so far, None if none.

        An event that happened at or before it may be a repeat of a forgotten one."""

    def __len__(self) -> int:
        self._expire(self._clock())
        return len(self._noted)

    def seen(self, event_id: str) -> bool:
        """Whether `event_id` was noted less than `max_age` seconds ago."""
        self._expire(self._clock())
        return event_id in self._noted

    def note(self, event_id: str, *, happened_at: float | None = None) -> None:
        """Remember `event_id` from now on, forgetting the oldest beyond `max_size`.

        `happened_at` (Unix seconds) is when the event happened, for `horizon`.
        """
        now = self._clock()
        self._expire(now)
        self._noted.pop(event_id, None)
        self._noted[event_id] = (now, happened_at)
        while len(self._noted) > self.max_size:
            self._forget(self._noted.popitem(last=False)[1][1])

    def _expire(self, now: float) -> None:
        while self._noted:
            oldest, (noted_at, happened_at) = next(iter(self._noted.items()))
            if now - noted_at < self.max_age:
                return
            del self._noted[oldest]
            self._forget(happened_at)

    def _forget(self, happened_at: float | None) -> None:
        if happened_at is not None and (self.horizon is None or happened_at > self.horizon):
            self.horizon = happened_at
