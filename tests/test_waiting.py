"""`pipelines.wait` and `workflows.wait`: polling on the fake's clock, timeouts, webhooks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from circleci_async import CircleCI, PipelineOutcome, WaitPolicy, WaitTimeoutError
from circleci_async.errors import InvalidArgumentError
from circleci_async.models import PipelineCreation, Workflow, WorkflowStatus
from circleci_async.testing import FakeCircleCI
from circleci_async.webhooks.events import Event, WorkflowCompleted, WorkflowRef

from .clock import SteppingClock
from .conftest import FakeFactory

SLUG = "gh/acme/rocket"


async def started(
    fake_factory: FakeFactory, *, job_seconds: float = 10, failing: tuple[str, ...] = ()
) -> tuple[FakeCircleCI, SteppingClock]:
    clock = SteppingClock()
    fake = await fake_factory(job_seconds=job_seconds, clock=clock)
    fake.state.add_project(SLUG)
    assert fake.runner is not None
    fake.runner.failing.update(failing)
    return fake, clock


def client(fake: FakeCircleCI, clock: SteppingClock) -> CircleCI:
    return CircleCI(fake.token, base_url=fake.base_url, clock=clock, sleep=clock.sleep)


def reads(fake: FakeCircleCI, operation: str) -> int:
    return sum(1 for r in fake.requests if r.operation_id == operation)


async def test_a_pipeline_wait_returns_once_every_workflow_ended(
    fake_factory: FakeFactory,
) -> None:
    fake, clock = await started(fake_factory)
    seen: list[PipelineOutcome] = []

    async def note(outcome: PipelineOutcome) -> None:
        seen.append(outcome)

    async with client(fake, clock) as circle:
        created = await circle.pipelines.trigger(SLUG, branch="main")
        assert isinstance(created, PipelineCreation)
        outcome = await circle.pipelines.wait(created.id, on_poll=note)
    assert outcome.passed
    assert outcome.status == "success"
    assert [w.status for w in outcome.workflows] == [WorkflowStatus.SUCCESS]
    assert clock.sleeps == [2.0, 3.0, 4.5, 6.75, 10.125], "a growing interval, 20 s of jobs"
    assert len(seen) == len(clock.sleeps) + 1
    assert reads(fake, "getPipelineById") == len(seen)


async def test_the_interval_stops_growing_at_the_cap_and_the_timeout_bounds_the_wait(
    fake_factory: FakeFactory,
) -> None:
    fake, clock = await started(fake_factory, job_seconds=10_000)
    policy = WaitPolicy(first_interval=1, growth=2, max_interval=8)
    async with client(fake, clock) as circle:
        created = await circle.pipelines.trigger(SLUG, branch="main")
        assert isinstance(created, PipelineCreation)
        with pytest.raises(WaitTimeoutError, match="did not finish within 60 s") as caught:
            await circle.pipelines.wait(created.id, timeout=60, policy=policy)
    assert clock.sleeps[:5] == [1, 2, 4, 8, 8]
    assert max(clock.sleeps) == 8
    assert sum(clock.sleeps) == 60
    last = caught.value.last
    assert isinstance(last, PipelineOutcome)
    assert [w.status for w in last.workflows] == [WorkflowStatus.RUNNING]


async def test_a_failed_job_makes_the_outcome_fail(fake_factory: FakeFactory) -> None:
    fake, clock = await started(fake_factory, failing=("test",))
    async with client(fake, clock) as circle:
        created = await circle.pipelines.trigger(SLUG, branch="main")
        assert isinstance(created, PipelineCreation)
        outcome = await circle.pipelines.wait(created.id)
    assert not outcome.passed
    assert outcome.status == "failed"


async def test_a_workflow_wait_returns_the_final_workflow(fake_factory: FakeFactory) -> None:
    fake, clock = await started(fake_factory)
    async with client(fake, clock) as circle:
        created = await circle.pipelines.trigger(SLUG, branch="main")
        assert isinstance(created, PipelineCreation)
        while not (workflows := await circle.pipelines.workflows(created.id).collect()):
            await clock.sleep(1)
        clock.sleeps.clear()
        workflow = await circle.workflows.wait(workflows[0].id)
    assert isinstance(workflow, Workflow)
    assert workflow.status == WorkflowStatus.SUCCESS
    assert workflow.stopped_at is not None
    assert clock.sleeps[0] == 2.0


class Events:
    """An async iterator of webhook events that a test feeds."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[Event] = asyncio.Queue()

    def __aiter__(self) -> AsyncIterator[Event]:
        return self

    async def __anext__(self) -> Event:
        return await self.queue.get()


async def test_a_webhook_about_the_workflow_ends_the_pause_at_once(
    fake_factory: FakeFactory,
) -> None:
    fake, clock = await started(fake_factory)
    events = Events()
    never = asyncio.Event()

    async def no_timer(_seconds: float) -> None:
        await never.wait()

    polls: list[Workflow] = []

    async def on_poll(workflow: Workflow) -> None:
        polls.append(workflow)
        if workflow.status == WorkflowStatus.RUNNING:
            clock.now += 30
            await events.queue.put(WorkflowCompleted(workflow=WorkflowRef(id="someone-else")))
            await events.queue.put(WorkflowCompleted(workflow=WorkflowRef(id=workflow.id)))

    async with CircleCI(fake.token, base_url=fake.base_url, clock=clock, sleep=no_timer) as circle:
        created = await circle.pipelines.trigger(SLUG, branch="main")
        assert isinstance(created, PipelineCreation)
        while not (workflows := await circle.pipelines.workflows(created.id).collect()):
            clock.now += 1
        workflow = await asyncio.wait_for(
            circle.workflows.wait(workflows[0].id, events=events, on_poll=on_poll), timeout=30
        )
    assert workflow.status == WorkflowStatus.SUCCESS
    running, done = WorkflowStatus.RUNNING, WorkflowStatus.SUCCESS
    assert [p.status for p in polls] == [running, running, done], "two rounds of jobs"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"timeout": 0}, "timeout must be a positive"),
        ({"first_interval": -1}, "first_interval must be a positive"),
        ({"growth": 0.5}, "growth must be at least 1"),
        ({"first_interval": 60, "max_interval": 30}, "must not exceed max_interval"),
    ],
)
def test_a_nonsense_policy_is_refused(options: dict[str, float], message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        WaitPolicy(**options)


async def test_a_malformed_id_is_refused_before_sending(fake: FakeCircleCI) -> None:
    async with CircleCI(fake.token, base_url=fake.base_url) as circle:
        with pytest.raises(InvalidArgumentError, match="pipeline_id"):
            await circle.pipelines.wait(" ")
    assert not fake.requests
