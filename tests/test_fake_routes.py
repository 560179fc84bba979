"""The fake's API routes: answers, spec conformance, paging, filters, auth and errors."""

from __future__ import annotations

import base64
import json
import re

import pytest

from circleci_async import OPERATIONS
from circleci_async.models.spec_fixes import UNDECLARED_PAGE_TOKEN
from circleci_async.testing import (
    ROUTES,
    ContextRecord,
    FakeCircleCI,
    JobRecord,
    ProjectRecord,
    Route,
)
from circleci_async.testing.routing import default_router

from .conftest import Api, FakeFactory
from .spec_validation import SPEC_PATH, recorded_violations

SLUG = "gh/acme/widgets"
CORE_OPERATIONS = {
    "getCurrentUser", "getProjectBySlug", "listPipelinesForProject", "triggerPipeline",
    "getPipelineById", "listWorkflowsByPipelineId", "getWorkflowById", "listWorkflowJobs",
    "getJobDetails", "getJobArtifacts", "getTests",
}  # fmt: skip
"""The operations the fake served first; tests/test_every_operation.py covers all of them."""


def _project_with_history(fake: FakeCircleCI) -> tuple[ProjectRecord, JobRecord, JobRecord]:
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


async def test_core_routes_answer_and_conform(fake: FakeCircleCI, api: Api) -> None:
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

    assert {r.operation_id for r in fake.requests} == CORE_OPERATIONS
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
    assert len(projects) == 4
    checked_jobs = 0
    for project in projects:
        pipelines = (await api.get(f"/project/{project.slug}/pipeline")).json["items"]
        owned = [p for p in demo.state.pipelines.values() if p.project_slug == project.slug]
        assert pipelines
        assert len(pipelines) == len(owned)
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


# The whole spec ------------------------------------------------------------------------

ANY_ID = "5034460f-c7c4-4c43-9457-de07e2029e7b"
SAMPLE_VALUES = {
    "project-slug": ("gh/acme/widgets", "circleci%2F" + ANY_ID + "%2F" + ANY_ID),
    "org-slug": ("gh/acme", "circleci/" + ANY_ID),
    "org-slug-or-id": ("gh/acme", ANY_ID),
    "provider": ("gh", "circleci"),
    "organization": ("acme", ANY_ID),
    "project": ("widgets", ANY_ID),
    "job-number": ("7", "12345"),
    "pipeline-number": ("12", "3"),
    "workflow-name": ("build", "build%20and%20test"),
    "fingerprint": ("c9:0b:1c:4f", "SHA256:abc%2Bdef%2F0"),
    "name": ("API_KEY", "TOKEN"),
    "env_var_name": ("API_KEY", "TOKEN"),
    "policyName": ("docker", "no-latest"),
    "context": ("config", "config"),
}
"""Two spellings of each path parameter; every other one is given `ANY_ID`."""


def sample_path(template: str, variant: int) -> str:
    """`template` with each parameter spelt as in `SAMPLE_VALUES[name][variant]`."""

    def value(found: re.Match[str]) -> str:
        return SAMPLE_VALUES.get(found.group(1), (ANY_ID, ANY_ID))[variant]

    return re.sub(r"\{([^{}]+)\}", value, template)


def spec_operations() -> dict[str, tuple[str, str]]:
    spec = json.loads(SPEC_PATH.read_text())
    return {
        operation["operationId"]: (method.upper(), path)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "operationId" in operation
    }


def test_the_route_table_covers_every_spec_operation() -> None:
    table = {route.operation_id: (route.method, route.template) for route in ROUTES}
    assert len(ROUTES) == len(table), "two routes serve one operation"
    assert table == spec_operations()
    assert set(table) == set(OPERATIONS)
    assert default_router().operation_ids == frozenset(OPERATIONS)


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.operation_id)
def test_each_spec_path_reaches_its_own_route(route: Route) -> None:
    router = default_router()
    for variant in (0, 1):
        path = sample_path(route.template, variant)
        match = router.resolve(route.method, path)
        assert match is not None, path
        assert match.route.operation_id == route.operation_id, path


