"""Several OS processes on one token: one Redis gate among them against the fake's rate limit."""

from __future__ import annotations

import pytest

from benchmarks.gate_worker import run_phase, workers

from .conftest import FakeFactory
from .redis_helpers import RedisServer

pytestmark = pytest.mark.slow

TOKEN = "fake-shared-token-for-processes"


async def test_processes_sharing_a_redis_gate_get_few_429s_and_one_429_pauses_them_all(
    fake_factory: FakeFactory, redis_server: RedisServer
) -> None:
    apart = await fake_factory(token=TOKEN, record=True)
    together = await fake_factory(token=TOKEN, record=True)
    for fake in (apart, together):
        fake.faults.rate_limit_rps(40)  # burst 40, then 40 a second
    async with workers(3, TOKEN) as processes:
        own = await run_phase(processes, base_url=apart.base_url, gate_url=None, calls=36, tasks=8)
        shared = await run_phase(
            processes, base_url=together.base_url, gate_url=redis_server.url, calls=36, tasks=8
        )
        paused = await fake_factory(token=TOKEN, record=True)
        paused.faults.rate_limit(1, retry_after="2")  # the first request of all gets a 429
        after = await run_phase(
            processes, base_url=paused.base_url, gate_url=redis_server.url, calls=20, tasks=2
        )
    assert all(figures["shared"] for figures in shared)
    assert not any(figures["shared"] for figures in own)
    apart_429 = sum(r.status == 429 for r in apart.requests)
    together_429 = sum(r.status == 429 for r in together.requests)
    assert sum(f["limited"] for f in own) == apart_429
    assert apart_429 >= 6, "per-process gates should collide on one token"
    assert together_429 * 5 <= apart_429, (together_429, apart_429)
    ok = [r for r in together.requests if r.status == 200 and r.operation_id == "getCurrentUser"]
    assert len(ok) == 3 * 36

    # A 429 seen by one process paused the others: only one process met it, and nobody sent
    # a request inside the pause (after the answers already on their way when it came).
    assert sorted(f["limited"] for f in after) == [0, 0, 1]
    limited = next(r for r in paused.requests if r.status == 429)
    inside = [
        r
        for r in paused.requests
        if limited.received_at + 0.3 < r.received_at < limited.received_at + 1.7
    ]
    assert inside == []
    assert sum(r.status == 200 for r in paused.requests) == 3 * 20
    assert all(f["seconds"] >= 1.5 for f in after)
