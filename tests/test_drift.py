"""Answers that depart from the spec: kept, reported once, strict on request; raw access."""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web

from circleci_async import CircleCI, DecodeError, RetryPolicy, SchemaDriftWarning
from circleci_async.models import JobStatus, decode
from circleci_async.models.insights import InsightsBranches
from circleci_async.testing import FakeCircleCI

from .clock import SteppingClock
from .scripted import scripted_server

JOB = {
    "number": 7,
    "name": "build",
    "status": "success",
    "web_url": "https://app.circleci.com/jobs/7",
    "project": {"id": "p", "slug": "gh/o/r", "name": "r", "external_url": "https://x/o/r"},
    "organization": {"name": "o"},
    "pipeline": {"id": "pl"},
    "latest_workflow": {"id": "wf", "name": "main"},
    "executor": {"resource_class": "medium", "type": "docker"},
    "parallelism": 1,
    "parallel_runs": [{"index": 0, "status": "success"}],
    "contexts": [],
    "messages": [],
    "created_at": "2024-01-01T00:00:00Z",
    "queued_at": "2024-01-01T00:00:01Z",
    "started_at": "2024-01-01T00:00:02Z",
    "duration": 1000,
}


def answering(*bodies: Any) -> Callable[[web.Request], Awaitable[web.Response]]:
    """A handler that sends `bodies` in turn (bytes as they are, anything else as JSON)."""
    queue = list(bodies)

    async def handler(request: web.Request) -> web.Response:
        body = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(body, bytes):
            return web.Response(body=body, content_type="application/json")
        return web.Response(text=json.dumps(body), content_type="application/json")

    return handler


@pytest.mark.lenient
async def test_a_missing_field_becomes_none_and_warns_once_per_operation_and_path(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="circleci_async.drift")
    body = {key: value for key, value in JOB.items() if key != "web_url"}
    async with (
        scripted_server(answering(body)) as url,
        CircleCI("t", base_url=url) as circle,
    ):
        with warnings.catch_warnings(record=True) as warned:
            warnings.simplefilter("always")
            first = await circle.jobs.get("gh/o/r", 7)
            second = await circle.jobs.get("gh/o/r", 7)
        assert circle.core.drift.seen == {("getJobDetails", "body.web_url")}
    assert first == second
    assert first.web_url is None
    assert first.name == "build"
    assert first.executor is not None
    assert [w.category for w in warned] == [SchemaDriftWarning]
    text = str(warned[0].message)
    assert "getJobDetails" in text
    assert "body.web_url" in text
    assert "a string (required)" in text
    assert "absent" in text
    assert sum("body.web_url" in record.getMessage() for record in caplog.records) == 2


async def test_strict_mode_turns_each_drift_into_a_decode_error() -> None:
    body = {**JOB, "executor": "medium", "parallelism": None}
    async with scripted_server(answering(body)) as url, CircleCI("t", base_url=url) as circle:
        assert circle.core.drift.strict
        with pytest.raises(DecodeError) as caught:
            await circle.jobs.get("gh/o/r", 7)
    error = caught.value
    assert "body.executor: the spec says an object (JobExecutor), got a string 'medium'" in str(
        error
    )
    assert "body.parallelism: the spec says an integer (required), got null" in str(error)
    assert error.data == body
    assert error.status == 200


@pytest.mark.lenient
async def test_strict_false_is_the_default() -> None:
    async with CircleCI("t") as lenient, CircleCI("t", strict=True) as strict:
        assert not lenient.core.drift.strict
        assert strict.core.drift.strict


@pytest.mark.lenient
async def test_a_value_of_the_wrong_kind_keeps_the_rest_of_the_answer() -> None:
    body = {**JOB, "project": "gh/o/r", "created_at": {"when": "now"}, "status": "paused"}
    async with scripted_server(answering(body)) as url, CircleCI("t", base_url=url) as circle:
        with pytest.warns(SchemaDriftWarning) as warned:
            job = await circle.jobs.get("gh/o/r", 7)
    assert job.project is None
    assert job.created_at is None
    assert job.status == "paused"
    assert isinstance(job.status, JobStatus)
    assert job.executor is not None
    assert job.executor.resource_class == "medium"
    paths = sorted(str(w.message).split(": ")[1] for w in warned)
    assert paths == ["body.created_at", "body.project", "body.status"]


