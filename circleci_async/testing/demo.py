"""Deterministic demo data: a small organisation with a realistic build history."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from .records import JobRecord, JobStatusValue, PipelineRecord, ProjectRecord, WorkflowStatusValue

if TYPE_CHECKING:
    from .state import FakeState

__all__ = ["populate"]

_START = datetime(2025, 3, 3, 8, 30, tzinfo=UTC)
_BRANCHES = ("main", "main", "main", "feature/login-page", "fix/flaky-retry", "renovate/aiohttp")
_SUBJECTS = (
    "Add retry to the artifact uploader",
    "Bump aiohttp from 3.9.5 to 3.10.0",
    "Fix flaky test_download_resume",
    "Refactor pipeline service",
    "Document rate limits",
)
_TEST_NAMES = ("test_login", "test_logout", "test_list_pipelines", "test_paging", "test_retry")
_JUNIT = b'<?xml version="1.0"?>\n<testsuites><testsuite name="pytest"/></testsuites>\n'
_JOB_OUTCOMES: dict[str, dict[str, JobStatusValue]] = {
    "success": {"lint": "success", "test": "success", "build": "success"},
    "failed": {"lint": "success", "test": "failed", "build": "not_run"},
    "running": {"lint": "success", "test": "running", "build": "blocked"},
}


def populate(
    state: FakeState, rng: random.Random, *, projects: int, pipelines: int
) -> list[ProjectRecord]:
    """Fill `state` with `projects` projects of `pipelines` pipelines each, drawn from `rng`."""
    made: list[ProjectRecord] = []
    for index in range(projects):
        if index % 2:
            slug = f"circleci/{state.new_id()}/{state.new_id()}"
            project = state.add_project(
                slug, name=f"web-frontend-{index}", organization_name="acme"
            )
        else:
            project = state.add_project(
                f"gh/acme/api-server-{index}" if index else "gh/acme/api-server"
            )
        made.append(project)
        for number in range(pipelines):
            created = _START + timedelta(hours=5 * number, minutes=rng.randint(0, 59))
            newest = number == pipelines - 1
            _pipeline(state, rng, project, created, newest=newest)
    return made


def _pipeline(
    state: FakeState, rng: random.Random, project: ProjectRecord, created: datetime, *, newest: bool
) -> None:
    if rng.random() < 0.07:
        state.add_pipeline(
            project.slug,
            branch=rng.choice(_BRANCHES),
            state="errored",
            created_at=created,
            errors=[{"type": "config", "message": "Config does not conform to schema"}],
        )
        return
    pipeline = state.add_pipeline(
        project.slug,
        branch=rng.choice(_BRANCHES),
        trigger_type=rng.choice(("webhook", "webhook", "webhook", "api", "scheduled_pipeline")),
        created_at=created,
        commit_subject=rng.choice(_SUBJECTS),
        commit_body="",
    )
    outcome: WorkflowStatusValue = (
        "running" if newest else rng.choice(("success",) * 4 + ("failed",))
    )
    _build_workflow(state, rng, pipeline, outcome)
    if outcome == "failed" and rng.random() < 0.5:
        # Rerun on the same commit, and green this time: the test that failed is flaky.
        _build_workflow(state, rng, pipeline, "success")
    if pipeline.branch == "main" and outcome == "success":
        _deploy_workflow(state, pipeline)


def _build_workflow(
    state: FakeState, rng: random.Random, pipeline: PipelineRecord, outcome: WorkflowStatusValue
) -> None:
    workflow = state.add_workflow(pipeline.id, name="build-and-test", status=outcome)
    statuses = _JOB_OUTCOMES[outcome]
    lint = state.add_job(workflow.id, name="lint", status=statuses["lint"])
    parallelism = rng.choice((1, 2, 4))
    test = state.add_job(
        workflow.id,
        name="test",
        status=statuses["test"],
        parallelism=parallelism,
        resource_class="large",
        dependencies=[lint.id],
    )
    build = state.add_job(
        workflow.id, name="build", status=statuses["build"], dependencies=[test.id]
    )
    if test.status in ("success", "failed"):
        _test_results(state, rng, test)
        for node in range(parallelism):
            state.add_artifact(
                pipeline.project_slug, _number(test), f"test-results/junit-{node}.xml", _JUNIT,
                node_index=node,
            )  # fmt: skip
    if test.status == "success":
        state.add_artifact(pipeline.project_slug, _number(test), "coverage/index.html", size=2048)
    if build.status == "success":
        size = rng.randint(4, 64) * 1024
        state.add_artifact(pipeline.project_slug, _number(build), "dist/app.tar.gz", size=size)


def _deploy_workflow(state: FakeState, pipeline: PipelineRecord) -> None:
    workflow = state.add_workflow(pipeline.id, name="deploy", status="success")
    hold = state.add_job(workflow.id, name="hold", status="success", type="approval")
    state.add_job(workflow.id, name="deploy-production", status="success", dependencies=[hold.id])


def _test_results(state: FakeState, rng: random.Random, job: JobRecord) -> None:
    failing = rng.choice(_TEST_NAMES) if job.status == "failed" else None
    for name in _TEST_NAMES:
        failed = name == failing
        state.add_test(
            job.project_slug,
            _number(job),
            name=name,
            result="failure" if failed else "success",
            message="AssertionError: expected 200, got 429" if failed else None,
            run_time=round(rng.uniform(0.01, 2.5), 3),
            source="pytest",
        )


def _number(job: JobRecord) -> int:
    if job.number is None:
        raise ValueError("approval jobs have no number")
    return job.number
