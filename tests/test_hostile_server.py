"""A faulty or hostile server: bounded time, a gate that recovers, walks that end (issue 10).

Each test names the figure it pins: requests sent, seconds of virtual time, or both.
"""

from __future__ import annotations

import asyncio
import errno
import time as wall
import traceback

import aiohttp
import pytest
from aiohttp import web

from circleci_async import CircleCI, RetryPolicy
from circleci_async.errors import (
    AuthenticationError,
    CircleCIError,
    PaginationError,
    RateLimitError,
    ResponseTooLargeError,
    ServerError,
    TransportError,
)
from circleci_async.pagination import MAX_EMPTY_PAGES
from circleci_async.services.users import GET_CURRENT_USER
from circleci_async.session import TransportCause
from circleci_async.testing import FakeCircleCI

from .clock import SteppingClock, VirtualTime
from .scripted import scripted_server

SLUG = "gh/acme/widgets"
SECRET = "tok-" + "s3cr3t" * 6


def virtual_client(
    fake: FakeCircleCI, time: VirtualTime | SteppingClock, **options: object
) -> CircleCI:
    return CircleCI(
        fake.token,
        base_url=fake.base_url,
        clock=time,
        sleep=time.sleep,
        random=lambda: 0.0,
        **options,  # type: ignore[arg-type]
    )


async def calls(time: VirtualTime, circle: CircleCI, count: int) -> None:
    async def run() -> None:
        for _ in range(count):
            await circle.users.me()

    await time.run(run())


# --- the gate recovers ------------------------------------------------------------------


async def test_a_429_with_only_remaining_and_reset_paces_for_one_second_not_for_life(
    fake: FakeCircleCI,
) -> None:
    fake.faults.error(
        429, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1"}, content_type=None
    )
    time = VirtualTime(start=0.0)
    async with virtual_client(fake, time) as circle:
        await calls(time, circle, 50)
        assert circle.core.requests_sent == 51
    # Before: 49 s at 1 request a second. Now: the pause of 1 s, then unpaced.
    assert time.now == pytest.approx(1.0)


