"""The fake's API routes: answers, spec conformance, paging, filters, auth and errors."""

from __future__ import annotations

import base64
import json

import pytest

from circleci_async.testing import ROUTES, FakeCircleCI, Job, Project

from .conftest import Api, FakeFactory
from .spec_validation import SPEC_PATH, recorded_violations

SLUG = "gh/acme/widgets"


def _project_with_history(fake: FakeCircleCI) -> tuple[Project, Job, Job]:
    project = fake.state.add_project(SLUG)
    pipeline = fake.state.add_pipeline(SLUG, branch="main")
    workflow = fake.state.add_workflow(pipeline.id, name="build-and-test", status="running")
    done = fake.state.add_job(workflow.id, name="test", status="success", parallelism=2)
    queued = fake.state.add_job(workflow.id, name="deploy", status="queued", dependencies=[done.id])
    fake.state.add_job(workflow.id, name="approve", status="on_hold", type="approval")
    assert done.number is not None
    fake.state.add_artifact(SLUG, done.number, "reports/junit.xml", b"<testsuites/>")
    fake.state.add_test(SLUG, done.number, name="test_ok")
    fake.state.add_test(SLUG, done.number, name="test_bad", result="failure", message="boom")
    return project, done, queued


def test_routes_match_the_spec() -> None:
    spec = json.loads(SPEC_PATH.read_text())
    for route in ROUTES:
        operation = spec["paths"][route.template][route.method.lower()]
        assert operation["operationId"] == route.operation_id


async def test_every_route_answers_and_conforms(fake: FakeCircleCI, api: Api) -> None:
    project, done, queued = _project_with_history(fake)
    pipeline = project.pipelines[0]
    workflow = pipeline.workflows[0]

    me = await api.get("/me")
    assert me.status == 200
    assert me.json["id"] == fake.state.user.id
    assert (await api.get(f"/project/{SLUG}")).json["slug"] == SLUG
    listed = await api.get(f"/project/{SLUG}/pipeline")
    assert [item["id"] for item in listed.json["items"]] == [pipeline.id]
    assert listed.json["next_page_token"] is None
    assert (await api.get(f"/pipeline/{pipeline.id}")).json["number"] == pipeline.number
    workflows = await api.get(f"/pipeline/{pipeline.id}/workflow")
    assert workflows.json["items"][0]["id"] == workflow.id
    assert (await api.get(f"/workflow/{workflow.id}")).json["status"] == "running"
    jobs = (await api.get(f"/workflow/{workflow.id}/job")).json["items"]
    assert [job["name"] for job in jobs] == ["test", "deploy", "approve"]
    assert jobs[0]["started_at"] is not None
    assert jobs[1]["started_at"] is None
    assert jobs[1]["dependencies"] == [done.id]
    assert "job_number" not in jobs[2]
    details = await api.get(f"/project/{SLUG}/job/{done.number}")
    assert details.json["number"] == done.number
    assert details.json["parallel_runs"] == [
        {"index": 0, "status": "success"},
        {"index": 1, "status": "success"},
    ]
    assert details.json["duration"] > 0
    queued_details = await api.get(f"/project/{SLUG}/job/{queued.number}")
    assert queued_details.json["started_at"] is None
    assert queued_details.json["duration"] is None
    artifacts = await api.get(f"/project/{SLUG}/{done.number}/artifacts")
    assert artifacts.json["items"][0]["path"] == "reports/junit.xml"
    tests = await api.get(f"/project/{SLUG}/{done.number}/tests")
    assert [(t["name"], t["result"]) for t in tests.json["items"]] == [
        ("test_ok", "success"),
        ("test_bad", "failure"),
    ]
    created = await api("POST", f"/project/{SLUG}/pipeline", json={"branch": "dev"})
    assert created.status == 201

    assert {r.operation_id for r in fake.requests} == fake.router.operation_ids
    assert all(r.status in (200, 201) for r in fake.requests)
    assert recorded_violations(fake.requests) == []


async def test_paging_walks_more_than_a_thousand_items(fake: FakeCircleCI, api: Api) -> None:
    fake.page_size = 40
    for _ in range(1_010):
        fake.state.add_pipeline(SLUG)
    numbers: list[int] = []
    tokens: list[str] = []
    query: dict[str, str] = {}
    while True:
        page = await api.get(f"/project/{SLUG}/pipeline", params=query)
        assert page.status == 200
        assert len(page.json["items"]) <= 40
        numbers += [item["number"] for item in page.json["items"]]
        token = page.json["next_page_token"]
        if token is None:
            break
        assert isinstance(token, str)
        assert token not in tokens
        tokens.append(token)
        query = {"page-token": token}
    assert numbers == list(range(1_010, 0, -1))
    assert len(tokens) == 25


