"""The client against the fake CircleCI server over loopback: services, paging and faults."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from circleci_async import (
    AuthenticationError,
    BadRequestError,
    CircleCI,
    NotFoundError,
    PaginationError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    TransportError,
)
from circleci_async.models import JobStatus, PipelineCreation, PipelineState, WorkflowStatus
from circleci_async.testing import FakeCircleCI

from .clock import SteppingClock
from .conftest import FakeFactory

SLUG = "gh/acme/rocket"


@pytest_asyncio.fixture
async def stepping() -> SteppingClock:
    return SteppingClock()


@pytest_asyncio.fixture
async def circle(fake: FakeCircleCI, stepping: SteppingClock) -> AsyncIterator[CircleCI]:
    """A client on `fake` whose waits are recorded, not slept."""
    async with CircleCI(
        fake.token,
        base_url=fake.base_url,
        clock=stepping,
        sleep=stepping.sleep,
        random=lambda: 0.5,
    ) as client:
        yield client


def on_virtual_time(fake: FakeCircleCI, clock: SteppingClock, max_concurrency: int) -> CircleCI:
    """A client on `fake` that shares its virtual clock: its waits move the fake's time."""
    return CircleCI(
        fake.token,
        base_url=fake.base_url,
        max_concurrency=max_concurrency,
        clock=clock,
        sleep=clock.sleep,
        random=lambda: 0.5,
    )


def api_requests(fake: FakeCircleCI, operation: str) -> int:
    return sum(1 for r in fake.requests if r.operation_id == operation)


async def test_every_core_method_decodes_what_the_fake_sends(
    fake: FakeCircleCI, circle: CircleCI
) -> None:
    pipeline = fake.state.add_pipeline(SLUG, branch="main", parameters={"deploy": True})
    workflow = fake.state.add_workflow(pipeline.id, status="failed")
    job = fake.state.add_job(workflow.id, name="unit", status="failed")
    queued = fake.state.add_job(workflow.id, name="later", status="queued")
    assert job.number is not None
    fake.state.add_artifact(SLUG, job.number, "reports/junit.xml", b"<xml/>")
    fake.state.add_test(SLUG, job.number, name="test_x", result="failure")

    me = await circle.users.me()
    assert me.login == fake.state.user.login
    project = await circle.projects.get(SLUG)
    assert project.slug == SLUG
    got = await circle.pipelines.get(pipeline.id)
    assert got.id == pipeline.id
    assert got.trigger_parameters == {"deploy": True}
    listed = await circle.pipelines.list(SLUG, branch="main").collect()
    assert [p.id for p in listed] == [pipeline.id]
    workflows = await circle.pipelines.workflows(pipeline.id).collect()
    assert [(w.id, w.status) for w in workflows] == [(workflow.id, WorkflowStatus.FAILED)]
    assert (await circle.workflows.get(workflow.id)).name == workflow.name
    jobs = {j.name: j for j in await circle.workflows.jobs(workflow.id).collect()}
    assert jobs["unit"].status is JobStatus.FAILED
    assert jobs["later"].started_at is None
    assert queued.number is not None
    details = await circle.jobs.get(SLUG, job.number)
    assert details.number == job.number
    artifacts = await circle.jobs.artifacts(SLUG, job.number).collect()
    assert [a.path for a in artifacts] == ["reports/junit.xml"]
    tests = await circle.jobs.tests(SLUG, job.number).collect()
    assert [(t.name, t.result) for t in tests] == [("test_x", "failure")]
    created = await circle.pipelines.trigger(SLUG, branch="dev", parameters={"n": 1})
    assert isinstance(created, PipelineCreation)
    assert created.state in set(PipelineState)
    newest = await circle.pipelines.list(SLUG).first()
    assert newest is not None
    assert newest.id == created.id


async def test_a_walk_of_a_thousand_items_over_many_pages(
    fake_factory: FakeFactory,
) -> None:
    fake = await fake_factory(page_size=25)
    for _ in range(1030):
        fake.state.add_pipeline(SLUG)
    async with CircleCI(fake.token, base_url=fake.base_url) as circle:
        numbers = [p.number async for p in circle.pipelines.list(SLUG)]
        assert numbers == list(range(1030, 0, -1))
        assert api_requests(fake, "listPipelinesForProject") == 42
        pages = circle.pipelines.list(SLUG).pages()
        first = await anext(pages)
        assert len(first.items) == 25
        assert first.next_page_token
        resumed = await circle.pipelines.list(SLUG, page_token=first.next_page_token).take(3)
        assert [p.number for p in resumed] == [1005, 1004, 1003]