async def test_a_spent_budget_from_a_success_expires_at_its_reset(fake: FakeCircleCI) -> None:
    fake.faults.headers(
        {"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "10"}
    )
    time = VirtualTime(start=0.0)
    async with virtual_client(fake, time) as circle:
        await calls(time, circle, 200)
        assert circle.core.requests_sent == 200
    # Before: 19.9 s (paced at 10/s for ever). Now: paced only until the reset at 10 s.
    assert time.now == pytest.approx(10.0, abs=0.2)


async def test_an_epoch_reset_is_a_time_not_a_fifty_year_pause(fake: FakeCircleCI) -> None:
    fake.faults.headers(
        {"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "5"},
        epoch_reset=True,
    )
    assert int(fake.faults.pending) == 1
    time = VirtualTime(start=0.0)
    async with virtual_client(fake, time) as circle:
        await calls(time, circle, 30)
    assert time.now <= 6.0


async def test_a_day_long_retry_after_fails_that_call_and_the_gate_reopens_after_the_cap(
    fake: FakeCircleCI,
) -> None:
    fake.faults.rate_limit(1, retry_after="86400")
    time = VirtualTime(start=0.0)
    async with virtual_client(fake, time, retry=RetryPolicy(budget=60.0)) as circle:
        with pytest.raises(RateLimitError) as caught:
            await time.run(circle.users.me())
        assert caught.value.retry_after == 86400.0
        assert time.now == 0.0
        # Another call that cannot wait 60 s fails at once, with the server's figure.
        short = RetryPolicy(budget=10.0)
        with pytest.raises(RateLimitError) as closed:
            await time.run(circle.core.request(GET_CURRENT_USER, retry=short))
        assert closed.value.retry_after == pytest.approx(86400.0)
        assert circle.core.requests_sent == 1
        # One that can wait is let through when the cap of 60 s has passed.
        time.now += 5.0
        await time.run(circle.users.me())
        assert time.now == pytest.approx(60.0, abs=0.3)
        assert circle.core.requests_sent == 2


async def test_a_spent_budget_with_a_day_long_reset_never_invents_a_429(fake: FakeCircleCI) -> None:
    fake.faults.headers(
        {"X-RateLimit-Limit": "1", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "86400"},
        times=3,
    )
    time = VirtualTime(start=0.0)
    async with virtual_client(fake, time) as circle:
        await calls(time, circle, 3)
        assert circle.core.requests_sent == 3


async def test_an_artifact_asking_for_a_day_fails_at_once(
    fake: FakeCircleCI, tmp_path: object
) -> None:
    pipeline = fake.state.add_pipeline(SLUG)
    workflow = fake.state.add_workflow(pipeline.id)
    job = fake.state.add_job(workflow.id, name="build")
    assert job.number is not None
    fake.state.add_artifact(SLUG, job.number, "a.txt", b"hello")
    fake.faults.error(503, headers={"Retry-After": "86400"}, origin="storage")
    time = SteppingClock(start=0.0)
    async with virtual_client(fake, time, artifact_hosts=["localhost"]) as circle:
        report = await circle.artifacts.download_job(SLUG, job.number, str(tmp_path))
    assert not report.ok
    assert isinstance(report.files[0].error, ServerError)
    # Before: 259,200 s of sleep (3 x 86,400). Now: none.
    assert time.sleeps == []


# --- one retry decision -----------------------------------------------------------------


async def test_an_api_503_with_retry_after_waits_that_long(fake: FakeCircleCI) -> None:
    fake.faults.error(503, headers={"Retry-After": "7"})
    time = SteppingClock(start=0.0)
    async with virtual_client(fake, time) as circle:
        await circle.users.me()
    # Before: retried after 0.25 s of jitter.
    assert time.sleeps == [7.0]


async def test_downloads_count_429s_apart_from_failures_like_api_calls(
    fake: FakeCircleCI, tmp_path: object
) -> None:
    pipeline = fake.state.add_pipeline(SLUG)
    workflow = fake.state.add_workflow(pipeline.id)
    job = fake.state.add_job(workflow.id, name="build")
    assert job.number is not None
    fake.state.add_artifact(SLUG, job.number, "a.txt", b"hello")
    fake.faults.rate_limit(5, retry_after="1", origin="storage")
    time = SteppingClock(start=0.0)
    async with virtual_client(fake, time, artifact_hosts=["localhost"]) as circle:
        report = await circle.artifacts.download_job(SLUG, job.number, str(tmp_path))
    # Before: failed after the fourth 429 (429s used up `attempts`).
    assert report.ok
    assert time.sleeps == [1.0] * 5


# --- walks end --------------------------------------------------------------------------


@pytest.mark.parametrize("walk", ["first", "take", "collect"])
async def test_endless_empty_pages_end_the_walk(fake: FakeCircleCI, walk: str) -> None:
    fake.faults.endless_pages(operation="listMyPipelines")
    async with CircleCI(fake.token, base_url=fake.base_url) as circle:
        paginator = circle.pipelines.mine(SLUG)

        async def start() -> object:
            if walk == "first":
                return await paginator.first()
            if walk == "take":
                return await paginator.take(1)
            return await paginator.collect(limit=10)

        with pytest.raises(PaginationError, match="no items"):
            await start()
        assert circle.core.requests_sent == MAX_EMPTY_PAGES


async def test_an_offset_page_equal_to_the_one_before_ends_the_walk(fake: FakeCircleCI) -> None:
    fake.page_size = 2
    org = fake.state.add_organization("rockets")
    async with CircleCI(fake.token, base_url=fake.base_url) as circle:
        for _ in range(3):
            await circle.policies.decide(org.id, "config", input="jobs: {}")
        fake.faults.ignore_query("offset", operation="GetDecisionLogs")
        with pytest.raises(PaginationError, match="ignores the offset"):
            await circle.policies.decision_logs(org.id, "config").collect()
        sent = [r for r in fake.requests if r.operation_id == "GetDecisionLogs"]
        assert len(sent) == 2


# --- the budget is a deadline -----------------------------------------------------------


async def test_a_hung_get_fails_within_its_budget(fake: FakeCircleCI) -> None:
    fake.faults.delay(30.0, times=4)
    started = wall.monotonic()
    async with CircleCI(
        fake.token, base_url=fake.base_url, timeout=60.0, retry=RetryPolicy(budget=0.5)
    ) as circle:
        with pytest.raises(TransportError):
            await circle.users.me()
        assert circle.core.requests_sent == 1
    # Before: 4 x 60 s. The bound is loose on purpose (a loaded machine); 60 s is the figure.
    assert wall.monotonic() - started < 10.0


async def test_a_timed_out_attempt_leaves_no_cancellation_on_the_callers_task(
    fake: FakeCircleCI,
) -> None:
    # aiohttp before 3.10.8 left the timeout's cancel() counted on the task (aiohttp #9326):
    # the caller's own asyncio.timeout() and TaskGroups would then misread later cancellations.
    fake.faults.delay(30.0, times=1)
    task = asyncio.current_task()
    assert task is not None
    async with CircleCI(
        fake.token, base_url=fake.base_url, timeout=0.2, retry=RetryPolicy(budget=10.0)
    ) as circle:
        me = await circle.users.me()
        assert me.id is not None
        assert circle.core.requests_sent >= 2  # the first attempt timed out
    assert task.cancelling() == 0


# --- bounded reads ----------------------------------------------------------------------


@pytest.mark.parametrize("bomb", [False, True])
async def test_an_answer_over_the_cap_stops_reading_and_is_not_retried(
    fake: FakeCircleCI, bomb: bool
) -> None:
    fake.faults.oversized(8 << 20, gzip_bomb=bomb, times=3)
    async with CircleCI(fake.token, base_url=fake.base_url, max_response_bytes=1 << 20) as circle:
        with pytest.raises(ResponseTooLargeError) as caught:
            await circle.users.me()
        assert circle.core.requests_sent == 1
    assert caught.value.limit == 1 << 20
    assert caught.value.received <= (1 << 20) + (256 << 10)
    assert "larger than the limit of 1048576 bytes" in str(caught.value)


async def test_a_huge_error_body_is_read_only_up_to_its_cap(fake: FakeCircleCI) -> None:
    fake.faults.oversized(64 << 20, status=404, times=1)
    async with CircleCI(fake.token, base_url=fake.base_url) as circle:
        with pytest.raises(CircleCIError) as caught:
            await circle.users.me()
    assert getattr(caught.value, "status", None) == 404
    assert len(str(caught.value)) < 1000


async def test_a_quadratic_html_page_yields_its_message_fast(fake: FakeCircleCI) -> None:
    fake.faults.hostile_html(502, times=4)
    time = SteppingClock(start=0.0)
    started = wall.monotonic()
    async with virtual_client(fake, time) as circle:
        with pytest.raises(ServerError) as caught:
            await circle.users.me()
        assert circle.core.requests_sent == 4
    assert caught.value.status == 502
    # Before: 16.6 s to parse each page (64-78 s across the retries).
    assert wall.monotonic() - started < 10.0


# --- secrets and misuse -----------------------------------------------------------------


async def test_a_transport_error_traceback_with_locals_never_shows_the_token() -> None:
    async with scripted_server(_never) as url:
        dead = url
    async with CircleCI(SECRET, base_url=dead, retry=RetryPolicy.never()) as circle:
        with pytest.raises(TransportError) as caught:
            await circle.users.me()
    error = caught.value
    assert error.__cause__ is not None
    assert error.__context__ is None
    shown = "".join(
        traceback.TracebackException.from_exception(error, capture_locals=True).format()
    )
    assert SECRET not in shown
    assert "cannot connect" in shown


async def test_server_text_echoing_the_token_is_redacted() -> None:
    token = "tok-" + "ab12" * 8

    async def echo(request: web.Request) -> web.StreamResponse:
        sent = request.headers.get("Circle-Token", "")
        return web.json_response({"message": f"token {sent} is not valid"}, status=401)

    async with scripted_server(echo) as url, CircleCI(token, base_url=url) as circle:
        with pytest.raises(AuthenticationError) as caught:
            await circle.users.me()
    assert token not in str(caught.value)
    assert "token *** is not valid" in str(caught.value)


def test_a_client_used_from_a_second_event_loop_says_so() -> None:
    async def first() -> CircleCI:
        async with FakeCircleCI() as fake, CircleCI(fake.token, base_url=fake.base_url) as circle:
            await circle.users.me()
            return circle

    circle = asyncio.run(first())
    with pytest.raises(CircleCIError, match="another event loop"):
        asyncio.run(circle.users.me())


async def _never(request: web.Request) -> web.StreamResponse:
    return web.Response(status=500)


async def test_too_many_open_files_fails_an_api_call_at_once(fake: FakeCircleCI) -> None:
    time = SteppingClock(start=0.0)
    async with virtual_client(fake, time) as circle:
        session = circle.core.http()
        tries = 0

        def exhausted(*args: object, **kwargs: object) -> object:
            nonlocal tries
            tries += 1
            raise aiohttp.ClientOSError(errno.EMFILE, "Too many open files")

        session.request = exhausted  # type: ignore[method-assign,assignment]
        with pytest.raises(TransportError, match="local resources exhausted") as caught:
            await circle.users.me()
    # Before: sent four times (retried like a broken connection).
    assert tries == 1
    assert time.sleeps == []
    cause = caught.value.__cause__
    assert isinstance(cause, TransportCause)
    assert cause.errno == errno.EMFILE
