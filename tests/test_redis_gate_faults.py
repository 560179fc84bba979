"""The Redis gate under faults: crashed processes, dropped connections, slow Redis, pauses
read through each process's own `max_pause`, context left behind, secrets in its config."""

from __future__ import annotations

import asyncio
import contextvars
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
import redis.asyncio as aioredis

from circleci_async import CircleCI
from circleci_async.errors import ConfigurationError
from circleci_async.gate import GateTimeout
from circleci_async.redis_gate import RedisGate, gate_key
from circleci_async.secret import Secret
from circleci_async.testing import FakeCircleCI
from circleci_async.wire import RateLimitInfo

from .redis_helpers import RedisServer, SlowProxy, running_redis

pytestmark = pytest.mark.slow

BASE = "https://circleci.example/api/v2"
INFLIGHT = gate_key(BASE, Secret("tok-1")) + ":inflight"


class Sleeps:
    """An injected sleep that records each delay and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest_asyncio.fixture
async def store(redis_server: RedisServer) -> AsyncIterator[aioredis.Redis]:
    """A plain redis-py client on the test's server, to look at what the gates keep."""
    client = aioredis.from_url(redis_server.url, decode_responses=True)
    yield client
    await client.aclose()


def gate(url: str, **options: Any) -> RedisGate:
    options.setdefault("sleep", Sleeps())
    options.setdefault("random", lambda: 0.0)
    return RedisGate(url, base_url=BASE, token=Secret("tok-1"), **options)


async def server_now(store: aioredis.Redis) -> float:
    seconds, micros = await store.time()
    return float(seconds) + micros / 1e6


async def lease_expiry(store: aioredis.Redis) -> float:
    scores = await store.zrange(INFLIGHT, 0, -1, withscores=True)
    assert len(scores) == 1
    return float(scores[0][1])


async def test_a_lease_is_a_few_seconds_unless_renewed(
    redis_server: RedisServer, store: aioredis.Redis
) -> None:
    shared = gate(redis_server.url)
    try:
        await shared.wait()
        now = await server_now(store)
        expiry = await lease_expiry(store)
        assert expiry - now <= 6.5  # main: 120 s
        await shared.renew()  # what the heartbeat does every third of a lease
        renewed = await lease_expiry(store)
        assert renewed > expiry
        shared.finished()
    finally:
        await shared.aclose()
    assert await store.zcard(INFLIGHT) == 0


async def test_a_crashed_process_frees_its_budget_within_its_lease_a_live_one_keeps_it(
    redis_server: RedisServer, store: aioredis.Redis
) -> None:
    crashed = gate(redis_server.url, lease=0.6)
    alive = gate(redis_server.url, lease=0.6)
    other = gate(redis_server.url)
    try:
        for _ in range(40):
            await crashed.wait()
        await crashed.aclose()  # gone without finishing: its heartbeat has stopped
        await alive.wait()  # runs on; its heartbeat renews its lease
        started = time.monotonic()
        while await store.zcount(INFLIGHT, await server_now(store), "+inf") > 1:  # bounded
            assert time.monotonic() - started < 5, "the crashed leases never expired"
            await asyncio.sleep(0.05)
        assert time.monotonic() - started < 2
        await asyncio.sleep(0.6)  # past the live lease's first expiry: renewed, not lost
        assert await store.zcount(INFLIGHT, await server_now(store), "+inf") == 1
        other.observe(RateLimitInfo(limit=40, remaining=40, reset=60))
        for _ in range(39):
            await other.wait()
            other.finished()
        sleeps = other._pause_for
        assert isinstance(sleeps, Sleeps)
        assert sum(sleeps.delays) == 0  # main: crashed leases of 120 s pace these 39 calls
        alive.finished()
    finally:
        for shared in (alive, other):
            await shared.aclose()


CHILD = """
import asyncio, sys
from circleci_async.redis_gate import RedisGate
from circleci_async.secret import Secret

async def main() -> None:
    gate = RedisGate(sys.argv[1], base_url=sys.argv[2], token=Secret("tok-1"), lease=0.6)
    for _ in range(40):
        await gate.wait()
    print("held", flush=True)
    await asyncio.sleep(120)

asyncio.run(main())
"""


async def test_a_killed_process_holding_40_leases_frees_them_within_a_second(
    redis_server: RedisServer, store: aioredis.Redis
) -> None:
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CHILD, redis_server.url, BASE, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert child.stdout is not None
        assert await asyncio.wait_for(child.stdout.readline(), 30) == b"held\n"
        scores = await store.zrange(INFLIGHT, 0, -1, withscores=True)
        first = max(float(pair[1]) for pair in scores)
        await asyncio.sleep(first + 0.2 - await server_now(store))  # past the first leases
        assert await store.zcount(INFLIGHT, await server_now(store), "+inf") == 40
    finally:
        child.kill()
        await child.wait()
    killed_at = await server_now(store)
    while await store.zcount(INFLIGHT, await server_now(store), "+inf") > 0:
        assert await server_now(store) - killed_at < 5, "the dead process's leases stay"
        await asyncio.sleep(0.05)
    assert await server_now(store) - killed_at <= 0.7  # a lease, at most
    other = gate(redis_server.url)
    try:
        other.observe(RateLimitInfo(limit=40, remaining=40, reset=60))
        for _ in range(40):
            await other.wait()
            other.finished()
        sleeps = other._pause_for
        assert isinstance(sleeps, Sleeps)
        assert sleeps.delays == []  # the whole budget is this process's again
    finally:
        await other.aclose()


