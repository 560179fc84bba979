"""Answers CircleCI sent or published (tests/samples), served over loopback and decoded.

The guide's answers (`guide.json`) decode strictly, without drift; the recorded answers of
other projects (every other file, sources in tests/samples/README.md) decode and encode
back without losing a value.
"""

from __future__ import annotations

import json
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from circleci_async import CircleCI
from circleci_async.drift import DriftLog
from circleci_async.errors import SchemaDriftWarning
from circleci_async.models.converter import encode
from circleci_async.models.decoding import other_spelling

from .scripted import scripted_server

SAMPLES = Path(__file__).with_name("samples")
SLUG = "gh/CircleCI-Public/api-preview-docs"
UUID = "5034460f-c7c4-4c43-9457-de07e2029e7b"

CALLS: dict[str, Any] = {
    "getCurrentUser": lambda c: c.users.me(),
    "listPipelinesForProject": lambda c: c.pipelines.list(SLUG).collect(),
    "triggerPipeline": lambda c: c.pipelines.trigger(SLUG),
    "getProjectBySlug": lambda c: c.projects.get(SLUG),
    "getJobDetails": lambda c: c.jobs.get(SLUG, 7),
    "getJobArtifacts": lambda c: c.jobs.artifacts(SLUG, 7).collect(),
    "getCollaborations": lambda c: c.users.collaborations(),
    "getUser": lambda c: c.users.get(UUID),
    "getFlakyTests": lambda c: c.insights.flaky_tests(SLUG),
    "getPipelineById": lambda c: c.pipelines.get(UUID),
    "getPipelineByNumber": lambda c: c.pipelines.get_by_number(SLUG, 1),
    "getPipelineConfigById": lambda c: c.pipelines.config(UUID),
    "getWorkflowById": lambda c: c.workflows.get(UUID),
    "getContext": lambda c: c.contexts.get(UUID),
    "deleteContext": lambda c: c.contexts.delete(UUID),
    "deleteEnvironmentVariableFromContext": lambda c: c.contexts.delete_env_var(UUID, "FOO"),
    "addEnvironmentVariableToContext": lambda c: c.contexts.set_env_var(UUID, "FOO", value="x"),
    "getAllInsightsBranches": lambda c: c.insights.branches(SLUG),
    "getProjectWorkflowTestMetrics": lambda c: c.insights.test_metrics(SLUG, "main"),
    "getScheduleById": lambda c: c.schedules.get(UUID),
    "rerunWorkflow": lambda c: c.workflows.rerun(UUID),
    "cancelWorkflow": lambda c: c.workflows.cancel(UUID),
    "approvePendingApprovalJobById": lambda c: c.workflows.approve(UUID, UUID),
    "continuePipeline": lambda c: c.pipelines.continue_from_setup(
        continuation_key="k", configuration="version: 2.1"
    ),
    "cancelJobByJobNumber": lambda c: c.jobs.cancel(SLUG, 7),
    "deleteScheduleById": lambda c: c.schedules.delete(UUID),
    "listPipelines": lambda c: c.pipelines.followed(org_slug="gh/foo").collect(),
    "listWorkflowsByPipelineId": lambda c: c.pipelines.workflows(UUID).collect(),
    "listWorkflowJobs": lambda c: c.workflows.jobs(UUID).collect(),
    "listContexts": lambda c: c.contexts.list(owner_slug="gh/foo").collect(),
    "listEnvironmentVariablesFromContext": lambda c: c.contexts.env_vars(UUID).collect(),
    "getProjectWorkflowMetrics": lambda c: c.insights.workflow_metrics(SLUG).collect(),
    "getProjectWorkflowRuns": lambda c: c.insights.workflow_runs(SLUG, "main").collect(),
    "getProjectWorkflowJobMetrics": lambda c: c.insights.job_metrics(SLUG, "main").collect(),
    "listSchedulesForProject": lambda c: c.schedules.list(SLUG).collect(),
}
"""How each operation with a sample is called."""

STATUS = {
    "triggerPipeline": 201,
    "rerunWorkflow": 202,
    "cancelWorkflow": 202,
    "approvePendingApprovalJobById": 202,
}
"""The status of each operation's answer, where it is not 200 (the spec's)."""

FILES = sorted(SAMPLES.glob("*/*.json"))
GUIDE = [path for path in FILES if path.name == "guide.json"]
RECORDED = [path for path in FILES if path.name != "guide.json"]


def test_every_sample_has_a_call_and_every_call_a_sample() -> None:
    assert {path.parent.name for path in FILES} == set(CALLS)


def test_every_recorded_sample_names_its_source() -> None:
    readme = (SAMPLES / "README.md").read_text()
    for path in RECORDED:
        assert f"{path.parent.name}/{path.name}" in readme


BODIES = {path: path.read_bytes() for path in FILES}


async def served(path: Path) -> Any:
    body = BODIES[path]
    status = STATUS.get(path.parent.name, 200)

    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=body, status=status, content_type="application/json")

    async with scripted_server(handler) as url, CircleCI("t", base_url=url) as circle:
        return await CALLS[path.parent.name](circle)


