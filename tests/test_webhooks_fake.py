"""The fake CircleCI sends signed webhooks when its builds finish; a receiver gets them."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import aiohttp
import attrs
import pytest
from aiohttp import web

from circleci_async import CircleCI, InvalidArgumentError
from circleci_async.models import JobStatus, PipelineCreation, WorkflowStatus
from circleci_async.testing import FakeCircleCI, FakeState, WebhookRecord
from circleci_async.testing.deliveries import WebhookDeliveries
from circleci_async.testing.faults import Faults
from circleci_async.testing.lifecycle import cancel_workflow
from circleci_async.testing.paging import PageTokens
from circleci_async.testing.runner import BuildRunner
from circleci_async.webhooks import (
    Event,
    JobCompleted,
    WebhookReceiver,
    WorkflowCompleted,
    parse,
    verify,
)

from .conftest import FakeFactory
from .webhook_helpers import SECRET, serving

SLUG = "gh/acme/rocket"
NEVER = datetime.min.replace(tzinfo=UTC)
DEADLINE = 30.0
"""Seconds an awaited event may take to come (a deadline, not a wait)."""


async def events_until_workflow(hook: WebhookReceiver, count: int = 1) -> list[Event]:
    """Events from `hook` until a `WorkflowCompleted` came and there are `count` of them.

    CircleCI promises no order between deliveries, and neither does the fake: the last job's
    event and its workflow's are sent at once.
    """
    got: list[Event] = []
    async with asyncio.timeout(DEADLINE):
        async for event in hook:
            got.append(event)
            if len(got) >= count and any(isinstance(e, WorkflowCompleted) for e in got):
                return got
    raise AssertionError(f"the receiver closed after {got}")


async def test_create_a_webhook_trigger_a_pipeline_receive_a_verified_workflow_completed(
    fake_factory: FakeFactory,
) -> None:
    fake = await fake_factory(job_seconds=0.05)
    project = fake.state.add_project(SLUG)
    hook = WebhookReceiver(secret=SECRET, path="/circleci")
    app = web.Application()
    hook.add_to(app)
    async with serving(app) as base, CircleCI(fake.token, base_url=fake.base_url) as circle:
        webhook = await circle.webhooks.create(
            name="builds",
            url=base + "/circleci",
            events=["workflow-completed", "job-completed"],
            verify_tls=True,
            signing_secret=SECRET,
            scope_id=project.id,
        )
        created = await circle.pipelines.trigger(SLUG, branch="main")
        assert isinstance(created, PipelineCreation)
        events = await events_until_workflow(hook, count=4)
        [workflow] = await circle.pipelines.workflows(created.id).collect()
        jobs = await circle.workflows.jobs(workflow.id).collect()

    [finished] = [event for event in events if isinstance(event, WorkflowCompleted)]
    assert finished.workflow.id == workflow.id
    assert finished.workflow.name == workflow.name == "build-and-test"
    assert finished.workflow.status == workflow.status == WorkflowStatus.SUCCESS
    assert finished.workflow.stopped_at == workflow.stopped_at
    assert finished.workflow.url is not None
    assert finished.workflow.url.endswith(f"/{created.number}/workflows/{workflow.id}")
    assert finished.pipeline.id == created.id == workflow.pipeline_id
    assert finished.pipeline.number == created.number
    assert finished.pipeline.trigger_type == "api"
    assert finished.pipeline.vcs is not None
    assert finished.pipeline.vcs.branch == "main"
    assert finished.project.slug == SLUG
    assert finished.project.id == project.id
    assert finished.organization.id == project.organization_id
    assert finished.webhook.id == webhook.id
    assert finished.webhook.name == "builds"

    job_events = [e for e in events if isinstance(e, JobCompleted)]
    assert sorted(e.job.id or "" for e in job_events) == sorted(j.id for j in jobs)
    assert {e.job.name: e.job.number for e in job_events} == {j.name: j.job_number for j in jobs}
    assert all(e.job.status == JobStatus.SUCCESS for e in job_events)
    assert all(e.workflow.id == workflow.id for e in job_events)
    assert job_events[-1].job.name == "build", "build waits on lint and test"
    assert job_events[-1].job.started_at == max(e.job.stopped_at or NEVER for e in job_events[:2])

    sent = fake.deliveries.sent
    assert len(sent) == 4
    for delivery in sent:
        assert delivery.delivered
        assert delivery.outcomes == [202]
        assert delivery.headers["content-type"] == "application/json"
        assert delivery.headers["user-agent"] == "CircleCI-Webhook/1.0"
        assert delivery.headers["circleci-event-type"] == delivery.event_type
        verify(delivery.body, delivery.headers["circleci-signature"], SECRET)
    assert len({event.id for event in events}) == 4


def documented_keys(body: bytes) -> None:
    """The keys CircleCI documents for every payload are there."""
    payload = json.loads(body)
    assert set(payload) >= {"id", "type", "happened_at", "webhook", "project", "organization",
                            "workflow", "pipeline"}  # fmt: skip
    assert set(payload["webhook"]) == {"id", "name"}
    assert set(payload["project"]) == {"id", "name", "slug"}
    assert set(payload["organization"]) == {"id", "name"}
    assert set(payload["workflow"]) == {"id", "name", "status", "created_at", "stopped_at", "url"}
    assert set(payload["pipeline"]) >= {"id", "number", "created_at", "trigger"}
    assert "vcs" in payload["pipeline"] or "trigger_parameters" in payload["pipeline"]
    if payload["type"] == "job-completed":
        assert set(payload["job"]) == {"id", "number", "name", "status", "started_at",
                                       "stopped_at"}  # fmt: skip


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class Scripted:
    """A receiver app answering each POST with the next scripted status (then 200)."""

    def __init__(self, *statuses: int) -> None:
        self.statuses = list(statuses)
        self.bodies: list[bytes] = []
        self.headers: list[dict[str, str]] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        return app

    async def handle(self, request: web.Request) -> web.Response:
        self.bodies.append(await request.read())
        self.headers.append(dict(request.headers))
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)


def offline(url: str, *, secret: str = SECRET, slug: str = SLUG) -> tuple[
    FakeState, Clock, BuildRunner, WebhookDeliveries, Faults
]:  # fmt: skip
    """A fake state on an injected clock, with a webhook to `url`, a runner and deliveries."""
    clock = Clock()
    state = FakeState(clock=clock)
    project = state.add_project(slug)
    state.webhooks["w1"] = WebhookRecord(
        id="w1", name="hook", url=url, events=["workflow-completed", "job-completed"],
        verify_tls=True, signing_secret=secret, scope_id=project.id, scope_type="project",
        created_at=clock.now, updated_at=clock.now,
    )  # fmt: skip
    faults = Faults(PageTokens())
    deliveries = WebhookDeliveries(state, faults)
    runner = BuildRunner(state, job_seconds=10, on_finished=deliveries.notify)
    return state, clock, runner, deliveries, faults


def run_pipeline(state: FakeState, clock: Clock, runner: BuildRunner, slug: str = SLUG) -> None:
    state.add_pipeline(slug, trigger_type="api", state="pending")
    runner.step()
    for _ in range(3):
        clock.now += timedelta(seconds=10)
        runner.step()


async def test_a_failed_delivery_is_retried_on_the_fakes_clock_then_given_up() -> None:
    receiver = Scripted(500, 503, 500, 500, 500, 500, 500, 500, 500)
    async with serving(receiver.app()) as base:
        state, clock, runner, deliveries, _ = offline(base + "/hook")
        state.webhooks["w1"].events = ["workflow-completed"]
        run_pipeline(state, clock, runner)
        assert deliveries.pending == 1
        assert await deliveries.deliver_due() == 1
        assert await deliveries.deliver_due() == 0, "the retry waits on the clock"
        clock.now += timedelta(seconds=1.9)
        assert await deliveries.deliver_due() == 0
        clock.now += timedelta(seconds=0.1)
        assert await deliveries.deliver_due() == 1
        clock.now += timedelta(seconds=10)
        assert await deliveries.deliver_due() == 1
        clock.now += timedelta(seconds=30)
        assert await deliveries.deliver_due() == 1
        clock.now += timedelta(days=1)
        assert await deliveries.deliver_due() == 0
        await deliveries.close()
    [delivery] = deliveries.sent
    assert delivery.outcomes == [500, 503, 500, 500]
    assert not delivery.delivered
    assert delivery.due_at is None
    assert deliveries.pending == 0
    assert len(set(receiver.bodies)) == 1, "every attempt sends the same event"


async def test_a_retry_that_succeeds_ends_the_delivery() -> None:
    receiver = Scripted(502)
    async with serving(receiver.app()) as base:
        state, clock, runner, deliveries, _ = offline(base + "/hook")
        state.webhooks["w1"].events = ["workflow-completed"]
        run_pipeline(state, clock, runner)
        await deliveries.deliver_due()
        clock.now += timedelta(seconds=2)
        await deliveries.deliver_due()
        await deliveries.close()
    [delivery] = deliveries.sent
    assert (delivery.outcomes, delivery.delivered, deliveries.pending) == ([502, 200], True, 0)


async def test_an_unreachable_receiver_is_retried_too() -> None:
    async with serving(web.Application()) as base:
        url = base + "/hook"
    state, clock, runner, deliveries, _ = offline(url)
    state.webhooks["w1"].events = ["workflow-completed"]
    run_pipeline(state, clock, runner)
    await deliveries.deliver_due()
    [delivery] = deliveries.sent
    assert delivery.outcomes == ["ClientConnectorError"]
    assert delivery.due_at == clock.now + timedelta(seconds=2)
    await deliveries.close()


async def test_the_payloads_carry_the_documented_fields_and_headers() -> None:
    receiver = Scripted()
    async with serving(receiver.app()) as base:
        state, clock, runner, deliveries, _ = offline(base + "/hook")
        run_pipeline(state, clock, runner)
        assert await deliveries.deliver_due() == 4
        await deliveries.close()
    kinds = [json.loads(body)["type"] for body in receiver.bodies]
    assert sorted(kinds) == ["job-completed"] * 3 + ["workflow-completed"]
    for body, sent in zip(receiver.bodies, receiver.headers, strict=True):
        documented_keys(body)
        assert sent["Content-Type"] == "application/json"
        assert sent["User-Agent"] == "CircleCI-Webhook/1.0"
        assert sent["circleci-event-type"] == json.loads(body)["type"]
        verify(body, sent["circleci-signature"], SECRET)


async def test_a_circleci_project_sends_trigger_parameters_instead_of_vcs() -> None:
    slug = "circleci/8e4z1Akd74woxagxnvLT5q/V29Cenkg8EaiSZARmWm8Lz"
    receiver = Scripted()
    async with serving(receiver.app()) as base:
        state, clock, runner, deliveries, _ = offline(base + "/hook", slug=slug)
        state.webhooks["w1"].events = ["workflow-completed"]
        run_pipeline(state, clock, runner, slug)
        await deliveries.deliver_due()
        await deliveries.close()
    [body] = receiver.bodies
    documented_keys(body)
    event = parse(body)
    assert event.pipeline.vcs is None
    assert event.pipeline.trigger_parameters is not None
    assert event.pipeline.trigger_parameters["git"]["branch"] == "main"


async def test_the_duplicate_fault_sends_an_event_twice_and_the_receiver_drops_the_repeat() -> None:
    hook = WebhookReceiver(secret=SECRET, path="/hook")
    app = web.Application()
    hook.add_to(app)
    async with serving(app) as base:
        state, clock, runner, deliveries, faults = offline(base + "/hook")
        state.webhooks["w1"].events = ["workflow-completed"]
        faults.duplicate_webhook()
        run_pipeline(state, clock, runner)
        await deliveries.deliver_due()
        await deliveries.close()
    first, second = deliveries.sent
    assert first.event_id == second.event_id
    assert (first.body, second.duplicate) == (second.body, True)
    assert sorted(d.outcomes[0] for d in deliveries.sent) == [200, 202]
    assert hook.pending == 1
    assert hook.stats.duplicates == 1


async def test_an_unsigned_webhook_is_refused_by_a_signed_receiver_and_retried() -> None:
    hook = WebhookReceiver(secret=SECRET, path="/hook")
    open_hook = WebhookReceiver(secret=None, path="/open")
    app = web.Application()
    hook.add_to(app)
    open_hook.add_to(app)
    async with serving(app) as base:
        state, clock, runner, deliveries, _ = offline(base + "/hook", secret="")
        state.webhooks["w1"].events = ["workflow-completed"]
        state.webhooks["w2"] = attrs.evolve(state.webhooks["w1"], id="w2", url=base + "/open")
        run_pipeline(state, clock, runner)
        await deliveries.deliver_due()
        await deliveries.close()
    signed, unsigned = deliveries.sent
    assert "circleci-signature" not in signed.headers
    assert signed.outcomes == [401]
    assert signed.due_at is not None, "CircleCI retries a refused delivery"
    assert unsigned.outcomes == [202]
    assert (hook.pending, open_hook.pending) == (0, 1)


async def test_webhooks_to_other_hosts_are_never_sent() -> None:
    state, clock, runner, deliveries, _ = offline("https://hooks.example.com/circleci")
    run_pipeline(state, clock, runner)
    assert await deliveries.deliver_due() == 0
    assert len(deliveries.sent) == 4
    assert all(d.refused == "the fake delivers only to loopback addresses" for d in deliveries.sent)
    assert all(d.outcomes == [] for d in deliveries.sent)


async def test_a_failing_job_fails_its_workflow_and_the_jobs_after_it_do_not_run() -> None:
    receiver = Scripted()
    async with serving(receiver.app()) as base:
        state, clock, runner, deliveries, _ = offline(base + "/hook")
        runner.failing.add("test")
        run_pipeline(state, clock, runner)
        await deliveries.deliver_due()
        await deliveries.close()
    events = [parse(body) for body in receiver.bodies]
    jobs = {e.job.name: e.job.status for e in events if isinstance(e, JobCompleted)}
    assert jobs == {"lint": "success", "test": "failed"}
    [done] = [e for e in events if isinstance(e, WorkflowCompleted)]
    assert done.workflow.status == WorkflowStatus.FAILED
    [workflow] = state.workflows.values()
    assert {j.name: j.status for j in workflow.jobs}["build"] == "not_run"
    [failed] = [j for j in workflow.jobs if j.name == "test"]
    assert [t.result for t in failed.tests] == ["failure"]


async def test_a_cancelled_workflow_sends_canceled_events() -> None:
    receiver = Scripted()
    async with serving(receiver.app()) as base:
        state, _, runner, deliveries, _ = offline(base + "/hook")
        state.add_pipeline(SLUG, trigger_type="api", state="pending")
        runner.step()
        [workflow] = state.workflows.values()
        cancel_workflow(state, workflow, state.user)
        runner.step()
        runner.step()
        await deliveries.deliver_due()
        await deliveries.close()
    events = [parse(body) for body in receiver.bodies]
    jobs = sorted(e.job.name or "" for e in events if isinstance(e, JobCompleted))
    assert jobs == ["build", "lint", "test"]
    assert all(e.job.status == "canceled" for e in events if isinstance(e, JobCompleted))
    [done] = [e for e in events if isinstance(e, WorkflowCompleted)]
    assert done.workflow.status == WorkflowStatus.CANCELED


async def test_the_api_takes_http_urls_only_to_loopback(fake: FakeCircleCI) -> None:
    project = fake.state.add_project(SLUG)
    async with CircleCI(fake.token, base_url=fake.base_url) as circle:
        options = {"name": "n", "events": ["job-completed"], "verify_tls": False,
                   "signing_secret": "s", "scope_id": project.id}  # fmt: skip
        made = await circle.webhooks.create(url="http://127.0.0.1:9/hook", **options)  # type: ignore[arg-type]
        assert made.url == "http://127.0.0.1:9/hook"
        with pytest.raises(InvalidArgumentError, match="https"):
            await circle.webhooks.create(url="http://example.com/hook", **options)  # type: ignore[arg-type]
    async with aiohttp.ClientSession() as http:
        body = {"name": "n", "url": "http://10.1.1.1/hook", "events": ["job-completed"],
                "verify-tls": False, "signing-secret": "", "scope": {"id": project.id,
                "type": "project"}}  # fmt: skip
        async with http.post(
            fake.base_url + "/webhook", json=body, headers={"Circle-Token": fake.token}
        ) as answer:
            assert answer.status == 400
        body["url"] = "http://localhost:9/hook"
        async with http.post(
            fake.base_url + "/webhook", json=body, headers={"Circle-Token": fake.token}
        ) as answer:
            assert answer.status == 201


async def test_the_fake_keeps_running_builds_between_requests(fake_factory: FakeFactory) -> None:
    fake = await fake_factory(job_seconds=0.02)
    fake.state.add_project(SLUG)
    hook = WebhookReceiver(secret=None, path="/h")
    app = web.Application()
    hook.add_to(app)
    async with serving(app) as base, CircleCI(fake.token, base_url=fake.base_url) as circle:
        project = fake.state.projects[SLUG]
        await circle.webhooks.create(
            name="n", url=base + "/h", events=["workflow-completed"], verify_tls=False,
            signing_secret="unused-here", scope_id=project.id,
        )  # fmt: skip
        requests_before = len(fake.requests)
        await circle.pipelines.trigger(SLUG, branch="main")
        [event] = await events_until_workflow(hook)
        assert len(fake.requests) == requests_before + 1, "no polling was needed"
        assert isinstance(event, WorkflowCompleted)