async def test_oidc_and_policy_errors_say_error_not_message(fake: FakeCircleCI, api: Api) -> None:
    policy = f"/owner/{ANY_ID}/context/config/policy-bundle"
    unauthenticated = await api.get(policy, auth=False)
    assert unauthenticated.status == 401
    assert unauthenticated.json == {"error": "You must log in first."}
    assert (await api.get(policy)).json == {"error": "Owner not found."}
    assert (await api.get(f"/org/{ANY_ID}/oidc-custom-claims")).json == {
        "error": "Organization not found."
    }
    assert (await api.get(f"/context/{ANY_ID}")).json == {"message": "Context not found."}


@pytest.fixture
def world(fake: FakeCircleCI) -> dict[str, str]:
    """Ids of a project with a finished workflow, its organization and a context."""
    project, done, _ = _project_with_history(fake)
    context = ContextRecord(
        id=fake.state.new_id(),
        name="deploy",
        owner_id=project.organization_id,
        owner_type="organization",
        created_at=fake.state.now(),
    )
    fake.state.contexts[context.id] = context
    return {
        "slug": SLUG,
        "org": project.organization_id,
        "project": project.id,
        "context": context.id,
        "workflow": done.workflow_id,
        "job": done.id,
    }


BAD_BODIES = [
    ("POST", "/context", {"name": "x", "owner": {"id": "{org}"}, "colour": 1}, "colour"),
    ("POST", "/context", {"name": "x", "owner": {"id": "{org}", "slug": "gh/acme"}}, "one"),
    ("PUT", "/context/{context}/environment-variable/1BAD", {"value": "x"}, "1BAD"),
    ("POST", "/context/{context}/restrictions", {"restriction_type": "team"}, "restriction"),
    (
        "POST",
        "/webhook",
        {
            "name": "n",
            "url": "http://example.com",
            "events": ["job-completed"],
            "verify-tls": True,
            "signing-secret": "s",
            "scope": {"id": "{project}", "type": "project"},
        },
        "https",
    ),
    (
        "POST",
        "/project/{slug}/schedule",
        {
            "name": "n",
            "attribution-actor": "current",
            "parameters": {"branch": "main"},
            "timetable": {"per-hour": 1, "hours-of-day": [3]},
        },
        "days-of-week",
    ),
    ("PATCH", "/project/{slug}/settings", {"advanced": {"colour": True}}, "colour"),
    ("POST", "/project/{slug}/pipeline/run", {"config": {"branch": "a", "tag": "b"}}, "not both"),
    ("POST", "/workflow/{workflow}/rerun", {"from_failed": True, "jobs": ["{job}"]}, "exclusive"),
    ("POST", "/workflow/{workflow}/rerun", {"enable_ssh": True}, "requires jobs"),
    ("POST", "/organizations/{org}/groups", {"name": 3}, "name must be a string"),
    ("POST", "/organizations/{org}/usage_export_job", {"start": "May", "end": "June"}, "3339"),
    ("POST", "/projects/{project}/pipeline-definitions", {"name": "b"}, "config_source"),
    ("PATCH", "/org/{org}/oidc-custom-claims", {"ttl": "forever"}, "ttl"),
    ("POST", "/owner/{org}/context/config/decision", {"metadata": {}}, "input"),
    ("POST", "/owner/{org}/context/other/decision", {"input": "x"}, "config"),
    (
        "POST",
        "/owner/{org}/context/config/policy-bundle",
        {"policies": {"a.rego": "package other"}},
        "package org",
    ),
]


