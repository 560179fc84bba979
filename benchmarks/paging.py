"""Streaming pagination: a long walk against a raw loop (time) and a short walk (memory)."""

from __future__ import annotations

import json
import os
import tracemalloc
from collections.abc import Awaitable, Callable

import aiohttp

from circleci_async import CircleCI

from .common import Remote, Section, Timed, ratio, remote_fake, timed, verdict


async def walk(remote: Remote, limit: int | None = None) -> int:
    count = 0
    async with CircleCI(remote.token, base_url=remote.base_url) as circle:
        async for _ in circle.pipelines.list(remote.slug):
            count += 1
            if limit is not None and count >= limit:
                break
    return count


async def dict_walk(remote: Remote) -> int:
    """The same walk with `.raw()`: the items as CircleCI sent them, not decoded."""
    count = 0
    async with CircleCI(remote.token, base_url=remote.base_url) as circle:
        async for _ in circle.pipelines.list(remote.slug).raw():
            count += 1
    return count


async def alternating(runs: int, *works: Callable[[], Awaitable[int]]) -> list[tuple[int, Timed]]:
    """The best of `runs` rounds of each work, run in turn (so a noisy spell hits all)."""
    best: list[tuple[int, Timed] | None] = [None] * len(works)
    for _ in range(runs):
        for index, work in enumerate(works):
            outcome = await timed(work)
            current = best[index]
            if current is None or outcome[1].wall < current[1].wall:
                best[index] = outcome
    return [outcome for outcome in best if outcome is not None]


async def raw_walk(remote: Remote) -> int:
    url = f"{remote.base_url}/project/{remote.slug}/pipeline"
    headers = {"Circle-Token": remote.token, "Accept": "application/json"}
    count = 0
    token: str | None = None
    async with aiohttp.ClientSession() as session:
        while True:
            params = {"page-token": token} if token else {}
            async with session.get(url, headers=headers, params=params) as response:
                response.raise_for_status()
                page = json.loads(await response.read())
            count += len(page["items"])
            token = page["next_page_token"]
            if not token:
                return count


def rss_mib() -> float:
    """This process's resident memory now, from /proc (MiB)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


async def rss_growth(remote: Remote, limit: int) -> tuple[int, float]:
    """Walk `limit` items, sampling RSS every 1,000; the largest rise over the start (MiB)."""
    count = 0
    start = highest = rss_mib()
    async with CircleCI(remote.token, base_url=remote.base_url) as circle:
        async for _ in circle.pipelines.list(remote.slug):
            count += 1
            if count % 1_000 == 0:
                highest = max(highest, rss_mib())
            if count >= limit:
                break
    return count, max(highest, rss_mib()) - start


async def peak_memory(remote: Remote, limit: int | None) -> tuple[int, float]:
    tracemalloc.start()
    try:
        count = await walk(remote, limit)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return count, peak / 2**20


async def run(*, smoke: bool) -> Section:
    items, page_size = (2_000, 20) if smoke else (100_000, 20)
    long_walks = (2_000, 10_000) if smoke else (10_000, 100_000, 1_000_000)
    async with remote_fake(pipelines=max(long_walks), page_size=page_size, lean=1) as remote:
        await rss_growth(remote, 1_000)  # imports, the decoder's first build, the pool
        growths = [await rss_growth(remote, size) for size in long_walks]
    async with remote_fake(pipelines=items, page_size=page_size, lean=1) as remote:
        (raw_count, raw_t), (ours_count, ours_t), (dict_count, dict_t) = await alternating(
            3, lambda: raw_walk(remote), lambda: walk(remote), lambda: dict_walk(remote)
        )
        short_count, short_peak = await peak_memory(remote, 1_000)
        long_count, long_peak = await peak_memory(remote, None)
    assert ours_count == raw_count == dict_count == long_count == items
    pages = items // page_size
    section = Section(
        title="Streaming pagination",
        setup=(
            f"{items} pipelines over {pages} pages of {page_size}, no added latency; each walk "
            f"is the best of 3, the three walks taking turns; memory is the tracemalloc peak "
            f"of a walk in this process (the server runs in its own); RSS growth is the largest "
            f"rise in this process's resident memory during one walk of that many items."
        ),
        header=["walk", "items", "seconds", "items/s", "peak MiB", "vs raw loop"],
    )
    section.rows += [
        [
            "raw aiohttp loop, json.loads",
            str(raw_count),
            f"{raw_t.wall:.2f}",
            f"{raw_count / raw_t.wall:.0f}",
            "",
            "1.00×",
        ],
        [
            "circleci-async `async for`",
            str(ours_count),
            f"{ours_t.wall:.2f}",
            f"{ours_count / ours_t.wall:.0f}",
            f"{long_peak:.2f}",
            ratio(raw_t.wall, ours_t.wall),
        ],
        [
            "circleci-async `.raw()` (dicts)",
            str(dict_count),
            f"{dict_t.wall:.2f}",
            f"{dict_count / dict_t.wall:.0f}",
            "",
            ratio(raw_t.wall, dict_t.wall),
        ],
        ["circleci-async, first 1,000 items", str(short_count), "", "", f"{short_peak:.2f}", ""],
    ]
    section.rows += [
        [f"circleci-async, RSS growth over {count:,} items", str(count), "", "", f"+{mib:.2f}", ""]
        for count, mib in growths
    ]
    growth = long_peak - short_peak
    share = raw_t.wall / ours_t.wall
    section.verdicts = [
        verdict(share >= 0.8, f"at least 0.8× the raw loop's items/s ({share:.2f}×)"),
        verdict(growth < 10, f"memory flat: {growth:.2f} MiB more for {items} items than 1,000"),
        verdict(
            all(mib < 1 for _, mib in growths),
            "RSS growth under 1 MiB at every size ("
            + ", ".join(f"{count:,}: +{mib:.2f}" for count, mib in growths)
            + ")",
        ),
    ]
    return section
