"""A walk's cycle guard: every cycle ends the walk, and its memory does not grow with pages."""

from __future__ import annotations

import sys
import tracemalloc

import pytest

from circleci_async.errors import PaginationError
from circleci_async.pagination import RECENT_TOKENS, Page, Paginator


def endless(cycle: int | None, *, start: int = 0) -> Paginator[int]:
    """A list whose page n names page n + 1; with `cycle`, page `start + cycle` is `start` again."""

    async def fetch(token: str | None) -> Page[int]:
        number = 0 if token is None else int(token)
        following = number + 1
        if cycle is not None and following >= start + cycle:
            following = start + (following - start) % cycle
        return Page([number], str(following))

    return Paginator(fetch, operation="synthetic")


async def pages_until_refused(paginator: Paginator[int], bound: int) -> int:
    count = 0

    async def drain() -> None:
        nonlocal count
        async for _ in paginator:
            count += 1
            assert count <= bound, "the cycle was not caught"

    with pytest.raises(PaginationError, match="cyclic"):
        await drain()
    return count


async def test_a_short_cycle_ends_the_walk_at_its_first_repeat() -> None:
    assert await pages_until_refused(endless(7, start=3), 100) == 3 + 7


@pytest.mark.parametrize("cycle", [RECENT_TOKENS + 1, 3 * RECENT_TOKENS, 10_000])
async def test_a_cycle_longer_than_the_window_is_caught_within_a_bound(cycle: int) -> None:
    start = 500
    count = await pages_until_refused(endless(cycle, start=start), 4 * (start + cycle))
    assert count > start + cycle  # caught on a repeat, not before the cycle closes


async def test_the_guard_holds_no_more_tokens_however_long_the_walk() -> None:
    walk = endless(None).pages()
    sizes = []
    for pages in range(1, 80 * RECENT_TOKENS + 1):
        await walk.__anext__()
        if pages in (8 * RECENT_TOKENS, 80 * RECENT_TOKENS):
            sizes.append(sum(sys.getsizeof(part) for part in vars(walk).values()))
    # A set churned by add and discard keeps a table of a few times its size, never more.
    assert max(sizes) < 8 * sys.getsizeof(set(range(RECENT_TOKENS))), sizes


@pytest.mark.slow
async def test_a_long_walks_peak_memory_does_not_grow() -> None:
    async def walk(pages: int) -> int:
        tracemalloc.start()
        try:
            count = 0
            async for _ in endless(None):
                count += 1
                if count == pages:
                    break
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        return peak

    short, long = await walk(8 * RECENT_TOKENS), await walk(80 * RECENT_TOKENS)
    assert long - short < 64 * 1024, (short, long)
