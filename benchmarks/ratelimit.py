"""Rate limits: many tasks against a server that allows a fixed rate and answers 429 beyond it."""

from __future__ import annotations

import asyncio

import aiohttp

from circleci_async import CircleCI, RetryPolicy

from .common import Remote, Section, remote_fake, seconds, timed, verdict


async def ours(remote: Remote, requests: int, tasks: int) -> tuple[float, int]:
    policy = RetryPolicy(rate_limit_retries=100, budget=600)
    async with CircleCI(
        remote.token, base_url=remote.base_url, max_concurrency=tasks, retry=policy
    ) as circle:

        async def task(count: int) -> None:
            for _ in range(count):
                await circle.users.me()

        async def run() -> None:
            await asyncio.gather(*(task(requests // tasks) for _ in range(tasks)))

        _, took = await timed(run)
        return took.wall, circle.core.gate.pauses


async def per_task(remote: Remote, requests: int, tasks: int) -> tuple[float, int]:
    """Each task honours Retry-After on its own, as a client without a shared gate does."""
    url = f"{remote.base_url}/me"
    headers = {"Circle-Token": remote.token, "Accept": "application/json"}
    limited = 0
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=tasks)) as session:

        async def call() -> None:
            nonlocal limited
            while True:
                async with session.get(url, headers=headers) as response:
                    await response.read()
                    if response.status != 429:
                        response.raise_for_status()
                        return
                    limited += 1
                    wait = float(response.headers.get("Retry-After", "1"))
                await asyncio.sleep(wait)

        async def task(count: int) -> None:
            for _ in range(count):
                await call()

        async def run() -> None:
            await asyncio.gather(*(task(requests // tasks) for _ in range(tasks)))

        _, took = await timed(run)
    return took.wall, limited


async def run(*, smoke: bool) -> Section:
    rate, requests, tasks = (50, 200, 20) if smoke else (100, 1000, 100)
    async with remote_fake(rps=rate) as remote:
        ours_s, ours_429 = await ours(remote, requests, tasks)
    async with remote_fake(rps=rate) as remote:
        task_s, task_429 = await per_task(remote, requests, tasks)
    ideal = requests / rate
    section = Section(
        title="Rate limits",
        setup=(
            f"The server allows {rate} requests/s (token bucket, burst {rate}) and answers 429 "
            f"with Retry-After beyond; {requests} requests from {tasks} concurrent tasks."
        ),
        header=["client", "seconds", "vs ideal", "429s received"],
    )
    section.rows += [
        ["ideal (requests ÷ rate)", seconds(ideal), "1.00×", "0"],
        [
            "circleci-async (one shared gate)",
            seconds(ours_s),
            f"{ours_s / ideal:.2f}×",
            str(ours_429),
        ],
        [
            "per-task backoff (raw aiohttp)",
            seconds(task_s),
            f"{task_s / ideal:.2f}×",
            str(task_429),
        ],
    ]
    section.verdicts = [
        verdict(ours_s <= ideal * 1.25, f"within 1.25× of the ideal ({ours_s / ideal:.2f}×)"),
        verdict(
            ours_429 * 10 <= max(task_429, 1),
            f"429s at most a tenth of the per-task client's ({ours_429} vs {task_429})",
        ),
    ]
    return section