async def test_page_token_honoured_where_the_spec_forgets_it(fake: FakeCircleCI, api: Api) -> None:
    fake.page_size = 2
    _, done, _ = _project_with_history(fake)
    for index in range(3):
        fake.state.add_artifact(SLUG, done.number or 0, f"extra/{index}.bin", b"x")
    first = await api.get(f"/project/{SLUG}/{done.number}/artifacts")
    second = await api.get(
        f"/project/{SLUG}/{done.number}/artifacts",
        params={"page-token": first.json["next_page_token"]},
    )
    assert [a["path"] for a in first.json["items"] + second.json["items"]] == [
        "reports/junit.xml",
        "extra/0.bin",
        "extra/1.bin",
        "extra/2.bin",
    ]
    assert second.json["next_page_token"] is None
    empty = await api.get(f"/project/{SLUG}/{done.number}/tests", params={"page-token": ""})
    assert len(empty.json["items"]) == 2


async def test_branch_filter_and_tokens_bound_to_their_query(fake: FakeCircleCI, api: Api) -> None:
    fake.page_size = 3
    for index in range(10):
        fake.state.add_pipeline(SLUG, branch="feature/x" if index % 2 else "main")
    seen: list[str] = []
    query = {"branch": "feature/x"}
    while True:
        page = await api.get(f"/project/{SLUG}/pipeline", params=query)
        seen += [item["vcs"]["branch"] for item in page.json["items"]]
        if page.json["next_page_token"] is None:
            break
        token = page.json["next_page_token"]
        query = {"branch": "feature/x", "page-token": token}
    assert seen == ["feature/x"] * 5
    wrong_query = await api.get(f"/project/{SLUG}/pipeline", params={"page-token": token})
    assert wrong_query.status == 400
    assert "page-token" in wrong_query.json["message"]


async def test_trigger_creates_a_pipeline_listed_first(fake: FakeCircleCI, api: Api) -> None:
    fake.state.add_project(SLUG)
    old = fake.state.add_pipeline(SLUG)
    created = await api(
        "POST",
        f"/project/{SLUG}/pipeline",
        json={"branch": "feature/y", "parameters": {"deploy": True, "n": 3}},
    )
    assert created.status == 201
    assert created.json["state"] == "pending"
    assert created.json["number"] == old.number + 1
    listed = await api.get(f"/project/{SLUG}/pipeline")
    assert [item["id"] for item in listed.json["items"]] == [created.json["id"], old.id]
    assert listed.json["items"][0]["trigger"]["type"] == "api"
    assert fake.state.pipelines[created.json["id"]].parameters == {"deploy": True, "n": 3}
    tagged = await api("POST", f"/project/{SLUG}/pipeline", json={"tag": "v1.0.0"})
    assert (await api.get(f"/pipeline/{tagged.json['id']}")).json["vcs"]["tag"] == "v1.0.0"
    no_body = await api("POST", f"/project/{SLUG}/pipeline")
    assert no_body.status == 201


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"{not json", "JSON"),
        (b'{"branch": "a", "tag": "b"}', "mutually exclusive"),
        (b'{"config": {}}', "config"),
        (b'{"parameters": {"x": [1]}}', "parameters"),
        (b"[1]", "object"),
    ],
)
async def test_trigger_rejects_bad_bodies(
    fake: FakeCircleCI, api: Api, body: bytes, fragment: str
) -> None:
    fake.state.add_project(SLUG)
    answer = await api(
        "POST", f"/project/{SLUG}/pipeline", data=body, headers={"Content-Type": "application/json"}
    )
    assert answer.status == 400
    assert fragment in answer.json["message"]
    assert fake.state.projects[SLUG].pipelines == []


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


async def test_each_accepted_auth_form(fake: FakeCircleCI, api: Api) -> None:
    token = fake.token
    for headers in (
        {"Circle-Token": token},
        {"Authorization": f"Bearer {token}"},
        {"Authorization": _basic(token, "")},
    ):
        assert (await api.get("/me", auth=False, headers=headers)).status == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Circle-Token": "wrong"},
        {"Circle-Token": ""},
        {"Authorization": "Bearer wrong"},
        {"Authorization": "Token {token}"},
        {"Authorization": "Basic !!!"},
        {"Authorization": "basic-password"},
    ],
)
async def test_unauthenticated_requests_get_401(
    fake: FakeCircleCI, api: Api, headers: dict[str, str]
) -> None:
    sent = {name: value.format(token=fake.token) for name, value in headers.items()}
    answer = await api.get("/me", auth=False, headers=sent)
    assert answer.status == 401
    assert answer.json == {"message": "You must log in first."}


