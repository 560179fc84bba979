"""Fan-out: many `jobs.get` calls with network latency, against raw aiohttp and pycircleci."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

from . import jobcalls
from .common import Remote, Section, ratio, remote_fake, seconds, verdict


def pycircleci_calls(remote: Remote, calls: int, threads: int) -> float:
    from pycircleci.api import Api  # type: ignore[import-untyped]

    api = Api(token=remote.token, url=remote.base_url.removesuffix("/v2"))
    _, org, repo = remote.slug.split("/")

    def one(_: int) -> object:
        return api.get_job_details(org, repo, remote.job_number)

    started = time.perf_counter()
    if threads <= 1:
        for index in range(calls):
            one(index)
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(one, range(calls)))
    return time.perf_counter() - started


async def run(*, smoke: bool) -> Section:
    calls, concurrency, latency = (100, 20, 0.02) if smoke else (2000, 50, 0.02)
    sequential_calls = 20 if smoke else 100
    async with remote_fake(latency=latency, lean=1) as remote:
        ours_s = (await jobcalls.ours(remote, calls, concurrency, 2)).wall
        raw_s = (await jobcalls.raw(remote, calls, concurrency, 2)).wall
        loop = asyncio.get_running_loop()
        seq_s = await loop.run_in_executor(None, pycircleci_calls, remote, sequential_calls, 1)
        pool_s = await loop.run_in_executor(None, pycircleci_calls, remote, calls, concurrency)
    ideal = calls * latency / concurrency
    seq_full = seq_s / sequential_calls * calls
    section = Section(
        title="Fan-out",
        setup=(
            f"{calls} `jobs.get` calls, {latency * 1000:.0f} ms latency per request, "
            f"concurrency {concurrency}; the server (precomputed real bodies) runs in its own "
            f"process. pycircleci 0.7.0 sequential was timed on {sequential_calls} calls and "
            f"scaled to {calls}."
        ),
        header=["client", "seconds", "calls/s", "circleci-async vs it"],
    )
    for name, value in [
        ("ideal (calls × latency ÷ concurrency)", ideal),
        ("circleci-async", ours_s),
        ("raw aiohttp, same concurrency", raw_s),
        (f"pycircleci in {concurrency} threads", pool_s),
        ("pycircleci sequential (scaled)", seq_full),
    ]:
        section.rows.append([name, seconds(value), f"{calls / value:.0f}", ratio(value, ours_s)])
    section.verdicts = [
        verdict(ours_s <= raw_s * 1.10, f"within 1.10× of raw aiohttp ({ratio(ours_s, raw_s)})"),
        verdict(
            seq_full >= ours_s * 40,
            f"≥ 40× faster than sequential pycircleci ({ratio(seq_full, ours_s)})",
        ),
        verdict(
            pool_s >= ours_s * 2,
            f"≥ 2× faster than pycircleci in threads ({ratio(pool_s, ours_s)})",
        ),
    ]
    return section
