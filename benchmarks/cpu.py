"""CPU per request: zero latency, every answer decoded into a model, against raw aiohttp."""

from __future__ import annotations

from . import jobcalls
from .common import Section, ratio, remote_fake, verdict


async def run(*, smoke: bool) -> Section:
    calls, concurrency = (500, 32) if smoke else (20_000, 32)
    async with remote_fake(lean=1) as remote:
        raw_t = await jobcalls.raw(remote, calls, concurrency, 3)
        ours_t = await jobcalls.ours(remote, calls, concurrency, 3)
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
