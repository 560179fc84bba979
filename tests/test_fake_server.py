"""The fake server itself: lifecycle, recording, state factories, the spec check, the plugin."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import aiohttp
import pytest

from circleci_async.testing import FakeCircleCI, FakeState, RecordedRequest, Route
from circleci_async.testing.api_context import ApiContext
from circleci_async.testing.replies import Reply

from .conftest import Api, FakeFactory
from .spec_validation import KNOWN_DEVIATIONS, recorded_violations, violations

SLUG = "gh/acme/widgets"


async def test_lifecycle_and_urls(http: aiohttp.ClientSession) -> None:
    fake = FakeCircleCI()
    with pytest.raises(RuntimeError, match="not started"):
        _ = fake.base_url
    await fake.start()
    try:
        assert fake.started
        assert fake.base_url.startswith("http://127.0.0.1:")
        assert fake.base_url.endswith("/api/v2")
        assert fake.artifacts_url.startswith("http://localhost:")
        assert fake.storage_url.startswith("http://127.0.0.2:")
        with pytest.raises(RuntimeError, match="already started"):
            await fake.start()
        url = fake.base_url + "/me"
        async with http.get(url, headers={"Circle-Token": fake.token}) as response:
            assert response.status == 200
    finally:
        await fake.close()
    await fake.close()
    assert not fake.started
    with pytest.raises(aiohttp.ClientConnectionError):
        await http.get(url)


def test_tokens() -> None:
    first, second = FakeCircleCI(), FakeCircleCI()
    assert first.token.startswith("fake-")
    assert first.token != second.token
    assert FakeCircleCI(token="my-token").token == "my-token"
    with pytest.raises(ValueError, match="page_size"):
        FakeCircleCI(page_size=0)


async def test_recorded_request_fields(fake: FakeCircleCI, api: Api) -> None:
    fake.state.add_project(SLUG)
    await api.get(f"/project/{SLUG}/pipeline", params={"branch": "main"}, headers={"X-Y": "z"})
    (record,) = fake.requests
    assert record.origin == "api"
    assert record.method == "GET"
    assert record.path == f"/api/v2/project/{SLUG}/pipeline"
    assert record.query == {"branch": "main"}
    assert record.headers["X-Y"] == "z"
    assert record.headers["Circle-Token"] == fake.token
    assert record.operation_id == "listPipelinesForProject"
    assert record.status == 200
    assert record.body_json == {"items": [], "next_page_token": None}
    assert record.answered_at is not None
    assert record.received_at <= record.answered_at
    assert fake.requests_for("listPipelinesForProject") == [record]


async def test_record_false_keeps_memory_flat_but_reports(
    fake_factory: FakeFactory, http: aiohttp.ClientSession
) -> None:
    seen: list[RecordedRequest] = []
    quiet = await fake_factory(record=False)
    checker = quiet.on_response
    assert checker is not None

    def both(record: RecordedRequest) -> None:
        seen.append(record)
        checker(record)

    quiet.on_response = both
    for _ in range(3):
        async with http.get(quiet.base_url + "/me", headers={"Circle-Token": quiet.token}) as r:
            assert r.status == 200
    assert quiet.requests == []
    assert [record.status for record in seen] == [200, 200, 200]


def test_state_starts_with_only_the_user() -> None:
    state = FakeState()
    assert state.projects == {}
    assert state.user.login == "fake-user"
    assert FakeCircleCI().state.projects == {}


def test_seed_demo_is_deterministic() -> None:
    first, second, other = FakeState(seed=5), FakeState(seed=5), FakeState(seed=6)
    for state in (first, second, other):
        state.seed_demo(5 if state is not other else 6)

    def fingerprint(state: FakeState) -> list[tuple[str, str, int]]:
        return [(job.id, job.status, len(job.artifacts)) for job in state.jobs.values()]

    assert fingerprint(first) == fingerprint(second)
    assert fingerprint(first) != fingerprint(other)
    assert first.user.id == second.user.id
    assert first.user.id not in first.jobs
    demo = FakeCircleCI(seed=5).state
    assert len(demo.projects) == 4
    assert 28 <= len(demo.pipelines) <= 32
    assert demo.artifacts
    assert all(a.blob.data is None for a in demo.artifacts.values() if a.size > 1024 * 1024)


def test_factories_validate_and_number_jobs() -> None:
    state = FakeState(seed=1)
    project = state.add_project("github/acme/widgets")
    assert project.slug == SLUG
    assert state.project("github/acme/widgets") is project
    with pytest.raises(ValueError, match="already exists"):
        state.add_project(SLUG)
    with pytest.raises(ValueError, match="slug"):
        state.add_project("gh/only-two")
    pipeline = state.add_pipeline(SLUG, tag="v1")
    assert (pipeline.branch, pipeline.tag) == (None, "v1")
    with pytest.raises(ValueError, match="pipeline state"):
        state.add_pipeline(SLUG, state="bogus")  # type: ignore[arg-type]
    workflow = state.add_workflow(pipeline.id, status="on_hold")
    assert workflow.stopped_at is None
    jobs = [state.add_job(workflow.id, name=f"j{i}") for i in range(3)]
    approval = state.add_job(workflow.id, name="hold", type="approval", status="on_hold")
    queued = state.add_job(workflow.id, status="queued")
    forced = state.add_job(workflow.id, status="queued", started=True)
    assert [job.number for job in jobs] == [1, 2, 3]
    assert approval.number is None
    assert approval.approval_request_id == approval.id
    assert queued.number == 4
    assert queued.started_at is None
    assert forced.started_at is not None
    with pytest.raises(ValueError, match="job status"):
        state.add_job(workflow.id, status="done")  # type: ignore[arg-type]
    with pytest.raises(KeyError):
        state.add_artifact(SLUG, 99, "x")
    default = state.add_artifact(SLUG, 1, "x.bin")
    assert default.size == 1024
    assert len(default.read()) == 1024


async def test_known_deviation_is_needed_and_documented(fake: FakeCircleCI, api: Api) -> None:
    pipeline = fake.state.add_pipeline(SLUG)
    workflow = fake.state.add_workflow(pipeline.id, status="running")
    fake.state.add_job(workflow.id, status="blocked")
    body = (await api.get(f"/workflow/{workflow.id}/job")).json
    assert body["items"][0]["started_at"] is None
    assert violations("listWorkflowJobs", 200, body) == []
    assert all(deviation.reason for deviation in KNOWN_DEVIATIONS)
    body["items"][0]["stopped_at"] = "yesterday"
    body["items"][0]["name"] = None
    problems = violations("listWorkflowJobs", 200, body)
    assert len(problems) == 2
    assert all("/items/0/" in problem for problem in problems)


@pytest.mark.parametrize(
    ("operation", "status", "body", "fragment"),
    [
        ("getWorkflowById", 200, {"id": "x"}, "is a required property"),
        ("getCurrentUser", 200, {"id": "not-a-uuid", "login": "a", "name": "b",
                                 "avatar_url": None}, "uuid"),
        ("getPipelineById", 200, {"state": "weird"}, "is not one of"),
        ("triggerPipeline", 200, {}, "status not declared"),
        ("getCurrentUser", 500, {"message": 5}, "is not of type"),
        ("noSuchOperation", 200, {}, "no such operationId"),
    ],
)  # fmt: skip
def test_spec_validation_reports_violations(
    operation: str, status: int, body: object, fragment: str
) -> None:
    problems = violations(operation, status, body)
    assert problems
    assert any(fragment in problem for problem in problems)


def test_spec_validation_reads_x_nullable() -> None:
    workflow = {
        "id": "5034460f-c7c4-4c43-9457-de07e2029e7b",
        "name": "w",
        "status": "running",
        "created_at": "2025-01-01T00:00:00Z",
        "stopped_at": None,
        "pipeline_id": "5034460f-c7c4-4c43-9457-de07e2029e7b",
        "pipeline_number": 1,
        "project_slug": SLUG,
        "started_by": "5034460f-c7c4-4c43-9457-de07e2029e7b",
        "tag": None,
    }
    assert violations("getWorkflowById", 200, workflow) == []
    workflow["created_at"] = "2025-01-01T00:00:00"
    assert violations("getWorkflowById", 200, workflow)


async def test_drifting_responses_are_caught(http: aiohttp.ClientSession) -> None:
    async with FakeCircleCI() as drifting:
        pipeline = drifting.state.add_pipeline(SLUG)
        workflow = drifting.state.add_workflow(pipeline.id)
        workflow.status = "exploded"  # type: ignore[assignment]
        headers = {"Circle-Token": drifting.token}
        async with http.get(f"{drifting.base_url}/workflow/{workflow.id}", headers=headers) as r:
            assert r.status == 200
    problems = recorded_violations(drifting.requests)
    assert len(problems) == 1
    assert "getWorkflowById 200: at /status" in problems[0]


async def test_routes_can_be_added_table_style(fake: FakeCircleCI, api: Api) -> None:
    async def get_pipeline_config(ctx: ApiContext) -> Reply:
        ctx.params["pipeline-id"]
        return Reply.json(200, {"source": "version: 2.1", "compiled": "version: 2"})

    fake.router.replace(
        Route("GET", "/pipeline/{pipeline-id}/config", "getPipelineConfigById", get_pipeline_config)
    )
    answer = await api.get("/pipeline/5034460f-c7c4-4c43-9457-de07e2029e7b/config")
    assert answer.json["source"] == "version: 2.1"
    assert fake.requests[-1].operation_id == "getPipelineConfigById"
    with pytest.raises(ValueError, match="already routed"):
        fake.router.add(Route("GET", "/me", "getCurrentUser", get_pipeline_config))


class TestPlugin:
    @pytest.fixture
    def fake_circleci_options(self) -> dict[str, object]:
        return {"seed": 2, "page_size": 7}

    async def test_fixture_gives_a_started_fake(self, fake_circleci: FakeCircleCI) -> None:
        assert fake_circleci.started
        assert fake_circleci.page_size == 7
        assert len(fake_circleci.state.projects) == 4

    @pytest.mark.slow
    def test_without_pytest_asyncio_the_fixture_explains(self, tmp_path: Path) -> None:
        (tmp_path / "test_user.py").write_text(
            textwrap.dedent(
                """
                def test_uses_fake(fake_circleci):
                    pass
                """
            )
        )
        script = textwrap.dedent(
            """
            import sys
            sys.modules["pytest_asyncio"] = None
            import pytest
            sys.exit(pytest.main(["-p", "circleci_async.testing.pytest_plugin",
                                  "-p", "no:cacheprovider", "-q", sys.argv[1]]))
            """
        )
        env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
        result = subprocess.run(
            [sys.executable, "-c", script, str(tmp_path)],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=60,
            check=False,
        )
        assert result.returncode == 1, result.stdout + result.stderr
        assert "needs pytest-asyncio: pip install pytest-asyncio" in result.stdout
        assert "1 error" in result.stdout
