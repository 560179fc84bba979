"""API calls and artifact downloads have separate connection budgets; a wait is before-send.

A harvest of 40 large files whose storage answers are held open must not delay `users.me()`
or `pipelines.trigger()`: downloads have their own pool (and the harvest its own workers),
so the API's pool and semaphore stay free. And a POST that times out while waiting for a
pooled connection never left: it is retried (within its budget) and reported as not sent.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from circleci_async import CircleCI, RetryPolicy, TransportError
from circleci_async.models import PipelineCreation
from circleci_async.session import sent_tracking

from .artifacts_helpers import SLUG, Sleeps, add_job, client
from .conftest import FakeFactory

MIB = 1 << 20
FILES = 40
CALLS = 8
"""`users.me()` calls at once: more than the idle API connections the listing left behind
(aiohttp reuses an idle connection even when its pool is full)."""
BOUND = 10.0
"""Seconds an API call may take during the harvest; it answers in milliseconds when unblocked
and waits for ever (the client's 60 s timeout) when it has no connection."""


class Held:
    """A sleep for the fake's `delay` fault that holds each answer until released."""

    def __init__(self, enough: int) -> None:
        self.release = asyncio.Event()
        self.arrived = asyncio.Event()
        self.held = 0
        self._enough = enough

    async def __call__(self, seconds: float) -> None:
        self.held += 1
        if self.held >= self._enough:
            self.arrived.set()
        await self.release.wait()


async def test_a_harvest_of_slow_large_files_never_delays_api_calls(
    fake_factory: FakeFactory, tmp_path: Path
) -> None:
    held = Held(enough=32)
    """32: today's shared pool (the client's default `max_concurrency`) is full by then."""
    fake = await fake_factory(sleep=held)
    number = add_job(fake)
    for index in range(FILES):
        fake.state.add_artifact(SLUG, number, f"dist/big-{index}.bin", size=4 * MIB)
    fake.faults.delay(60.0, times=FILES, origin="storage")
    async with client(fake) as circle:
        harvest = asyncio.create_task(
            circle.artifacts.download_job(SLUG, number, tmp_path, concurrency=FILES)
        )
        await asyncio.wait_for(held.arrived.wait(), 60)
        calls = asyncio.gather(
            asyncio.gather(*(circle.users.me() for _ in range(CALLS))),
            circle.pipelines.trigger(SLUG, branch="main"),
        )
        users, created = await asyncio.wait_for(calls, BOUND)
        held.release.set()
        report = await harvest
        api, downloads = circle.core.http(), circle.core.downloads()
        assert api.connector is not downloads.connector
    assert api.closed
    assert downloads.closed
    assert all(user.login for user in users)
    assert isinstance(created, PipelineCreation)
    assert created.id
    assert report.downloaded == FILES
    assert held.held == FILES
    posts = [r for r in fake.requests if r.operation_id == "triggerPipeline"]
    assert [r.status for r in posts] == [201]


async def test_a_post_that_waited_for_a_connection_is_retried_and_reported_not_sent(
    fake_factory: FakeFactory,
) -> None:
    """A caller's session of one connection, held by another GET: the POST never gets one."""
    held = Held(enough=1)
    fake = await fake_factory(sleep=held)
    add_job(fake)
    fake.faults.delay(60.0, operation="getCurrentUser")
    connector = aiohttp.TCPConnector(limit=1)
    async with aiohttp.ClientSession(connector=connector, trace_configs=[sent_tracking()]) as http:
        circle = CircleCI(
            fake.token,
            base_url=fake.base_url,
            session=http,
            timeout=aiohttp.ClientTimeout(total=0.05),
            retry=RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.01),
            sleep=Sleeps(),
        )
        async with circle:
            holding = asyncio.create_task(
                http.get(f"{fake.base_url}/me", headers={"Circle-Token": fake.token})
            )
            await asyncio.wait_for(held.arrived.wait(), 60)
            with pytest.raises(TransportError) as caught:
                await circle.pipelines.trigger(SLUG, branch="main")
            held.release.set()
            (await holding).release()
    assert "not sent" in str(caught.value)
    assert "after sending" not in str(caught.value)
    assert [r.method for r in fake.requests] == ["GET"]
    assert circle.core.requests_sent == 3
    """The POST, tried three times: each waited for the held connection, none was written."""