@pytest.mark.parametrize("path", GUIDE, ids=lambda p: f"{p.parent.name}/{p.name}")
async def test_published_answers_decode_without_drift(path: Path) -> None:
    assert DriftLog().strict
    assert await served(path) is not None


PLACEHOLDER_FIELDS = {
    ("getPipelineById", "body.workflows"),
    ("getPipelineById", "body.idempotency_key"),
    ("getPipelineByNumber", "body.idempotency_key"),
    ("listPipelines", "body[0].workflows"),
    ("listPipelines", "body[0].idempotency_key"),
    ("getProjectBySlug", "body.last_job_finish_time"),
    ("getWorkflowById", "body.project"),
}
"""Fields of pycircleci's 2019 mocks that neither the spec nor any other recorded answer has,
with placeholder values (`dummy-...`): the models do not read them (the raw JSON keeps them)."""


def lost_values(raw: Any, encoded: Any, where: str = "body") -> list[str]:
    """Every value of `raw` that `encoded` does not hold, found by path.

    A key may come back under its other spelling (the decoder reads both and writes the
    spec's), a date-time in another ISO 8601 form, an integral number as an int; a null
    may be left out. Nothing else may change.
    """
    if isinstance(raw, dict):
        if not isinstance(encoded, dict):
            return [f"{where}: an object became {encoded!r}"]
        lost = []
        for key, value in raw.items():
            spelled = key if key in encoded else other_spelling(key)
            if spelled is None or spelled not in encoded:
                if value is not None:
                    lost.append(f"{where}.{key}: {value!r} was dropped")
                continue
            lost.extend(lost_values(value, encoded[spelled], f"{where}.{key}"))
        return lost
    if isinstance(raw, list):
        if not isinstance(encoded, list) or len(raw) != len(encoded):
            return [f"{where}: the list became {encoded!r}"]
        return [
            loss
            for index, (item, back) in enumerate(zip(raw, encoded, strict=True))
            for loss in lost_values(item, back, f"{where}[{index}]")
        ]
    if raw is None and encoded is None:
        return []
    if isinstance(raw, bool) or isinstance(encoded, bool):
        return [] if raw is encoded else [f"{where}: {raw!r} became {encoded!r}"]
    if isinstance(raw, str) and isinstance(encoded, str) and raw == encoded:
        return []
    if isinstance(raw, int | float) and isinstance(encoded, int | float) and raw == encoded:
        return []
    if isinstance(raw, str) and isinstance(encoded, str) and _same_instant(raw, encoded):
        return []
    return [f"{where}: {raw!r} became {encoded!r}"]


def _same_instant(raw: str, encoded: str) -> bool:
    try:
        return datetime.fromisoformat(raw) == datetime.fromisoformat(encoded)
    except ValueError:
        return False


@pytest.mark.lenient
@pytest.mark.parametrize("path", RECORDED, ids=lambda p: f"{p.parent.name}/{p.name}")
async def test_recorded_answers_keep_every_value(path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SchemaDriftWarning)
        decoded = await served(path)
    raw = json.loads(BODIES[path])
    if isinstance(decoded, list) and isinstance(raw, dict) and "items" in raw:
        raw = raw["items"]
    elif isinstance(decoded, list):
        assert isinstance(raw, list)
    lost = lost_values(raw, encode(decoded))
    allowed = {where for operation, where in PLACEHOLDER_FIELDS if operation == path.parent.name}
    assert [loss for loss in lost if loss.split(":", 1)[0] not in allowed] == []


async def test_the_guides_job_with_a_null_status_and_a_project_without_id() -> None:
    job = await served(SAMPLES / "getJobDetails" / "guide.json")
    assert job.status is None
    assert job.project is not None
    assert job.project.id is None
    assert job.project.slug == SLUG
    assert job.latest_workflow.name == "build-and-test"


async def test_the_guides_project_without_ids_or_organization_slug() -> None:
    project = await served(SAMPLES / "getProjectBySlug" / "guide.json")
    assert (project.id, project.organization_slug, project.organization_id) == (None,) * 3
    assert project.organization_name == "CircleCI-Public"
    assert project.vcs_info is not None
    assert project.vcs_info.provider == "Bitbucket"


async def test_the_guides_pipelines_and_artifacts_keep_every_value() -> None:
    [pipeline] = await served(SAMPLES / "listPipelinesForProject" / "guide.json")
    sample = json.loads((SAMPLES / "listPipelinesForProject" / "guide.json").read_text())
    assert pipeline.id == sample["items"][0]["id"]
    assert pipeline.trigger is not None
    assert pipeline.trigger.actor is not None
    assert pipeline.trigger.actor.login == "teesloane"
    artifacts = await served(SAMPLES / "getJobArtifacts" / "guide.json")
    assert [a.path.rsplit("/", 1)[1] for a in artifacts] == [
        "walkthrough6.png",
        "walkthrough7.png",
        "walkthrough8.png",
    ]