async def test_a_killed_connection_is_replaced_at_once_not_a_fallback(
    redis_server: RedisServer, store: aioredis.Redis
) -> None:
    shared = gate(redis_server.url)
    try:
        await shared.wait()
        shared.finished()
        await shared.flush()
        killed = await store.client_kill_filter(_type="normal", skipme=True)
        assert killed >= 1
        await shared.wait()
        shared.finished()
        assert shared.shared
        assert shared.fallbacks == 0  # main: 1, and the local gate for 30 s
        assert shared.reconnects == 1
    finally:
        await shared.aclose()


async def test_redis_closing_an_idle_connection_is_not_a_fallback(
    redis_server: RedisServer, store: aioredis.Redis
) -> None:
    shared = gate(redis_server.url)
    try:
        await shared.wait()
        shared.finished()
        await shared.flush()
        await store.config_set("timeout", 1)
        try:
            started = time.monotonic()
            while len(await store.client_list()) > 1:  # Redis closes the idle one, bounded
                assert time.monotonic() - started < 15, "Redis never closed the idle client"
                await asyncio.sleep(0.2)
        finally:
            await store.config_set("timeout", 0)
        await shared.wait()
        shared.finished()
        assert shared.shared
        assert shared.fallbacks == 0
    finally:
        await shared.aclose()


async def test_a_slow_redis_is_still_shared_and_a_silent_one_falls_back_in_a_second(
    fake: FakeCircleCI, redis_server: RedisServer
) -> None:
    fake.faults.rate_limit_rps(1000)
    async with SlowProxy(redis_server.port, 0.2) as slow, SlowProxy(0, None) as silent:
        async with CircleCI(
            fake.token, base_url=fake.base_url, gate_url=slow.url(), max_concurrency=8
        ) as circle:
            started = time.monotonic()
            await asyncio.gather(*(circle.users.me() for _ in range(16)))
            slow_seconds = time.monotonic() - started
            shared = circle.core.gate
            assert isinstance(shared, RedisGate)
            assert shared.fallbacks == 0  # main: every caller fell back at 1 s
            assert shared.shared
        quiet = gate(silent.url())
        try:
            started = time.monotonic()
            await quiet.wait()
            quiet.finished()
            silent_seconds = time.monotonic() - started
            assert quiet.fallbacks == 1
            assert not quiet.shared
        finally:
            await quiet.aclose()
    assert slow_seconds < 10
    assert silent_seconds < 3


async def test_a_shared_pause_is_read_through_each_processs_own_max_pause(
    redis_server: RedisServer,
) -> None:
    class Stop(Exception):
        pass

    class FirstWait(Sleeps):
        async def __call__(self, seconds: float) -> None:
            self.delays.append(seconds)
            raise Stop  # the wait is what matters; the Redis clock would take it for real

    patient = gate(redis_server.url, max_pause=600)
    first_wait = FirstWait()
    hasty = gate(redis_server.url, max_pause=5, sleep=first_wait)
    also_patient = gate(redis_server.url, max_pause=600)
    try:
        await patient.wait()
        patient.finished()
        assert patient.pause(600) == 600  # Retry-After: 600
        await patient.flush()
        with pytest.raises(Stop):  # main: GateTimeout, the 600 s pause refused every call
            await hasty.wait(deadline=time.monotonic() + 20)
        assert len(first_wait.delays) == 1
        assert 4 < first_wait.delays[0] <= 5
        with pytest.raises(GateTimeout) as caught:
            await also_patient.wait(deadline=time.monotonic() + 20)
        assert 590 < caught.value.server_wait <= 600
    finally:
        for shared in (patient, hasty, also_patient):
            await shared.aclose()


async def test_redis_gated_clients_leave_nothing_in_the_callers_context(
    fake: FakeCircleCI, redis_server: RedisServer
) -> None:
    before = len(contextvars.copy_context())
    for _ in range(3):
        async with CircleCI(fake.token, base_url=fake.base_url, gate_url=redis_server.url) as c:
            await c.users.me()
            assert isinstance(c.core.gate, RedisGate)
            assert c.core.gate.shared
    assert len(contextvars.copy_context()) == before  # main: one more per client


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("redis://:hunter2@127.0.0.1:notaport/0", r"bad port: 'redis://:\*\*\*@127.0.0.1:notaport"),
        ("redis://:hunter2@127.0.0.1:99999/0", r"bad port: 'redis://:\*\*\*@127.0.0.1:99999/0'"),
        ("redis://[::1/0", r"bad host: 'redis://\[::1/0'"),
        ("redis://:hunter2@[::1/0", r"bad host: 'redis://\*\*\*'"),
        ("redis://hunter2@127.0.0.1:x/0", r"bad port: 'redis://\*\*\*@127.0.0.1:x/0'"),
    ],
)
def test_a_bad_port_or_host_is_a_configuration_error_without_the_secret(
    url: str, message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message) as caught:
        CircleCI("tok-value-123", gate_url=url)
    assert "hunter2" not in str(caught.value)
    assert "tok-value-123" not in str(caught.value)


def test_an_ipv6_literal_is_accepted_and_shown_with_its_brackets() -> None:
    shared = gate("redis://:hunter2@[::1]:6390/0")
    assert shared.shown_url == "redis://:***@[::1]:6390/0"
    assert "hunter2" not in repr(vars(shared))


async def test_the_password_is_a_secret_held_nowhere_in_the_gates_vars(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with running_redis(tmp_path_factory.mktemp("redis"), password="hunter2") as server:
        shared = gate(server.url)
        try:
            seen = [repr(value) for value in vars(shared).values()]
            pool = shared._redis.connection_pool
            seen += [repr(value) for value in pool.connection_kwargs.values()]
            assert not any("hunter2" in text for text in seen)
            await shared.wait()  # and it still authenticates
            shared.finished()
            assert shared.shared
            assert shared.fallbacks == 0
        finally:
            await shared.aclose()
