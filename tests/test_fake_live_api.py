"""The fake follows the live API where the spec is wrong (testing.live_api), over loopback."""

from __future__ import annotations

import warnings
from typing import Any

import aiohttp
import pytest

from circleci_async import CircleCI
from circleci_async.errors import SchemaDriftWarning
from circleci_async.testing import FakeCircleCI
from circleci_async.testing.live_api import LIVE_DEVIATIONS, OUTSIDE_THE_SPEC
from circleci_async.testing.live_routes import LIVE_ROUTES
from circleci_async.testing.routing import ROUTES

from .conftest import Api

SLUG = "gh/acme/rocket"
CONFIG = "version: 2.1\r\njobs:\n  build:   \n    docker:\n      - image: cimg/base:stable\n"


async def outside(
    fake: FakeCircleCI, http: aiohttp.ClientSession, method: str, path: str, **kwargs: Any
) -> tuple[int, Any]:
    """Call a path outside `/api/v2` on the fake's API origin, with the token."""
    origin = fake.base_url.removesuffix("/api/v2")
    headers = {"Circle-Token": fake.token, **kwargs.pop("headers", {})}
    async with http.request(method, origin + path, headers=headers, **kwargs) as response:
        body = await response.json() if response.content_type == "application/json" else None
        return response.status, body


def test_every_endpoint_outside_the_spec_is_listed_with_evidence_and_routed() -> None:
    assert {route.operation_id for route in LIVE_ROUTES} == OUTSIDE_THE_SPEC
    spec_routes = {route.operation_id for route in ROUTES}
    for entry in LIVE_DEVIATIONS:
        assert entry.evidence
        assert entry.operation in OUTSIDE_THE_SPEC or entry.operation in spec_routes


async def test_followed_projects_are_paged_with_name_slug_and_vcs_type(
    fake: FakeCircleCI, http: aiohttp.ClientSession
) -> None:
    for repo in ("a", "b", "c"):
        fake.state.add_project(f"gh/acme/{repo}")
    fake.page_size = 2
    status, first = await outside(fake, http, "GET", "/api/private/me/followed-projects")
    assert status == 200
    assert first["items"] == [
        {"name": "a", "slug": "gh/acme/a", "vcs_type": "github"},
        {"name": "b", "slug": "gh/acme/b", "vcs_type": "github"},
    ]
    token = first["next_page_token"]
    _, second = await outside(
        fake, http, "GET", "/api/private/me/followed-projects", params={"page-token": token}
    )
    assert [p["slug"] for p in second["items"]] == ["gh/acme/c"]
    assert second["next_page_token"] is None


async def test_the_private_api_needs_the_token(
    fake: FakeCircleCI, http: aiohttp.ClientSession
) -> None:
    origin = fake.base_url.removesuffix("/api/v2")
    async with http.get(origin + "/api/private/me/followed-projects") as response:
        assert response.status == 401


async def test_the_v1_user_and_a_projects_recent_jobs(
    fake: FakeCircleCI, http: aiohttp.ClientSession
) -> None:
    fake.state.add_project(SLUG)
    pipeline = fake.state.add_pipeline(SLUG, branch="main")
    workflow = fake.state.add_workflow(pipeline.id, name="build")
    jobs = [fake.state.add_job(workflow.id, name=f"job-{n}", status="success") for n in range(3)]
    status, user = await outside(fake, http, "GET", "/api/v1.1/me")
    assert (status, user["login"]) == (200, fake.state.user.login)
    path = "/api/v1.1/project/github/acme/rocket"
    status, builds = await outside(fake, http, "GET", path, params={"limit": "2"})
    assert status == 200
    assert [b["build_num"] for b in builds] == [jobs[2].number, jobs[1].number]
    assert builds[0]["workflows"]["job_name"] == "job-2"
    assert (builds[0]["status"], builds[0]["branch"], builds[0]["vcs_type"]) == (
        "success",
        "main",
        "github",
    )
    _, rest = await outside(fake, http, "GET", path, params={"offset": "2"})
    assert [b["build_num"] for b in rest] == [jobs[0].number]
    bad, _ = await outside(fake, http, "GET", path, params={"limit": "101"})
    assert bad == 400
    missing, _ = await outside(fake, http, "GET", "/api/v1.1/project/github/acme/nothing")
    assert missing == 404


