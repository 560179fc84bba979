"""`RecentIds`: the event ids seen lately, bounded in number and age."""

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
        self._noted: OrderedDict[str, float] = OrderedDict()

    def __len__(self) -> int:
        self._expire(self._clock())
        return len(self._noted)

    def seen(self, event_id: str) -> bool:
        """Whether `event_id` was noted less than `max_age` seconds ago."""
        self._expire(self._clock())
        return event_id in self._noted

    def note(self, event_id: str) -> None:
        """Remember `event_id` from now on, forgetting the oldest beyond `max_size`."""
        now = self._clock()
        self._expire(now)
        self._noted.pop(event_id, None)
        self._noted[event_id] = now
        while len(self._noted) > self.max_size:
            self._noted.popitem(last=False)

    def _expire(self, now: float) -> None:
        while self._noted:
            oldest, noted_at = next(iter(self._noted.items()))
            if now - noted_at < self.max_age:
                return
            del self._noted[oldest]