async def test_basic_auth_with_a_password_and_query_token_are_refused(
    fake: FakeCircleCI, api: Api
) -> None:
    basic = {"Authorization": _basic(fake.token, "secret")}
    assert (await api.get("/me", auth=False, headers=basic)).status == 401
    query = await api.get("/me", auth=False, params={"circle-token": fake.token})
    assert query.status == 401


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/pipeline/00000000-0000-4000-8000-000000000000", 404, "Pipeline not found"),
        ("/pipeline/00000000-0000-4000-8000-000000000000/workflow", 404, "Pipeline not found"),
        ("/workflow/00000000-0000-4000-8000-000000000000", 404, "Workflow not found"),
        ("/workflow/00000000-0000-4000-8000-000000000000/job", 404, "Workflow not found"),
        ("/project/gh/acme/nope", 404, "Project not found"),
        ("/project/gh/acme/nope/pipeline", 404, "Project not found"),
        (f"/project/{SLUG}/job/999", 404, "Job not found"),
        (f"/project/{SLUG}/999/artifacts", 404, "Job not found"),
        (f"/project/{SLUG}/999/tests", 404, "Job not found"),
        (f"/project/{SLUG}/job/abc", 400, "job-number"),
        (f"/project/{SLUG}/1.5/artifacts", 400, "job-number"),
        (f"/project/{SLUG}/-1/tests", 400, "job-number"),
        ("/no/such/route", 404, "Not found"),
    ],
)
async def test_errors_look_like_circleci(
    fake: FakeCircleCI, api: Api, path: str, status: int, message: str
) -> None:
    fake.state.add_project(SLUG)
    answer = await api.get(path)
    assert answer.status == status
    assert message in answer.json["message"]


async def test_wrong_method_is_405(fake: FakeCircleCI, api: Api) -> None:
    answer = await api("DELETE", "/me")
    assert answer.status == 405
    assert answer.json == {"message": "Method not allowed"}


@pytest.mark.parametrize(
    "spelling",
    ["gh/acme/widgets", "gh%2Facme%2Fwidgets", "gh/acme%2Fwidgets", "github/acme/widgets"],
)
async def test_slug_spellings(fake: FakeCircleCI, api: Api, spelling: str) -> None:
    _, done, _ = _project_with_history(fake)
    assert (await api.get(f"/project/{spelling}")).json["slug"] == SLUG
    assert (await api.get(f"/project/{spelling}/pipeline")).status == 200
    assert (await api.get(f"/project/{spelling}/job/{done.number}")).status == 200
    assert (await api.get(f"/project/{spelling}/{done.number}/artifacts")).status == 200
    assert fake.requests[-1].path.startswith(f"/api/v2/project/{spelling}/")


async def test_circleci_slugs_with_uuids(fake: FakeCircleCI, api: Api) -> None:
    slug = f"circleci/{fake.state.new_id()}/{fake.state.new_id()}"
    project = fake.state.add_project(slug, name="web", organization_name="acme")
    fake.state.add_pipeline(slug)
    body = (await api.get("/project/" + slug.replace("/", "%2F"))).json
    assert body["vcs_info"]["provider"] == "CircleCI"
    assert body["organization_slug"] == "circleci/" + slug.split("/")[1]
    assert body["id"] == project.id
    listed = await api.get(f"/project/{slug}/pipeline")
    assert listed.json["items"][0]["project_slug"] == slug


async def test_demo_organisation_conforms_end_to_end(fake_factory: FakeFactory, api: Api) -> None:
    demo = await fake_factory(seed=11, page_size=100)
    api = Api(demo, api.http)
    projects = list(demo.state.projects.values())
    assert len(projects) == 2
    checked_jobs = 0
    for project in projects:
        pipelines = (await api.get(f"/project/{project.slug}/pipeline")).json["items"]
        assert len(pipelines) == 15
        for pipeline in pipelines:
            assert (await api.get(f"/pipeline/{pipeline['id']}")).status == 200
            for workflow in (await api.get(f"/pipeline/{pipeline['id']}/workflow")).json["items"]:
                assert (await api.get(f"/workflow/{workflow['id']}")).status == 200
                jobs = (await api.get(f"/workflow/{workflow['id']}/job")).json["items"]
                for job in jobs:
                    if "job_number" not in job:
                        continue
                    number = job["job_number"]
                    for suffix in (f"job/{number}", f"{number}/artifacts", f"{number}/tests"):
                        assert (await api.get(f"/project/{project.slug}/{suffix}")).status == 200
                    checked_jobs += 1
    assert checked_jobs > 60
    statuses = {job.status for job in demo.state.jobs.values()}
    assert {"success", "failed", "running", "blocked"} <= statuses
    assert any(job.tests for job in demo.state.jobs.values())
    assert any(job.artifacts for job in demo.state.jobs.values())
    assert recorded_violations(demo.requests) == []