def test_integers_for_numbers_and_whole_floats_for_integers_are_read_quietly() -> None:
    from circleci_async.models import JobDetails, TestResult

    details = decode({**JOB, "number": 7.0, "duration": 12.0}, JobDetails, "getJobDetails")
    assert details.duration == 12
    assert isinstance(details.duration, int)
    assert details.number == 7
    assert isinstance(details.number, int)
    test = {"name": "t", "classname": "c", "result": "success", "run_time": 3, "source": "junit"}
    result = decode(test, TestResult, "getTests")
    assert result.run_time == 3


def test_untyped_fields_keep_any_json_value() -> None:
    for value in (None, {"nested": [1, 2]}, 42, "uuid", [True]):
        body = {"org_id": value, "project_id": value, "branches": ["main"]}
        assert decode(body, InsightsBranches, "getAllInsightsBranches").org_id == value


def test_huge_integers_are_kept_exactly() -> None:
    from circleci_async import jsoncodec
    from circleci_async.models import JobDetails

    huge = 2**80 + 1
    data = jsoncodec.loads(json.dumps({**JOB, "duration": huge, "number": huge}).encode())
    job = decode(data, JobDetails, "getJobDetails")
    assert job.duration == huge
    assert job.number == huge


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (b"[1, 2]", "the answer is a list, where the spec says an object (JobDetails)"),
        (b"null", "the answer is null, where the spec says an object (JobDetails)"),
        (b"", "the answer is empty, where the spec promises JSON"),
        (b"<html>down</html>", "the body is not JSON"),
        (b'"done"', "the answer is a string 'done'"),
    ],
)
async def test_a_top_level_of_the_wrong_shape_is_a_clear_decode_error(
    body: bytes, said: str
) -> None:
    async with scripted_server(answering(body)) as url, CircleCI("t", base_url=url) as circle:
        with pytest.raises(DecodeError) as caught:
            await circle.jobs.get("gh/o/r", 7)
    error = caught.value
    text = str(error)
    assert said in text
    assert "getJobDetails (HTTP 200)" in text
    assert "NoneType" not in text
    assert "iterable" not in text
    assert error.status == 200
    assert error.method == "GET"
    assert error.url is not None
    assert error.url.endswith("/project/gh/o/r/job/7")
    assert error.body == body
    assert body[:10].decode() in text
    if body in (b"[1, 2]", b"null"):
        assert error.data == json.loads(body)


@pytest.mark.parametrize("body", [b"null", b"[]", b'{"items": null}'])
async def test_a_page_of_the_wrong_shape_is_a_clear_decode_error(body: bytes) -> None:
    async with scripted_server(answering(body)) as url, CircleCI("t", base_url=url) as circle:
        with pytest.raises(DecodeError) as caught:
            await circle.workflows.jobs("wf").collect()
    assert "listWorkflowJobs (HTTP 200)" in str(caught.value)
    assert "iterable" not in str(caught.value)


async def test_an_item_without_its_identity_is_a_decode_error_that_says_so() -> None:
    page = {"items": [{"name": "build"}], "next_page_token": None}
    async with scripted_server(answering(page)) as url, CircleCI("t", base_url=url) as circle:
        with pytest.raises(DecodeError) as caught:
            await circle.workflows.jobs("wf").collect()
    assert "body.items[].id is absent, and a Job cannot be read without it" in str(caught.value)
    assert caught.value.data == page


JOB_ITEM = {
    "id": "j1",
    "name": "build",
    "project_slug": "gh/o/r",
    "status": "success",
    "type": "build",
    "dependencies": [],
    "started_at": "2024-01-01T00:00:00Z",
    "job_number": 1,
}


async def test_take_and_first_decode_only_what_they_return() -> None:
    page = {"items": [JOB_ITEM, {"broken": True}], "next_page_token": None}
    async with scripted_server(answering(page)) as url, CircleCI("t", base_url=url) as circle:
        jobs = circle.workflows.jobs("wf")
        assert [job.id for job in await jobs.take(1)] == ["j1"]
        first = await jobs.first()
        assert first is not None
        assert first.name == "build"
        with pytest.raises(DecodeError, match="Job cannot be read"):
            await jobs.collect()
        assert await jobs.raw().collect() == page["items"]


