"""One arithmetic: the same headers and pauses, run through the in-process gate and through the
Redis gate on a real redis-server, give the same waits (a table of cases, then Hypothesis)."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from circleci_async.gate import GateTimeout, RateLimitGate
from circleci_async.redis_gate import RedisGate
from circleci_async.secret import Secret
from circleci_async.wire import RateLimitInfo

from .redis_helpers import RedisServer

pytestmark = pytest.mark.slow

BASE = "https://circleci.example/api/v2"
CALLS = 8


class FakeTime:
    """A clock and a sleep for the in-process gate: sleeping moves the clock."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.delays: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.delays.append(seconds)
        self.now += seconds


class Stop(Exception):
    """Raised by `FirstSleep`: the first wait is what the test compares."""


class FirstSleep:
    """Records the first delay asked for and stops the caller there."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        raise Stop


class Sleeps:
    """Records each delay and returns at once (Redis's clock does not move with it)."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def redis_gate(url: str, token: str, **options: object) -> RedisGate:
    options.setdefault("random", lambda: 0.0)
    return RedisGate(url, base_url=BASE, token=Secret(token), **options)  # type: ignore[arg-type]


async def local_sends(info: RateLimitInfo) -> list[float]:
    """When each of `CALLS` sequential requests goes, in seconds from the first."""
    fake = FakeTime()
    gate = RateLimitGate(clock=fake, sleep=fake.sleep, random=lambda: 0.0)
    start = fake.now
    gate.observe(info)
    sends = []
    for _ in range(CALLS):
        await gate.wait()
        sends.append(fake.now - start)
        gate.finished()
    return sends


async def shared_sends(url: str, info: RateLimitInfo) -> tuple[list[float], float]:
    """The same through the Redis gate: each wait is its slot's distance from Redis's now.

    Also the real seconds the calls took: Redis's clock ran on by that much meanwhile.
    """
    gate = redis_gate(url, uuid.uuid4().hex, sleep=Sleeps())
    try:
        started = time.monotonic()
        gate.observe(info)
        sends = []
        for _ in range(CALLS):
            sends.append(await gate.wait())
            gate.finished()
        return sends, time.monotonic() - started
    finally:
        await gate.aclose()


def alike(shared: list[float], local: list[float], drift: float) -> bool:
    """Equal, but for Redis's clock having moved on by up to `drift` (and 50 ms of rounding)."""
    pairs = zip(shared, local, strict=True)
    return all(near - drift - 0.05 <= far <= near + 0.05 for far, near in pairs)


HEADER_CASES = [
    RateLimitInfo(limit=0, remaining=5, reset=10),  # main: in-process 2.0 s apart, Lua 10 s
    RateLimitInfo(limit=10, remaining=0, reset=100),
    RateLimitInfo(limit=None, remaining=0, reset=30),
    RateLimitInfo(limit=5, remaining=0, reset=0),
    RateLimitInfo(limit=100, remaining=2, reset=5),
    RateLimitInfo(limit=3, remaining=1, reset=None),
    RateLimitInfo(limit=0, remaining=0, reset=4),
]


@pytest.mark.parametrize("info", HEADER_CASES, ids=repr)
async def test_both_gates_space_requests_alike(
    redis_server: RedisServer, info: RateLimitInfo
) -> None:
    local = await local_sends(info)
    shared, drift = await shared_sends(redis_server.url, info)
    assert alike(shared, local, drift), (local, shared)


async def test_a_limit_of_zero_spaces_by_remaining_in_both_gates(redis_server: RedisServer) -> None:
    info = RateLimitInfo(limit=0, remaining=5, reset=10)
    expected = [0, 0, 0, 0, 0, 0, 2.0, 4.0]  # five go at once, then 10 s / 5 apart
    assert await local_sends(info) == pytest.approx(expected)
    shared, drift = await shared_sends(redis_server.url, info)
    assert alike(shared, expected, drift), shared


PAUSE_CASES = [
    # (the server's wait, the reader's max_pause, the reader's deadline from now)
    (600.0, 5.0, 20.0),
    (30.0, 60.0, 5.0),
    (30.0, 60.0, 40.0),
    (3.0, 600.0, 10.0),
    (8.0, 8.0, None),
]


async def local_pause(
    seconds: float, max_pause: float, deadline: float | None
) -> tuple[str, float]:
    fake = FakeTime()
    gate = RateLimitGate(clock=fake, sleep=FirstSleep(), random=lambda: 0.0, max_pause=max_pause)
    gate.pause(seconds)
    return await outcome(gate, None if deadline is None else fake.now + deadline)


async def shared_pause(
    url: str, seconds: float, max_pause: float, deadline: float | None
) -> tuple[tuple[str, float], float]:
    token = uuid.uuid4().hex
    writer = redis_gate(url, token, sleep=Sleeps(), max_pause=600.0)
    reader = redis_gate(url, token, sleep=FirstSleep(), max_pause=max_pause)
    try:
        started = time.monotonic()
        writer.pause(seconds)
        await writer.flush()
        now = time.monotonic()
        result = await outcome(reader, None if deadline is None else now + deadline)
        return result, time.monotonic() - started
    finally:
        await writer.aclose()
        await reader.aclose()


async def outcome(gate: RateLimitGate, deadline: float | None) -> tuple[str, float]:
    """("refused", the server's wait) or ("waits", the first delay)."""
    try:
        await gate.wait(deadline)
    except GateTimeout as exc:
        return ("refused", exc.server_wait)
    except Stop:
        sleep = gate._pause_for if isinstance(gate, RedisGate) else gate._sleep
        assert isinstance(sleep, FirstSleep)
        return ("waits", sleep.delays[0])
    return ("goes", 0.0)


@pytest.mark.parametrize(("seconds", "max_pause", "deadline"), PAUSE_CASES)
async def test_both_gates_read_a_pause_alike(
    redis_server: RedisServer, seconds: float, max_pause: float, deadline: float | None
) -> None:
    local = await local_pause(seconds, max_pause, deadline)
    shared, drift = await shared_pause(redis_server.url, seconds, max_pause, deadline)
    assert shared[0] == local[0]
    assert alike([shared[1]], [local[1]], drift), (local, shared)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    seconds=st.floats(1, 1000),
    max_pause=st.floats(1, 700),
    deadline=st.none() | st.floats(1, 1200),
)
def test_any_pause_reads_the_same_in_both_gates(
    redis_server: RedisServer, seconds: float, max_pause: float, deadline: float | None
) -> None:
    span = min(seconds, max_pause)
    assume(deadline is None or abs(span - deadline) > 1)  # no race with Redis's moving clock

    async def both() -> tuple[tuple[str, float], tuple[tuple[str, float], float]]:
        local = await local_pause(seconds, max_pause, deadline)
        return local, await shared_pause(redis_server.url, seconds, max_pause, deadline)

    local, (shared, drift) = asyncio.run(both())
    assert shared[0] == local[0], (seconds, max_pause, deadline)
    assert alike([shared[1]], [local[1]], drift), (local, shared)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    limit=st.none() | st.just(0) | st.integers(0, 100),  # 0 and None: the edges
    remaining=st.integers(0, 6),
    reset=st.none()
    | st.integers(0, 120)
    | st.floats(0.5, 60, allow_nan=False).map(lambda x: round(x, 2)),
)
def test_any_headers_give_the_same_waits_in_both_gates(
    redis_server: RedisServer, limit: int | None, remaining: int, reset: float | None
) -> None:
    info = RateLimitInfo(limit=limit, remaining=remaining, reset=reset)

    async def both() -> tuple[list[float], tuple[list[float], float]]:
        return await local_sends(info), await shared_sends(redis_server.url, info)

    local, (shared, drift) = asyncio.run(both())
    assert alike(shared, local, drift), (info, local, shared)
