"""pycircleci 0.7 (a peer Python client, synchronous) runs its v2 and v1.1 methods on the fake.

Each method the fake models is called over loopback in a worker thread, and its answer is
checked against the fake's state: a real client's calls must find what CircleCI would send.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import attrs
import pytest

from circleci_async.testing import FakeCircleCI

pycircleci = pytest.importorskip("pycircleci.api")

ORG, REPO = "acme", "rocket"
SLUG = f"gh/{ORG}/{REPO}"


@attrs.define
class World:
    """What the calls need: ids from the fake's state, and those the calls create."""

    pipeline: Any
    workflow: Any
    failed: Any
    job: Any
    approval: Any
    org_id: str
    context_id: str = ""
    schedule_id: str = ""


def keep(world: World, name: str, answer: dict[str, Any]) -> dict[str, Any]:
    """Remember the id of what a call created, for the calls after it."""
    setattr(world, name, answer["id"])
    return answer


def seed(fake: FakeCircleCI) -> World:
    state = fake.state
    project = state.add_project(SLUG)
    pipeline = state.add_pipeline(SLUG, branch="main")
    workflow = state.add_workflow(pipeline.id, name="build", status="on_hold")
    job = state.add_job(workflow.id, name="test", status="success")
    state.add_test(SLUG, job.number or 0, name="test_a", result="failure")
    approval = state.add_job(workflow.id, name="hold", type="approval", status="on_hold")
    failed = state.add_workflow(pipeline.id, name="deploy", status="failed")
    state.add_job(failed.id, name="ship", status="failed")
    return World(pipeline, workflow, failed, job, approval, project.organization_id)


Call = Callable[[Any, World], Any]
Check = Callable[[Any, World], bool]

