"""Many `jobs.get` calls at once, by circleci-async and by hand-written raw aiohttp."""

from __future__ import annotations

import asyncio
import json

import aiohttp

from circleci_async import CircleCI

from .common import Remote, Timed, best_of


async def ours(remote: Remote, calls: int, concurrency: int, runs: int) -> Timed:
    """The best of `runs` rounds of `calls` concurrent `circle.jobs.get`, decoded to models."""
    async with CircleCI(
        remote.token, base_url=remote.base_url, max_concurrency=concurrency
    ) as circle:

        async def run() -> None:
            await asyncio.gather(
                *(circle.jobs.get(remote.slug, remote.job_number) for _ in range(calls))
            )

        _, took = await best_of(runs, run)
    return took


async def raw(remote: Remote, calls: int, concurrency: int, runs: int) -> Timed:
    """The same calls with aiohttp and `json.loads`, under a semaphore of `concurrency`."""
    url = f"{remote.base_url}/project/{remote.slug}/job/{remote.job_number}"
    headers = {"Circle-Token": remote.token, "Accept": "application/json"}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        gate = asyncio.Semaphore(concurrency)

        async def one() -> object:
            async with gate, session.get(url, headers=headers) as response:
                response.raise_for_status()
                return json.loads(await response.read())

        async def run() -> None:
            await asyncio.gather(*(one() for _ in range(calls)))

        _, took = await best_of(runs, run)
    return took