async def test_fifty_tasks_share_one_pause_on_a_429(fake_factory: FakeFactory) -> None:
    clock = SteppingClock()
    fake = await fake_factory(clock=clock)
    pipelines = [fake.state.add_pipeline(SLUG) for _ in range(50)]
    fake.faults.throttle(1.0, operation="getPipelineById")
    async with on_virtual_time(fake, clock, max_concurrency=50) as circle:
        got = await asyncio.gather(*(circle.pipelines.get(p.id) for p in pipelines))
    assert [p.id for p in got] == [p.id for p in pipelines]
    [(_, end)] = fake.faults.throttle_windows
    calls = [r for r in fake.requests if r.operation_id == "getPipelineById"]
    limited = [r for r in calls if r.status == 429]
    assert limited, "the throttle window never answered 429"
    assert circle.core.gate.pauses >= 1
    # Each task's first request may land in the window; none sends again before it ends.
    paths = [r.path for r in calls if r.received_at < end]
    assert len(paths) == len(set(paths)), "a task sent a new request inside the window"
    assert all(r.status == 200 for r in calls if r.received_at >= end)
    assert len(calls) == 50 + len(limited)


async def test_a_post_answered_500_is_sent_once(fake: FakeCircleCI, circle: CircleCI) -> None:
    fake.state.add_project(SLUG)
    # One fault only: a second attempt would succeed and leave a pipeline behind.
    fake.faults.error(500, times=1, operation="triggerPipeline")
    with pytest.raises(ServerError) as caught:
        await circle.pipelines.trigger(SLUG, branch="main")
    assert caught.value.status == 500
    assert caught.value.method == "POST"
    assert api_requests(fake, "triggerPipeline") == 1
    assert [p async for p in circle.pipelines.list(SLUG)] == []


async def test_a_post_can_opt_into_retries(
    fake: FakeCircleCI, circle: CircleCI, stepping: SteppingClock
) -> None:
    fake.state.add_project(SLUG)
    fake.faults.error(502, times=1, operation="triggerPipeline")
    created = await circle.pipelines.trigger(SLUG, idempotent=True)
    assert isinstance(created, PipelineCreation)
    assert created.number == 1
    assert api_requests(fake, "triggerPipeline") == 2
    assert len(stepping.sleeps) == 1


async def test_a_post_answered_429_then_201_succeeds(
    fake: FakeCircleCI, circle: CircleCI, stepping: SteppingClock
) -> None:
    fake.state.add_project(SLUG)
    fake.faults.rate_limit(1, retry_after="2", operation="triggerPipeline")
    created = await circle.pipelines.trigger(SLUG)
    assert isinstance(created, PipelineCreation)
    assert created.number == 1
    assert api_requests(fake, "triggerPipeline") == 2
    assert sum(stepping.sleeps) >= 2.0


async def test_an_http_date_retry_after_is_honoured(
    fake: FakeCircleCI, circle: CircleCI, stepping: SteppingClock
) -> None:
    when = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    fake.faults.rate_limit(1, retry_after=when, operation="getCurrentUser")
    await circle.users.me()
    assert 28.0 <= sum(stepping.sleeps) <= 31.0


async def test_a_plain_text_429_that_outlasts_the_policy(fake: FakeCircleCI) -> None:
    fake.faults.rate_limit(5, plain_text=True, retry_after="7")
    clock = SteppingClock()
    async with CircleCI(
        fake.token,
        base_url=fake.base_url,
        retry=RetryPolicy(rate_limit_retries=2),
        clock=clock,
        sleep=clock.sleep,
    ) as circle:
        with pytest.raises(RateLimitError) as caught:
            await circle.users.me()
    assert caught.value.message == "Rate limited."
    assert caught.value.retry_after == 7.0
    assert api_requests(fake, "getCurrentUser") == 3


async def test_a_429_longer_than_the_budget_is_not_waited_for(fake: FakeCircleCI) -> None:
    fake.faults.rate_limit(1, retry_after="3600")
    clock = SteppingClock()
    async with CircleCI(
        fake.token,
        base_url=fake.base_url,
        retry=RetryPolicy(budget=60),
        clock=clock,
        sleep=clock.sleep,
    ) as circle:
        with pytest.raises(RateLimitError, match="Rate limit exceeded"):
            await circle.users.me()
    assert clock.sleeps == []


async def test_a_wrong_token_is_an_authentication_error(fake: FakeCircleCI) -> None:
    async with CircleCI("not-the-token", base_url=fake.base_url) as circle:
        with pytest.raises(AuthenticationError) as caught:
            await circle.users.me()
    assert caught.value.status == 401
    assert "log in" in caught.value.message
    assert "not-the-token" not in str(caught.value)