V2: list[tuple[str, Call, Check]] = [
    ("get_user_info v2", lambda a, w: a.get_user_info(api_version="v2"), lambda r, w: "login" in r),
    ("get_user_collaborations", lambda a, w: a.get_user_collaborations(), lambda r, w: bool(r)),
    ("get_project", lambda a, w: a.get_project(SLUG), lambda r, w: r["slug"] == SLUG),
    (
        "get_project_pipelines",
        lambda a, w: a.get_project_pipelines(ORG, REPO),
        lambda r, w: w.pipeline.id in [p["id"] for p in r],
    ),
    (
        "get_project_pipeline",
        lambda a, w: a.get_project_pipeline(ORG, REPO, w.pipeline.number),
        lambda r, w: r["id"] == w.pipeline.id,
    ),
    ("get_pipelines", lambda a, w: a.get_pipelines(ORG), lambda r, w: bool(r)),
    ("get_pipeline", lambda a, w: a.get_pipeline(w.pipeline.id), lambda r, w: r["number"] >= 1),
    (
        "get_pipeline_config",
        lambda a, w: a.get_pipeline_config(w.pipeline.id),
        lambda r, w: "source" in r,
    ),
    (
        "get_pipeline_workflow",
        lambda a, w: a.get_pipeline_workflow(w.pipeline.id),
        lambda r, w: {x["id"] for x in r} == {w.workflow.id, w.failed.id},
    ),
    ("get_workflow", lambda a, w: a.get_workflow(w.workflow.id), lambda r, w: r["name"] == "build"),
    (
        "get_workflow_jobs",
        lambda a, w: a.get_workflow_jobs(w.workflow.id),
        lambda r, w: [j["name"] for j in r] == ["test", "hold"],
    ),
    (
        "get_job_details",
        lambda a, w: a.get_job_details(ORG, REPO, w.job.number),
        lambda r, w: r["number"] == w.job.number,
    ),
    (
        "approve_job",
        lambda a, w: a.approve_job(w.workflow.id, w.approval.approval_request_id),
        lambda r, w: "message" in r,
    ),
    (
        "rerun_workflow",
        lambda a, w: a.rerun_workflow(w.failed.id, from_failed=True),
        lambda r, w: "workflow_id" in r,
    ),
    ("cancel_workflow", lambda a, w: a.cancel_workflow(w.workflow.id), lambda r, w: "message" in r),
    (
        "trigger_pipeline",
        lambda a, w: a.trigger_pipeline(ORG, REPO, branch="main", params={"deploy": True}),
        lambda r, w: r["number"] > w.pipeline.number,
    ),
    (
        "get_flaky_tests",
        lambda a, w: a.get_flaky_tests(ORG, REPO),
        lambda r, w: r["total_flaky_tests"] == 1 and r["flaky_tests"][0]["test_name"] == "test_a",
    ),
    (
        "get_project_branches",
        lambda a, w: a.get_project_branches(ORG, REPO),
        lambda r, w: "main" in r["branches"],
    ),
    (
        "get_project_workflows_metrics",
        lambda a, w: a.get_project_workflows_metrics(ORG, REPO),
        lambda r, w: isinstance(r, list),
    ),
    (
        "add_context",
        lambda a, w: keep(w, "context_id", a.add_context("deploy", owner_id=w.org_id)),
        lambda r, w: r["name"] == "deploy",
    ),
    (
        "get_contexts",
        lambda a, w: a.get_contexts(owner_id=w.org_id),
        lambda r, w: w.context_id in [c["id"] for c in r],
    ),
    ("get_context", lambda a, w: a.get_context(w.context_id), lambda r, w: r["name"] == "deploy"),
    (
        "add_context_envvar",
        lambda a, w: a.add_context_envvar(w.context_id, "TOKEN", "s3cret"),
        lambda r, w: r["variable"] == "TOKEN",
    ),
    (
        "get_context_envvars",
        lambda a, w: a.get_context_envvars(w.context_id),
        lambda r, w: [v["variable"] for v in r] == ["TOKEN"],
    ),
    (
        "delete_context_envvar",
        lambda a, w: a.delete_context_envvar(w.context_id, "TOKEN"),
        lambda r, w: "message" in r,
    ),
    (
        "add_schedule",
        lambda a, w: keep(
            w,
            "schedule_id",
            a.add_schedule(
                ORG,
                REPO,
                "nightly",
                {
                    "timetable": {"per-hour": 1, "hours-of-day": [3], "days-of-week": ["MON"]},
                    "attribution-actor": "current",
                    "parameters": {"branch": "main"},
                },
            ),
        ),
        lambda r, w: r["name"] == "nightly",
    ),
    (
        "update_schedule",
        lambda a, w: a.update_schedule(w.schedule_id, {"description": "every night"}),
        lambda r, w: r["description"] == "every night",
    ),
    (
        "get_schedules",
        lambda a, w: a.get_schedules(ORG, REPO),
        lambda r, w: w.schedule_id in [s["id"] for s in r.get("items", r)],
    ),
    (
        "get_schedule",
        lambda a, w: a.get_schedule(w.schedule_id),
        lambda r, w: r["name"] == "nightly",
    ),
    (
        "delete_schedule",
        lambda a, w: a.delete_schedule(w.schedule_id),
        lambda r, w: "message" in r,
    ),
    ("delete_context", lambda a, w: a.delete_context(w.context_id), lambda r, w: "message" in r),
]
"""pycircleci's v2 methods the fake models: the call, and what its answer must hold."""

V1: list[tuple[str, Call, Check]] = [
    ("get_user_info", lambda a, w: a.get_user_info(), lambda r, w: r["login"] and "name" in r),
    (
        "get_project_build_summary",
        lambda a, w: a.get_project_build_summary(ORG, REPO, limit=5),
        lambda r, w: w.job.number in [b["build_num"] for b in r] and len(r) <= 5,
    ),
]
"""pycircleci's v1.1 methods the fake models (`testing.live_api`)."""


async def run_all(fake: FakeCircleCI, calls: list[tuple[str, Call, Check]]) -> list[str]:
    """Each call in a worker thread, in order; the names of those that failed and why."""
    world = seed(fake)
    api = pycircleci.Api(token=fake.token, url=fake.base_url.removesuffix("/v2"))
    failures = []
    for name, call, check in calls:
        try:
            result = await asyncio.to_thread(call, api, world)
        except Exception as error:  # the report names every failure
            failures.append(f"{name}: {type(error).__name__}: {error}")
            continue
        if not check(result, world):
            failures.append(f"{name}: unexpected answer {result!r:.200}")
    return failures


async def test_pycircleci_v2_methods_work_against_the_fake(fake: FakeCircleCI) -> None:
    assert await run_all(fake, V2) == []


async def test_pycircleci_v1_methods_work_against_the_fake(fake: FakeCircleCI) -> None:
    assert await run_all(fake, V1) == []
