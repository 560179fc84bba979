"""Injected time for tests: no test of timing logic sleeps for real."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


class SteppingClock:
    """For one task at a time: `sleep` records the delay and moves the clock on at once."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


class VirtualTime:
    """Virtual time for many tasks: sleepers wake in order of their wake-up time.

    `run()` lets every task go as far as it can, then jumps the clock to the earliest
    sleeper's wake-up time, so concurrent sleeps overlap as they would in real time.
    """

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._order), future))
        await future

    async def run(self, work: Awaitable[T]) -> T:
        task = asyncio.ensure_future(work)
        idle = 0
        while not task.done():
            for _ in range(20):
                await asyncio.sleep(0)
            if task.done():
                break
            if not self._sleepers:
                idle += 1
                if idle > 500:
                    task.cancel()
                    raise RuntimeError("virtual time: tasks wait on something other than sleep")
                continue
            idle = 0
            wake, _, future = heapq.heappop(self._sleepers)
            self.now = max(self.now, wake)
            future.set_result(None)
        return task.result()