async def test_server_errors_on_a_get_are_retried_with_backoff(
    fake: FakeCircleCI, circle: CircleCI, stepping: SteppingClock
) -> None:
    fake.faults.error(503, times=2, body="", content_type=None)
    me = await circle.users.me()
    assert me.id == fake.state.user.id
    assert api_requests(fake, "getCurrentUser") == 3
    assert stepping.sleeps == [0.25, 0.5]


async def test_a_burst_longer_than_the_attempts_raises_with_the_pages_message(
    fake: FakeCircleCI, circle: CircleCI
) -> None:
    fake.faults.error(502, times=10, content_type="text/html")
    with pytest.raises(ServerError, match="502 Bad Gateway") as caught:
        await circle.users.me()
    assert api_requests(fake, "getCurrentUser") == 4
    assert caught.value.url == fake.base_url + "/me"


async def test_an_empty_error_body_still_says_something(fake: FakeCircleCI) -> None:
    fake.faults.error(404, body="", content_type=None)
    async with CircleCI(fake.token, base_url=fake.base_url) as circle:
        with pytest.raises(NotFoundError, match="empty response body"):
            await circle.users.me()


async def test_a_disconnect_mid_body_is_retried_on_a_get(
    fake: FakeCircleCI, circle: CircleCI
) -> None:
    fake.faults.disconnect(1, after_bytes=20, operation="getCurrentUser")
    assert (await circle.users.me()).id == fake.state.user.id
    assert api_requests(fake, "getCurrentUser") == 2


async def test_a_disconnect_after_a_post_is_not_retried(
    fake: FakeCircleCI, circle: CircleCI
) -> None:
    fake.state.add_project(SLUG)
    fake.faults.disconnect(1, after_bytes=5, operation="triggerPipeline")
    with pytest.raises(TransportError, match="after sending") as caught:
        await circle.pipelines.trigger(SLUG)
    assert caught.value.method == "POST"
    assert api_requests(fake, "triggerPipeline") == 1


async def test_a_refused_connection_is_a_transport_error() -> None:
    clock = SteppingClock()
    async with CircleCI(
        "t", base_url="http://127.0.0.1:9/api/v2", clock=clock, sleep=clock.sleep
    ) as circle:
        with pytest.raises(TransportError, match="cannot connect"):
            await circle.users.me()
    assert len(clock.sleeps) == 3


async def test_a_page_token_rejected_mid_walk(fake_factory: FakeFactory) -> None:
    fake = await fake_factory(page_size=10)
    for _ in range(35):
        fake.state.add_pipeline(SLUG)
    async with CircleCI(fake.token, base_url=fake.base_url) as circle:
        seen = 0

        async def walk() -> None:
            nonlocal seen
            async for _ in circle.pipelines.list(SLUG):
                seen += 1
                if seen == 15:
                    fake.faults.reject_page_tokens()

        with pytest.raises(PaginationError, match="rejected the page token of page 3") as caught:
            await walk()
        assert isinstance(caught.value.__cause__, BadRequestError)
        assert seen == 20


async def test_a_cycle_of_page_tokens_is_caught(fake_factory: FakeFactory) -> None:
    fake = await fake_factory(page_size=5)
    for _ in range(40):
        fake.state.add_pipeline(SLUG)
    fake.faults.cycle_page_tokens(after_pages=3)
    async with CircleCI(fake.token, base_url=fake.base_url) as circle:
        with pytest.raises(PaginationError, match="cyclic"):
            await circle.pipelines.list(SLUG).collect()
    assert api_requests(fake, "listPipelinesForProject") <= 4


async def test_an_unknown_pipeline_is_not_found(fake: FakeCircleCI, circle: CircleCI) -> None:
    with pytest.raises(NotFoundError) as caught:
        await circle.pipelines.get("5b0a7c2e-0000-4000-8000-000000000000")
    assert caught.value.status == 404
    assert caught.value.message


async def test_a_crowd_under_a_rate_limit_paces_itself(fake_factory: FakeFactory) -> None:
    clock = SteppingClock()
    fake = await fake_factory(clock=clock)
    fake.faults.rate_limit_rps(100)
    async with on_virtual_time(fake, clock, max_concurrency=30) as circle:

        async def task() -> None:
            for _ in range(6):
                await circle.users.me()

        await asyncio.gather(*(task() for _ in range(30)))
    answered = [r.status for r in fake.requests if r.operation_id == "getCurrentUser"]
    assert answered.count(200) == 180
    assert answered.count(429) <= 3
    assert circle.core.gate.pauses == answered.count(429)
    assert clock.now - 1000.0 >= 0.8, "180 requests at 100 per second need 0.8 s after the burst"