async def test_compile_config_answers_the_config_it_was_sent_processed(api: Api) -> None:
    answer = await api("POST", "/compile-config-with-defaults", json={"config_yaml": CONFIG})
    assert answer.status == 200
    assert answer.json == {
        "valid": True,
        "errors": None,
        "source-yaml": CONFIG,
        "output-yaml": (
            "version: 2.1\njobs:\n  build:\n    docker:\n      - image: cimg/base:stable\n"
        ),
    }


@pytest.mark.parametrize(
    ("config", "error"),
    [
        ("jobs:\n  build: {}\n", "missing required key 'version'"),
        ("version: 2.1\n", "a config needs jobs or workflows"),
        ("version: 2.1\njobs:\n\tbuild: {}\n", "tabs are not allowed"),
    ],
)
async def test_compile_config_reports_what_is_wrong(api: Api, config: str, error: str) -> None:
    answer = await api("POST", "/compile-config-with-defaults", json={"config_yaml": config})
    assert answer.json["valid"] is False
    assert any(error in item["message"] for item in answer.json["errors"])
    assert answer.json["output-yaml"] == ""


async def test_compile_config_refuses_a_body_without_config_yaml(api: Api) -> None:
    for body in ({}, {"config_yaml": 3}, ["version: 2.1"]):
        answer = await api("POST", "/compile-config-with-defaults", json=body)
        assert answer.status == 400
        assert "config_yaml" in answer.json["message"]
    big = await api("POST", "/compile-config-with-defaults", json={"config_yaml": "x" * 300_000})
    assert big.status == 413


async def test_flaky_tests_come_in_snake_case_and_decode_strictly(
    fake: FakeCircleCI, api: Api
) -> None:
    fake.state.add_project(SLUG)
    pipeline = fake.state.add_pipeline(SLUG)
    job = fake.state.add_job(fake.state.add_workflow(pipeline.id, name="build").id, name="test")
    fake.state.add_test(SLUG, job.number or 0, name="test_a", result="failure")
    answer = await api.get(f"/insights/{SLUG}/flaky-tests")
    assert set(answer.json) == {"flaky_tests", "total_flaky_tests"}
    assert "test_name" in answer.json["flaky_tests"][0]
    async with CircleCI(fake.token, base_url=fake.base_url) as circle:
        assert circle.core.drift.strict
        with warnings.catch_warnings():
            warnings.simplefilter("error", SchemaDriftWarning)
            flaky = await circle.insights.flaky_tests(SLUG)
    assert [t.test_name for t in flaky.flaky_tests] == ["test_a"]
    assert flaky.total_flaky_tests == 1


async def test_a_run_may_carry_config_content_as_on_the_live_api(
    fake: FakeCircleCI, api: Api
) -> None:
    fake.state.add_project(SLUG)
    path = f"/project/{SLUG}/pipeline/run"
    body = {"config": {"branch": "main", "content": "version: 2.1"}, "checkout": {"branch": "main"}}
    assert (await api("POST", path, json=body)).status == 201
    wrong = await api("POST", path, json={"config": {"branch": "main", "content": 7}})
    assert wrong.status == 400
    assert "config.content" in wrong.json["message"]
    other = await api("POST", path, json={"config": {"branch": "main", "file": "x"}})
    assert other.status == 400


async def test_deploy_components_page_without_a_page_size(fake: FakeCircleCI, api: Api) -> None:
    org = fake.state.add_organization("rockets")
    answer = await api.get("/deploy/components", params={"org-id": org.id})
    assert answer.status == 200
    assert answer.json == {"items": [], "next_page_token": None}