def _fill(value: object, ids: dict[str, str]) -> object:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, list):
        return [_fill(item, ids) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    return value


@pytest.mark.parametrize(("method", "path", "body", "fragment"), BAD_BODIES)
async def test_invalid_bodies_are_400s(
    fake: FakeCircleCI,
    api: Api,
    world: dict[str, str],
    method: str,
    path: str,
    body: dict[str, object],
    fragment: str,
) -> None:
    answer = await api(method, path.format(**world), json=_fill(body, world))
    assert answer.status == 400
    assert fake.requests[-1].operation_id is not None
    (text,) = answer.json.values()
    assert fragment in text


async def test_standalone_projects_cannot_be_followed(fake: FakeCircleCI, api: Api) -> None:
    answer = await api("POST", f"/project/circleci/{ANY_ID}/{ANY_ID}")
    assert answer.status == 405
    assert "Bitbucket" in answer.json["message"]


async def test_deploy_lists_page_by_page_size(fake: FakeCircleCI, api: Api) -> None:
    org = fake.state.add_organization("rockets")
    for index in range(5):
        fake.state.add_environment(org.id, f"env-{index}")
    names: list[str] = []
    sizes: list[int] = []
    query = {"org-id": org.id, "page-size": "2"}
    while True:
        page = (await api.get("/deploy/environments", params=query)).json
        names += [item["name"] for item in page["items"]]
        sizes.append(len(page["items"]))
        if page["next_page_token"] is None:
            break
        query = {**query, "page-token": page["next_page_token"]}
    assert sizes == [2, 2, 1]
    assert names == [f"env-{index}" for index in range(5)]
    unsized = await api.get("/deploy/environments", params={"org-id": org.id})
    assert unsized.status == 200  # optional, as on the live API (testing.live_api)
    assert len(unsized.json["items"]) == min(5, fake.page_size)
    bad = await api.get("/deploy/environments", params={"org-id": org.id, "page-size": "0"})
    assert bad.status == 400
    assert "page-size" in bad.json["message"]


async def test_groups_page_by_limit_with_a_total(fake: FakeCircleCI, api: Api) -> None:
    org = fake.state.add_organization("rockets")
    for index in range(3):
        await api("POST", f"/organizations/{org.id}/groups", json={"name": f"g{index}"})
    first = (await api.get(f"/organizations/{org.id}/groups", params={"limit": "2"})).json
    assert (len(first["items"]), first["total_count"]) == (2, 3)
    second = await api.get(
        f"/organizations/{org.id}/groups",
        params={"limit": "2", "page-token": first["next_page_token"]},
    )
    assert [item["name"] for item in second.json["items"]] == ["g2"]
    assert second.json["next_page_token"] is None


async def test_decision_logs_page_by_offset(fake: FakeCircleCI, api: Api) -> None:
    fake.page_size = 2
    org = fake.state.add_organization("rockets")
    decide = f"/owner/{org.id}/context/config/decision"
    for build in range(5):
        await api("POST", decide, json={"input": "x", "metadata": {"build_number": build}})
    pages = [(await api.get(decide, params={"offset": str(at)})).json for at in (0, 2, 4, 6)]
    assert [[log["metadata"]["build_number"] for log in page] for page in pages] == [
        [4, 3],
        [2, 1],
        [0],
        [],
    ]
    wrong = await api.get(decide, params={"offset": "two"})
    assert wrong.status == 400
    assert "offset" in wrong.json["error"]


UNDECLARED_PAGING = [
    ("listEnvVars", "/project/{slug}/envvar"),
    ("listCheckoutKeys", "/project/{slug}/checkout-key"),
    ("getWebhooks", "/webhook?scope-id={project}&scope-type=project"),
    ("getContextRestrictions", "/context/{context}/restrictions"),
]


@pytest.mark.parametrize(("operation_id", "path"), UNDECLARED_PAGING)
async def test_page_token_is_honoured_where_the_spec_forgets_it_too(
    fake: FakeCircleCI, api: Api, world: dict[str, str], operation_id: str, path: str
) -> None:
    assert operation_id in UNDECLARED_PAGE_TOKEN
    creators = {
        "listEnvVars": ("POST", "/project/{slug}/envvar", {"name": "V{n}", "value": "v"}),
        "listCheckoutKeys": ("POST", "/project/{slug}/checkout-key", {"type": "deploy-key"}),
        "getWebhooks": (
            "POST",
            "/webhook",
            {
                "name": "h{n}",
                "url": "https://example.com",
                "events": ["job-completed"],
                "verify-tls": True,
                "signing-secret": "s",
                "scope": {"id": "{project}", "type": "project"},
            },
        ),
        "getContextRestrictions": (
            "POST",
            "/context/{context}/restrictions",
            {"restriction_type": "expression", "restriction_value": "x == {n}"},
        ),
    }
    method, create, body = creators[operation_id]
    for n in range(3):
        made = await api(method, create.format(**world), json=_fill(body, {**world, "n": str(n)}))
        assert made.status in (200, 201)
    fake.page_size = 2
    url = path.format(**world)
    first = await api.get(url)
    second = await api.get(url, params={"page-token": first.json["next_page_token"]})
    assert len(first.json["items"]) == 2
    assert len(second.json["items"]) == 1
    assert second.json["next_page_token"] is None
    assert fake.requests[-1].operation_id == operation_id
