"""The fake's build runner: triggered pipelines run their workflows and finish in time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from circleci_async import CircleCI
from circleci_async.models import JobStatus, PipelineCreation, WorkflowStatus
from circleci_async.testing import FakeCircleCI
from circleci_async.testing.records import FINISHED_WORKFLOW_STATUSES
from circleci_async.testing.runner import BuildRunner
from circleci_async.testing.state import FakeState

from .clock import SteppingClock
from .conftest import FakeFactory

SLUG = "gh/acme/rocket"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_jobs_finish_in_dependency_order() -> None:
    clock = Clock()
    state = FakeState(clock=clock)
    runner = BuildRunner(state, job_seconds=10)
    state.add_project(SLUG)
    pipeline = state.add_pipeline(SLUG, trigger_type="api", state="pending")
    runner.step()
    [workflow] = pipeline.workflows
    statuses = {job.name: job.status for job in workflow.jobs}
    assert statuses == {"lint": "running", "test": "running", "build": "blocked"}
    clock.now += timedelta(seconds=10)
    runner.step()
    statuses = {job.name: job.status for job in workflow.jobs}
    assert statuses == {"lint": "success", "test": "success", "build": "running"}
    assert workflow.status == "running"
    clock.now += timedelta(seconds=9)
    runner.step()
    assert workflow.status == "running"
    clock.now += timedelta(seconds=1)
    runner.step()
    assert {job.status for job in workflow.jobs} == {"success"}
    assert workflow.status in FINISHED_WORKFLOW_STATUSES
    assert workflow.stopped_at == clock.now


def test_a_triggered_pipeline_copies_the_projects_workflows() -> None:
    clock = Clock()
    state = FakeState(clock=clock)
    earlier = state.add_pipeline(SLUG)
    workflow = state.add_workflow(earlier.id, name="deploy")
    first = state.add_job(workflow.id, name="package")
    state.add_job(workflow.id, name="ship", dependencies=[first.id], status="success")
    runner = BuildRunner(state, job_seconds=1)
    triggered = state.add_pipeline(SLUG, trigger_type="api", state="pending")
    runner.step()
    assert [w.name for w in triggered.workflows] == ["deploy"]
    assert [j.name for j in triggered.workflows[0].jobs] == ["package", "ship"]
    assert earlier.workflows == [workflow]


def test_pipelines_from_before_the_runner_are_left_alone() -> None:
    state = FakeState(clock=Clock())
    old = state.add_pipeline(SLUG, trigger_type="api", state="errored")
    runner = BuildRunner(state, job_seconds=1)
    errored = state.add_pipeline(SLUG, trigger_type="api", state="errored")
    runner.step()
    assert old.workflows == []
    assert errored.workflows == []


def test_the_runner_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="positive"):
        BuildRunner(FakeState(), job_seconds=0)


async def test_a_client_watches_a_triggered_pipeline_finish(fake_factory: FakeFactory) -> None:
    clock = SteppingClock()
    fake: FakeCircleCI = await fake_factory(job_seconds=10, clock=clock)
    fake.state.add_project(SLUG)
    async with CircleCI(fake.token, base_url=fake.base_url) as circle:
        created = await circle.pipelines.trigger(SLUG, branch="main")
        assert isinstance(created, PipelineCreation)
        polls = 0
        while True:
            workflows = await circle.pipelines.workflows(created.id).collect()
            if workflows and all(w.status != WorkflowStatus.RUNNING for w in workflows):
                break
            polls += 1
            assert polls < 10, "the pipeline never finished"
            clock.now += 5
        jobs = await circle.workflows.jobs(workflows[0].id).collect()
    assert polls == 4, "two rounds of 10 s jobs (lint and test, then build) take 20 s"
    assert [w.status for w in workflows] == [WorkflowStatus.SUCCESS]
    assert {j.status for j in jobs} == {JobStatus.SUCCESS}
