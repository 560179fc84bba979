"""The rate-limit gate shared through a real redis-server, in one process (several clients)."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
import redis.asyncio as aioredis

from circleci_async import CircleCI, RateLimitError, RetryPolicy
from circleci_async.errors import ConfigurationError
from circleci_async.gate import GateTimeout
from circleci_async.redis_gate import RedisGate, gate_key
from circleci_async.secret import Secret
from circleci_async.testing import FakeCircleCI
from circleci_async.wire import RateLimitInfo, parse_rate_limit

from .redis_helpers import RedisServer

pytestmark = pytest.mark.slow

BASE = "https://circleci.example/api/v2"


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


def gate(url: str, token: str = "tok-1", **options: Any) -> RedisGate:
    options.setdefault("sleep", Sleeps())
    options.setdefault("random", lambda: 0.0)
    return RedisGate(url, base_url=BASE, token=Secret(token), **options)


def client(fake: FakeCircleCI, url: str, **options: Any) -> CircleCI:
    options.setdefault("sleep", Sleeps())
    return CircleCI(fake.token, base_url=fake.base_url, gate_url=url, **options)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:6379/0", "must start with redis://"),
        ("memcached://host", "must start with redis://"),
        ("127.0.0.1:6379", "must start with redis://"),
        ("redis://127.0.0.1:notaport/0", "bad port"),
        ("redis:///0", "names no host"),
        ("redis://127.0.0.1:6379/zero", "database must be a number"),
        ("", "must be a redis:// URL"),
        ("unix://", "names no socket path"),
        ("redis://:pw@127.0.0.1:6379/0?db=x", r"redis://:\*\*\*@127.0.0.1:6379/0\?db=x' is not"),
    ],
)
def test_a_bad_gate_url_is_a_configuration_error_at_construction(url: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        CircleCI("tok", gate_url=url)


def test_the_environment_variable_chooses_the_gate_and_the_key_hides_the_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CIRCLECI_GATE_URL", "redis://:hunter2@127.0.0.1:6399/3")
    circle = CircleCI("secret-token-value")
    shared = circle.core.gate
    assert isinstance(shared, RedisGate)
    assert "hunter2" not in repr(shared)
    assert "secret-token-value" not in gate_key(BASE, Secret("secret-token-value"))
    assert gate_key(BASE, Secret("a")) != gate_key(BASE, Secret("b"))
    assert gate_key(BASE, Secret("a")) != gate_key(BASE + "x", Secret("a"))
    monkeypatch.setenv("CIRCLECI_GATE_URL", "")
    assert not isinstance(CircleCI("tok").core.gate, RedisGate)
    monkeypatch.setenv("CIRCLECI_GATE_URL", "ftp://x")
    with pytest.raises(ConfigurationError, match="must start with redis://"):
        CircleCI("tok")


async def test_calls_go_through_the_shared_gate_and_leave_nothing_in_flight(
    fake: FakeCircleCI, redis_server: RedisServer, store: aioredis.Redis
) -> None:
    fake.faults.rate_limit_rps(1000)  # answers carry rate-limit headers
    async with client(fake, redis_server.url) as circle:
        for _ in range(5):
            await circle.users.me()
        shared = circle.core.gate
        assert isinstance(shared, RedisGate)
        assert shared.shared
    state = gate_key(fake.base_url, Secret(fake.token)) + ":state"
    assert await store.keys("*") == [state]  # the in-flight set is empty, so gone
    assert fake.token not in state
    assert float(await store.hget(state, "budget") or -1) >= 990
    assert 0 < await store.ttl(state) <= 3600


async def test_one_redis_round_trip_per_request_in_the_common_case(
    fake: FakeCircleCI, redis_server: RedisServer, store: aioredis.Redis
) -> None:
    fake.faults.rate_limit_rps(1000)
    await store.config_resetstat()
    async with client(fake, redis_server.url, max_concurrency=8) as circle:
        await asyncio.gather(*(circle.users.me() for _ in range(40)))
        for _ in range(10):
            await circle.users.me()
    stats = await store.info("commandstats")
    scripts = sum(stats.get(f"cmdstat_{name}", {}).get("calls", 0) for name in ("evalsha", "eval"))
    # releases and headers ride along with the next request (or a flush at most every 50 ms)
    assert 50 <= scripts <= 60


async def test_a_429_seen_by_one_client_pauses_another_that_never_saw_it(
    fake: FakeCircleCI, redis_server: RedisServer
) -> None:
    fake.faults.rate_limit(1, retry_after="30")
    patient = RetryPolicy(rate_limit_retries=0, budget=60)  # a 30 s pause is honoured whole
    quick = RetryPolicy(rate_limit_retries=0, budget=5, max_pause=60)  # would honour it
    async with (
        client(fake, redis_server.url, retry=patient) as first,
        client(fake, redis_server.url, retry=quick) as second,
    ):
        with pytest.raises(RateLimitError):
            await first.users.me()
        assert isinstance(first.core.gate, RedisGate)
        await first.core.gate.flush()
        sent = len(fake.requests)
        with pytest.raises(RateLimitError) as caught:
            await second.users.me()
    assert len(fake.requests) == sent  # the second client waited at the gate, sent nothing
    assert caught.value.retry_after is not None
    assert 25 < caught.value.retry_after <= 30


class RealSleeps(Sleeps):
    """Records each delay and really sleeps it."""

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(seconds)


async def test_a_pause_makes_other_gates_wait_it_out_on_the_servers_clock(
    redis_server: RedisServer,
) -> None:
    first, second = gate(redis_server.url), gate(redis_server.url)
    sleeps = RealSleeps()
    third = gate(redis_server.url, sleep=sleeps)
    try:
        await first.wait()
        first.finished()
        assert first.pause(0.2) == 0.2
        await first.flush()  # the pause is in Redis before the others ask
        with pytest.raises(GateTimeout) as caught:
            await second.wait(deadline=time.monotonic() + 0.01)
        assert 0.1 < caught.value.wait <= 0.2
        waited = await third.wait()
        assert 0.1 < sleeps.delays[0] <= 0.2
        assert waited >= sleeps.delays[0]
    finally:
        for shared in (first, second, third):
            await shared.aclose()


async def test_spent_budget_paces_every_gate_through_one_slot_schedule(
    redis_server: RedisServer,
) -> None:
    gates = [gate(redis_server.url) for _ in range(3)]
    try:
        gates[0].observe(RateLimitInfo(limit=10, remaining=0, reset=100))
        await gates[0].wait()  # carries the headers to Redis, takes the first slot
        for shared in gates[1:]:
            await shared.wait()
        delays = [g._pause_for.delays for g in gates]  # type: ignore[attr-defined]
        assert delays[0] == []
        assert 9 < delays[1][0] <= 10  # one slot every 10 s, shared by all three
        assert 19 < delays[2][0] <= 20
    finally:
        for shared in gates:
            await shared.aclose()


async def test_a_429_here_during_a_paced_wait_sends_the_request_back_to_the_gate(
    redis_server: RedisServer, store: aioredis.Redis
) -> None:
    class PausedWhileAsleep(Sleeps):
        async def __call__(self, seconds: float) -> None:
            self.delays.append(seconds)
            shared.pause(30)  # another task of this process meets a 429 meanwhile

    other = gate(redis_server.url)
    shared = gate(redis_server.url, sleep=PausedWhileAsleep())
    try:
        other.observe(RateLimitInfo(limit=10, remaining=0, reset=100))
        await other.wait()  # takes the slot now; the next one is 10 s away
        with pytest.raises(GateTimeout):
            await shared.wait(deadline=time.monotonic() + 20)
        inflight = gate_key(BASE, Secret("tok-1")) + ":inflight"
        assert await store.zcard(inflight) == 1  # only the other gate's request holds a lease
    finally:
        await other.aclose()
        await shared.aclose()


async def test_the_budget_expires_at_its_reset_and_an_epoch_reset_is_read_as_a_time(
    redis_server: RedisServer, store: aioredis.Redis
) -> None:
    shared = gate(redis_server.url)
    key = gate_key(BASE, Secret("tok-1")) + ":state"
    try:
        epoch = {"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "0"}
        epoch["X-RateLimit-Reset"] = str(int(time.time()) + 60)  # as CircleCI may send it
        shared.observe(parse_rate_limit(epoch))
        await shared.wait()
        shared.finished()
        now = float((await store.time())[0])
        until = float(await store.hget(key, "budget_until") or 0)
        assert now + 55 < until <= now + 61
        assert float(await store.hget(key, "spacing") or 0) == pytest.approx(6.0, abs=0.2)
        await store.hset(key, "budget_until", str(now - 1))  # the reset time has passed
        await shared.wait()
        sleeps = shared._pause_for
        assert isinstance(sleeps, Sleeps)
        assert sleeps.delays == []  # unpaced: the spent budget is gone
        assert await store.hget(key, "budget") is None
    finally:
        await shared.aclose()


async def test_a_reset_in_the_past_or_none_gives_an_unpaced_budget_for_a_minute(
    redis_server: RedisServer, store: aioredis.Redis
) -> None:
    shared = gate(redis_server.url)
    key = gate_key(BASE, Secret("tok-1")) + ":state"
    try:
        for reset in (str(int(time.time()) - 5), None):
            headers = {"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "0"}
            if reset is not None:
                headers["X-RateLimit-Reset"] = reset
            shared.observe(parse_rate_limit(headers))
            await shared.wait()
            shared.finished()
            now = float((await store.time())[0])
            assert float(await store.hget(key, "spacing") or -1) == 0
            assert now + 58 < float(await store.hget(key, "budget_until") or 0) <= now + 61
        sleeps = shared._pause_for
        assert isinstance(sleeps, Sleeps)
        assert sleeps.delays == []
    finally:
        await shared.aclose()


async def test_a_paced_slot_past_the_deadline_is_not_waited_for_nor_taken(
    redis_server: RedisServer, store: aioredis.Redis
) -> None:
    first, second = gate(redis_server.url), gate(redis_server.url)
    key = gate_key(BASE, Secret("tok-1")) + ":state"
    try:
        first.observe(RateLimitInfo(limit=10, remaining=0, reset=100))
        await first.wait()  # takes the slot now; the next is 10 s away
        slot = await store.hget(key, "next_slot")
        assert await second.wait(deadline=time.monotonic() + 1) == 0  # goes now, no 429 made up
        assert await store.hget(key, "next_slot") == slot
    finally:
        await first.aclose()
        await second.aclose()


async def test_a_crashed_process_lease_expires_and_a_live_one_counts_against_the_budget(
    redis_server: RedisServer, store: aioredis.Redis
) -> None:
    shared = gate(redis_server.url)
    inflight = gate_key(BASE, Secret("tok-1")) + ":inflight"
    state = gate_key(BASE, Secret("tok-1")) + ":state"
    try:
        await store.zadd(inflight, {"crashed-long-ago": 1.0, "alive-elsewhere": 4e9})
        shared.observe(RateLimitInfo(limit=10, remaining=5, reset=10))
        await shared.wait()
        members = set(await store.zrange(inflight, 0, -1))
        assert "crashed-long-ago" not in members
        assert "alive-elsewhere" in members
        # 5 remaining - 1 live request elsewhere = 4, less the one just let through = 3
        assert float(await store.hget(state, "budget") or 0) == 3
        shared.finished()
    finally:
        await shared.aclose()
    assert set(await store.zrange(inflight, 0, -1)) == {"alive-elsewhere"}


async def test_redis_stopped_mid_run_the_client_carries_on_and_says_so_once(
    fake: FakeCircleCI, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="circleci_async")
    async with client(fake, redis_server.url) as circle:
        for _ in range(3):
            await circle.users.me()
        redis_server.stop()
        for _ in range(5):
            await circle.users.me()
        shared = circle.core.gate
        assert isinstance(shared, RedisGate)
        assert not shared.shared
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "carries on with its own in-process gate" in warnings[0].getMessage()
    assert redis_server.url in warnings[0].getMessage()


async def test_redis_refusing_the_password_warns_once_without_it_and_never_hangs(
    fake: FakeCircleCI,
    tmp_path_factory: pytest.TempPathFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from .redis_helpers import running_redis

    caplog.set_level(logging.WARNING, logger="circleci_async")
    with running_redis(tmp_path_factory.mktemp("redis"), password="right") as server:
        wrong = f"redis://:wrong-password@127.0.0.1:{server.port}/0"
        started = time.monotonic()
        async with client(fake, wrong) as circle:
            for _ in range(3):
                await circle.users.me()
        assert time.monotonic() - started < 5
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(messages) == 1
    assert "Redis refused the credentials" in messages[0]
    assert "wrong-password" not in messages[0]


async def test_an_unreachable_redis_costs_one_bounded_attempt_then_reconnects_later(
    fake: FakeCircleCI, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="circleci_async")
    now = [0.0]
    dead = "redis://127.0.0.1:1/0"
    async with client(fake, dead, clock=lambda: now[0]) as circle:
        shared = circle.core.gate
        assert isinstance(shared, RedisGate)
        await circle.users.me()
        await circle.users.me()
        assert shared.fallbacks == 1  # the second call did not try Redis again
        now[0] += 31
        await circle.users.me()
        assert shared.fallbacks == 2
    assert sum(r.levelno == logging.WARNING for r in caplog.records) == 1


def test_without_the_extras_the_core_works_and_gate_url_says_what_to_install() -> None:
    code = (
        "import sys\n"
        "sys.modules['redis'] = None\n"
        "sys.modules['distributed'] = None\n"
        "import circleci_async, circleci_async.cli, circleci_async.artifacts\n"
        "from circleci_async import CircleCI\n"
        "assert type(CircleCI('tok').core.gate).__name__ == 'RateLimitGate'\n"
        "try:\n"
        "    CircleCI('tok', gate_url='redis://127.0.0.1:6379/0')\n"
        "except circleci_async.ConfigurationError as error:\n"
        "    print(error)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "pip install 'circleci-async[redis]'" in done.stdout
