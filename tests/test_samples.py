"""Answers CircleCI published (tests/samples), served over loopback and decoded strictly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from circleci_async import CircleCI

from .scripted import scripted_server

SAMPLES = Path(__file__).with_name("samples")
SLUG = "gh/CircleCI-Public/api-preview-docs"

CALLS: dict[str, Any] = {
    "getCurrentUser": lambda c: c.users.me(),
    "listPipelinesForProject": lambda c: c.pipelines.list(SLUG).collect(),
    "triggerPipeline": lambda c: c.pipelines.trigger(SLUG),
    "getProjectBySlug": lambda c: c.projects.get(SLUG),
    "getJobDetails": lambda c: c.jobs.get(SLUG, 7),
    "getJobArtifacts": lambda c: c.jobs.artifacts(SLUG, 7).collect(),
}
"""How each operation with a sample is called."""

FILES = sorted(SAMPLES.glob("*/*.json"))


def test_every_sample_has_a_call_and_every_call_a_sample() -> None:
    assert {path.parent.name for path in FILES} == set(CALLS)


BODIES = {path: path.read_bytes() for path in FILES}


async def served(path: Path) -> Any:
    body = BODIES[path]
    status = 201 if path.parent.name == "triggerPipeline" else 200

    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=body, status=status, content_type="application/json")

    async with scripted_server(handler) as url, CircleCI("t", base_url=url) as circle:
        assert circle.core.drift.strict
        return await CALLS[path.parent.name](circle)


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
async def test_published_answers_decode_without_drift(path: Path) -> None:
    assert await served(path) is not None


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
