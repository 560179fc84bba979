"""CPU per request: zero latency, every answer decoded into a model, against raw aiohttp."""

from __future__ import annotations

import asyncio
import json

import aiohttp

from circleci_async import CircleCI

from .common import Remote, Section, Timed, best_of, ratio, remote_fake, verdict


async def ours(remote: Remote, calls: int, concurrency: int) -> Timed:
    async with CircleCI(
        remote.token, base_url=remote.base_url, max_concurrency=concurrency
    ) as circle:

        async def run() -> None:
            await asyncio.gather(
                *(circle.jobs.get(remote.slug, remote.job_number) for _ in range(calls))
            )

        _, took = await best_of(3, run)
    return took


async def raw(remote: Remote, calls: int, concurrency: int) -> Timed:
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

        _, took = await best_of(3, run)
    return took


async def run(*, smoke: bool) -> Section:
    calls, concurrency = (500, 32) if smoke else (20_000, 32)
    async with remote_fake(lean=1) as remote:
        raw_t = await raw(remote, calls, concurrency)
        ours_t = await ours(remote, calls, concurrency)
    section = Section(
        title="CPU per request",
        setup=(
            f"{calls} `jobs.get` calls, no added latency, concurrency {concurrency}; each answer "
            f"decoded into `JobDetails` (ours) or by `json.loads` (raw). The server runs in its "
            f"own process, so client CPU is this process's CPU time."
        ),
        header=["client", "wall s", "calls/s", "client CPU µs/call", "throughput vs raw"],
    )
    for name, took in [("raw aiohttp + json.loads", raw_t), ("circleci-async", ours_t)]:
        section.rows.append(
            [
                name,
                f"{took.wall:.2f}",
                f"{calls / took.wall:.0f}",
                f"{took.cpu / calls * 1e6:.0f}",
                ratio(raw_t.wall, took.wall),
            ]
        )
    share = raw_t.wall / ours_t.wall
    section.verdicts = [
        verdict(share >= 0.8, f"at least 0.8× raw throughput ({share:.2f}×)"),
    ]
    return section