async def test_raw_calls_go_through_retries_auth_and_paging(fake: FakeCircleCI) -> None:
    project = fake.state.add_project("gh/acme/app")
    for _ in range(5):
        fake.state.add_pipeline(project.slug)
    fake.page_size = 2
    fake.faults.error(500, times=1)
    clock = SteppingClock()
    async with CircleCI(
        fake.token, base_url=fake.base_url, clock=clock, sleep=clock.sleep
    ) as circle:
        me = await circle.raw.get("/me")
        assert me.status == 200
        assert me.data["login"] == "fake-user"
        page = await circle.raw.get("/project/{project-slug}/pipeline", project_slug=project.slug)
        assert len(page.data["items"]) == 2
        assert page.data["next_page_token"]
        walked = await circle.raw.pages(
            "/project/{project_slug}/pipeline", project_slug=project.slug
        ).collect()
        typed = circle.pipelines.list(project.slug)
        assert [p["id"] for p in walked] == [p.id async for p in typed]
        assert await typed.raw().collect() == walked
    api = [r for r in fake.requests if r.origin == "api"]
    assert api[0].status == 500
    assert api[1].status == 200
    assert all(r.headers.get("Circle-Token") == fake.token for r in api)


async def test_raw_names_the_operation_and_checks_its_arguments(fake: FakeCircleCI) -> None:
    async with CircleCI(fake.token, base_url=fake.base_url) as circle:
        assert circle.raw.endpoint("get", "/project/{project_slug}").operation_id == (
            "getProjectBySlug"
        )
        assert circle.raw.endpoint("GET", "/not/in/spec").operation_id == "GET /not/in/spec"
        with pytest.raises(ValueError, match="no value for project_slug"):
            await circle.raw.get("/project/{project-slug}")
        with pytest.raises(ValueError, match="no placeholder for job_number"):
            await circle.raw.get("/me", job_number=3)
        with pytest.raises(ValueError, match="project slug"):
            await circle.raw.get("/project/{project-slug}", project_slug="../../etc")
        with pytest.raises(ValueError, match="must start with '/'"):
            await circle.raw.get("me")


@pytest.mark.lenient
async def test_a_decode_error_leaves_the_answer_reachable_and_the_token_out() -> None:
    body = {"items": [{"name": "no id"}], "next_page_token": None}
    async with scripted_server(answering(body)) as url, CircleCI("secret-t", base_url=url) as c:
        with pytest.raises(DecodeError) as caught:
            await c.workflows.jobs("wf").collect()
    error = caught.value
    assert error.data == body
    assert "secret-t" not in str(error)
    assert "secret-t" not in repr(error)
    assert error.url is not None
    assert "secret-t" not in error.url


async def test_retry_policy_still_applies_to_raw_posts(fake: FakeCircleCI) -> None:
    fake.faults.error(500, times=1)
    clock = SteppingClock()
    async with CircleCI(
        fake.token,
        base_url=fake.base_url,
        clock=clock,
        sleep=clock.sleep,
        retry=RetryPolicy(attempts=3),
    ) as circle:
        with pytest.raises(Exception, match="500"):
            await circle.raw.post("/organization", json={"name": "x", "vcs_type": "circleci"})
    assert sum(1 for r in fake.requests if r.origin == "api") == 1  # a POST is sent once


@pytest.mark.parametrize(
    ("body", "said"),
    [(b"null", "the answer is null, where the spec says a list"), (b"{}", "an object")],
)
async def test_a_list_answer_of_the_wrong_shape_is_a_clear_decode_error(
    body: bytes, said: str
) -> None:
    async with scripted_server(answering(body)) as url, CircleCI("t", base_url=url) as circle:
        with pytest.raises(DecodeError, match="getCollaborations \\(HTTP 200\\)") as caught:
            await circle.users.collaborations()
    assert said in str(caught.value)
    assert "iterable" not in str(caught.value)


@pytest.mark.parametrize("body", [b"null", b"[]", b'"x"'])
async def test_an_items_answer_of_the_wrong_shape_is_a_clear_decode_error(body: bytes) -> None:
    async with scripted_server(answering(body)) as url, CircleCI("t", base_url=url) as circle:
        with pytest.raises(DecodeError, match="where the spec says an object") as caught:
            await circle.pipeline_definitions.list("gh/o/r")
    assert "iterable" not in str(caught.value)
