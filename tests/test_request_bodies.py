"""What each method sends, and what it refuses to send.

Every operation is called once with valid arguments (tests/operation_calls.py) against a
scripted loopback server that answers with a payload composed from the spec: the request must
have the spec's method and path, only declared query parameters, and a body valid against the
spec's request schema; the answer must decode. Then, for every method, each required argument
left out or passed as None, each argument of the wrong type and each empty id must raise
`InvalidArgumentError` naming the argument, with nothing sent.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import attrs
import jsonschema  # type: ignore[import-untyped]
import pytest
from aiohttp import web

from circleci_async import OPERATIONS, CircleCI, InvalidArgumentError, Page, Paginator
from circleci_async.models import (
    Accepted,
    CheckoutSource,
    ConfigSource,
    EventSource,
    EventSourceWebhook,
    PipelineNotTriggered,
    RestrictionType,
    SourceRepo,
    Timetable,
    TriggeredPipeline,
    WebhookEvent,
)
from circleci_async.operations import ENDPOINTS

from .operation_calls import CALLS, ID, LISTED, OTHER_ID, SLUG, derived_call
from .scripted import scripted_server
from .spec_schemas import (
    agrees,
    compose,
    method_of,
    operations,
    request_schema,
    resolve,
    response_schema,
)

STEERING = {"self", "idempotent"}
"""Parameters that steer the client and are not checked like request values."""
UNCHECKED = {("listPipelinesForProject", "branch")}
"""Arguments passed through unchecked: `pipelines.list()` keeps its original behaviour."""


@attrs.define
class Seen:
    """One request the scripted server received."""

    method: str
    path: str
    query: list[tuple[str, str]]
    body: Any


@attrs.define
class Scripted:
    """A scripted CircleCI that answers everything with one payload and records requests."""

    url: str = ""
    status: int = 200
    payload: Any = None
    requests: list[Seen] = attrs.Factory(list)

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        self.requests.append(
            Seen(
                request.method,
                request.rel_url.raw_path,
                list(request.query.items()),
                json.loads(raw) if raw else None,
            )
        )
        return web.json_response(self.payload, status=self.status)


@pytest.fixture
async def server() -> AsyncIterator[Scripted]:
    scripted = Scripted()
    async with scripted_server(scripted.handle) as url:
        scripted.url = url
        yield scripted


def bound(circle: CircleCI, operation_id: str) -> Any:
    service, attribute = OPERATIONS[operation_id].split(".")
    return getattr(getattr(circle, service), attribute)


async def invoke(circle: CircleCI, operation_id: str, *args: Any, **kwargs: Any) -> Any:
    """Call an operation's method; for a list, fetch its first page."""
    result = bound(circle, operation_id)(*args, **kwargs)
    if isinstance(result, Paginator):
        return await anext(aiter(result.pages()))
    return await result


def first_success(operation_id: str) -> str:
    return next(status for status, _ in operations()[operation_id].responses())


def path_pattern(operation_id: str) -> re.Pattern[str]:
    template = ENDPOINTS[operation_id].path
    parts = re.split(r"\{[^{}]+\}", template)
    return re.compile("/api/v2" + "[^?]+?".join(re.escape(part) for part in parts))


def named(exc: pytest.ExceptionInfo[InvalidArgumentError], name: str) -> bool:
    text = str(exc.value)
    return name in text or name.replace("_", " ") in text


def test_every_operation_has_a_valid_call() -> None:
    assert set(CALLS) == set(OPERATIONS)


def test_only_calls_that_cannot_be_derived_are_listed() -> None:
    for operation_id, (args, kwargs) in LISTED.items():
        call = inspect.signature(method_of(operation_id)).bind(None, *args, **kwargs).arguments
        call.pop("self")
        derived = derived_call(operation_id)
        assert derived is None or derived[1] != call, f"{operation_id}: derive it, drop it"


@pytest.mark.parametrize("operation_id", sorted(CALLS))
async def test_a_valid_call_sends_what_the_spec_describes(
    server: Scripted, operation_id: str
) -> None:
    operation = operations()[operation_id]
    status = first_success(operation_id)
    server.status = int(status)
    server.payload = compose(response_schema(operation_id, status).schema)
    args, kwargs = CALLS[operation_id]
    async with CircleCI("t", base_url=server.url) as circle:
        result = await invoke(circle, operation_id, *args, **kwargs)

    assert len(server.requests) == 1
    seen = server.requests[0]
    assert seen.method == operation.method.upper()
    assert path_pattern(operation_id).fullmatch(seen.path), seen.path
    declared = {p["name"] for p in operation.parameters if p["in"] == "query"}
    assert {key for key, _ in seen.query} <= declared | {"page-token"}
    if operation.request_schema is None:
        assert seen.body is None
    else:
        jsonschema.validate(seen.body, request_schema(operation.request_schema))

    if isinstance(result, Page):
        payload = server.payload
        agrees(payload if isinstance(payload, list) else payload.get("items", []), result.items)
    elif isinstance(result, list) and isinstance(server.payload, dict):
        agrees(server.payload["items"], result)
    else:
        agrees(server.payload, result)


@pytest.mark.parametrize("operation_id", sorted(CALLS))
async def test_an_answer_with_only_the_required_fields_decodes(
    server: Scripted, operation_id: str
) -> None:
    status = first_success(operation_id)
    server.status = int(status)
    server.payload = compose(response_schema(operation_id, status).schema, minimal=True)
    args, kwargs = CALLS[operation_id]
    async with CircleCI("t", base_url=server.url) as circle:
        result = await invoke(circle, operation_id, *args, **kwargs)
    payload = server.payload
    items = payload if isinstance(payload, list) else payload.get("items", [])
    if isinstance(result, Page):
        agrees(items, list(result.items))
    elif isinstance(result, list):
        agrees(items, result)
    else:
        agrees(payload, result)


def arguments(operation_id: str) -> tuple[inspect.Signature, dict[str, Any]]:
    """The method's signature and its valid call as keyword arguments."""
    method = inspect.signature(method_of(operation_id))
    args, kwargs = CALLS[operation_id]
    call = method.bind(None, *args, **kwargs).arguments
    call.pop("self")
    return method, dict(call)


async def refused(circle: CircleCI, operation_id: str, kwargs: dict[str, Any]) -> Any:
    with pytest.raises(InvalidArgumentError) as caught:
        await invoke(circle, operation_id, **kwargs)
    return caught


@pytest.mark.parametrize("operation_id", sorted(CALLS))
async def test_missing_required_arguments_are_refused_before_sending(
    server: Scripted, operation_id: str
) -> None:
    signature, call = arguments(operation_id)
    required = [
        name
        for name, parameter in signature.parameters.items()
        if name not in STEERING and parameter.default is inspect.Parameter.empty
    ]
    async with CircleCI("t", base_url=server.url) as circle:
        for name in required:
            left_out = {key: value for key, value in call.items() if key != name}
            assert named(await refused(circle, operation_id, left_out), name), name
            assert named(await refused(circle, operation_id, {**call, name: None}), name), name
    assert server.requests == []


@pytest.mark.parametrize("operation_id", sorted(CALLS))
async def test_arguments_of_the_wrong_type_are_refused_before_sending(
    server: Scripted, operation_id: str
) -> None:
    signature, call = arguments(operation_id)
    async with CircleCI("t", base_url=server.url) as circle:
        for name in signature.parameters:
            if name in STEERING or (operation_id, name) in UNCHECKED:
                continue
            caught = await refused(circle, operation_id, {**call, name: object()})
            assert named(caught, name), f"{name}: {caught.value}"
    assert server.requests == []


@pytest.mark.parametrize("operation_id", sorted(CALLS))
async def test_empty_and_malformed_ids_are_refused_before_sending(
    server: Scripted, operation_id: str
) -> None:
    signature, call = arguments(operation_id)
    positional = [
        name
        for name, parameter in signature.parameters.items()
        if parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and name != "self"
    ]
    async with CircleCI("t", base_url=server.url) as circle:
        for name in positional:
            bad: tuple[object, ...] = ("", "  ", 42)
            if name.endswith("_number"):
                bad = ("", "  ", "7b", -1, 2.5)
            elif name == "project_slug":
                bad = ("", "  ", 42, "gitlab/acme/app", "gh/acme")
            elif name == "org_slug":
                bad = ("", "  ", 42, "gitlab/acme", "gh/acme/app")
            for value in bad:
                caught = await refused(circle, operation_id, {**call, name: value})
                assert named(caught, name) or "slug" in str(caught.value), (name, value)
    assert server.requests == []


async def test_a_missing_argument_is_named_with_its_operation() -> None:
    async with CircleCI("t", base_url="http://127.0.0.1:9/api/v2") as circle:
        with pytest.raises(InvalidArgumentError, match="createContext: missing a required"):
            await circle.contexts.create()  # type: ignore[call-arg]
        with pytest.raises(InvalidArgumentError, match="unexpected keyword argument 'colour'"):
            circle.schedules.list(SLUG, colour="red")  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("operation_id", "change", "problem"),
    [
        ("createCheckoutKey", {"type": "deploy_key"}, "or pass CheckoutKeyInputType"),
        ("createWebhook", {"events": ["job-finished"]}, "'workflow-completed', 'job-completed'"),
        ("createWebhook", {"events": []}, "at least one event"),
        ("createWebhook", {"events": "workflow-completed"}, "events must be a list"),
        ("createWebhook", {"url": "http://example.com/hook"}, "https://"),
        ("createWebhook", {"scope_id": "project-1"}, "scope_id must be a UUID"),
        ("triggerPipelineRun", {"config_tag": "v1"}, "config_branch or config_tag, not both"),
        ("triggerPipelineRun", {"definition_id": "build"}, "definition_id must be a UUID"),
        ("rerunWorkflow", {"from_failed": True}, "from_failed=True or jobs, not both"),
        ("getProjectWorkflowMetrics", {"branch": "main"}, "branch or all_branches=True"),
        ("getJobTimeseries", {"start_date": None, "end_date": "2024-02-01"}, "needs a start_date"),
        ("getJobTimeseries", {"start_date": "yesterday"}, "ISO 8601"),
        ("listContexts", {"owner_id": ID}, "exactly one"),
        ("createContext", {"owner_id": None}, "exactly one"),
        (
            "createContext",
            {"owner_type": "account", "owner_id": None, "owner_slug": "gh/acme"},
            "an account owner must be given by owner_id",
        ),
        ("createUsageExport", {"end": "2023-12-31T00:00:00"}, "end must not be before start"),
        ("createSchedule", {"parameters": {"deploy": True}}, "'branch' or 'tag'"),
        (
            "createSchedule",
            {"timetable": Timetable(per_hour=1, hours_of_day=[3])},
            "days_of_week or days_of_month",
        ),
        (
            "createSchedule",
            {"timetable": Timetable(per_hour=0, hours_of_day=[3], days_of_month=[1])},
            "1 to 60",
        ),
        ("createSchedule", {"timetable": {"per-hour": 1}}, "timetable must be a Timetable"),
        ("PatchOrgClaims", {"ttl": "1 hour"}, "duration"),
        ("DeleteOrgClaims", {"claims": []}, "at least one claim"),
        (
            "createPipelineDefinition",
            {"config_source": ConfigSource(provider="github_app", file_path="c.yml")},
            "config_source.repo.external_id is required",
        ),
        (
            "createPipelineDefinition",
            {
                "checkout_source": CheckoutSource(
                    provider="github_app", repo=SourceRepo(external_id="1", full_name="o/r")
                )
            },
            "checkout_source.repo cannot set full_name",
        ),
        (
            "updatePipelineDefinition",
            {"config_source": ConfigSource.circleci("c.yml")},
            "config_source cannot set provider",
        ),
        ("createTrigger", {"event_source": EventSource(provider="github_app")}, "repo is required"),
        (
            "createTrigger",
            {"event_source": EventSource.inbound_webhook("hub")},
            "needs checkout_ref and config_ref",
        ),
        ("updateTrigger", {"event_source": EventSource.github_app("1")}, "only set webhook.sender"),
        ("CreatePolicyBundle", {"policies": {"a.rego": 3}}, "policies['a.rego'] must be a string"),
        ("MakeDecision", {"metadata": {"when": object()}}, "cannot be sent as JSON"),
        ("getOrganizationGroups", {"limit": 0}, "limit must be at least 1"),
        ("listEnvironments", {"page_size": True}, "page_size must be an integer"),
        ("GetDecisionLogs", {"offset": -5}, "offset must be at least 0"),
    ],
)
async def test_rules_of_the_api_are_checked_before_sending(
    server: Scripted, operation_id: str, change: dict[str, Any], problem: str
) -> None:
    _, call = arguments(operation_id)
    async with CircleCI("t", base_url=server.url) as circle:
        caught = await refused(circle, operation_id, {**call, **change})
    assert problem in str(caught.value)
    assert server.requests == []


async def test_a_model_argument_with_a_field_of_the_wrong_type_is_refused(
    server: Scripted,
) -> None:
    timetable = Timetable(per_hour="2", hours_of_day=[3])  # type: ignore[arg-type]
    _, call = arguments("createSchedule")
    async with CircleCI("t", base_url=server.url) as circle:
        caught = await refused(circle, "createSchedule", {**call, "timetable": timetable})
    assert "expected int | None @ timetable.per_hour" in str(caught.value)
    assert server.requests == []


async def test_a_model_argument_without_a_field_the_spec_requires_is_refused(
    server: Scripted,
) -> None:
    _, call = arguments("createSchedule")
    async with CircleCI("t", base_url=server.url) as circle:
        caught = await refused(
            circle, "createSchedule", {**call, "timetable": Timetable(hours_of_day=[3])}
        )
    assert "timetable needs per_hour (the spec requires them)" in str(caught.value)
    assert server.requests == []


async def test_enum_arguments_take_members_strings_and_deliberate_unknowns(
    server: Scripted,
) -> None:
    server.status = 201
    server.payload = compose(response_schema("createContextRestriction", "201").schema)
    async with CircleCI("t", base_url=server.url) as circle:
        for kind in (RestrictionType.EXPRESSION, "expression", RestrictionType("time-of-day")):
            await circle.contexts.create_restriction(
                ID, restriction_type=kind, restriction_value="pipeline.git.branch == 'main'"
            )
    assert [seen.body["restriction_type"] for seen in server.requests] == [
        "expression",
        "expression",
        "time-of-day",
    ]


async def test_nested_models_are_sent_with_wire_names_and_without_unset_fields(
    server: Scripted,
) -> None:
    server.status = 201
    server.payload = compose(response_schema("createSchedule", "201").schema)
    timetable = Timetable(per_hour=2, hours_of_day=[1, 13], days_of_month=[1, 15])
    async with CircleCI("t", base_url=server.url) as circle:
        await circle.schedules.create(
            SLUG,
            name="twice a month",
            timetable=timetable,
            attribution_actor="current",
            parameters={"tag": "v1"},
        )
        server.status = 200
        server.payload = compose(response_schema("updateTrigger", "200").schema)
        await circle.triggers.update(
            ID, OTHER_ID, event_source=EventSource(webhook=EventSourceWebhook(sender="hub"))
        )
    assert server.requests[0].body == {
        "name": "twice a month",
        "timetable": {"per-hour": 2, "hours-of-day": [1, 13], "days-of-month": [1, 15]},
        "attribution-actor": "current",
        "parameters": {"tag": "v1"},
    }
    assert server.requests[1].body == {"event_source": {"webhook": {"sender": "hub"}}}


async def test_list_arguments_become_repeated_query_parameters(server: Scripted) -> None:
    server.payload = compose(response_schema("getProjectWorkflowsPageData", "200").schema)
    async with CircleCI("t", base_url=server.url) as circle:
        await circle.insights.project_summary(
            SLUG, branches=["main", "dev"], workflow_names=["build"]
        )
        await circle.oidc.delete_org_claims(ID, claims=["audience", "ttl"])
    assert server.requests[0].query == [
        ("branches", "main"),
        ("branches", "dev"),
        ("workflow-names", "build"),
    ]
    assert server.requests[1].query == [("claims", "audience,ttl")]


@pytest.mark.parametrize(
    ("status", "expected"), [(201, TriggeredPipeline), (200, PipelineNotTriggered)]
)
async def test_run_tells_a_created_pipeline_from_one_that_was_not(
    server: Scripted, status: int, expected: type
) -> None:
    server.status = status
    server.payload = compose(response_schema("triggerPipelineRun", str(status)).schema)
    async with CircleCI("t", base_url=server.url) as circle:
        result = await circle.pipelines.run("circleci/" + ID + "/" + OTHER_ID, definition_id=ID)
    assert type(result) is expected
    assert not isinstance(result, Accepted)
    assert result.triggered is (status == 201)
    assert server.requests[0].path == f"/api/v2/project/circleci/{ID}/{OTHER_ID}/pipeline/run"


async def test_202_answers_decode(server: Scripted) -> None:
    server.status = 202
    server.payload = {"message": "Accepted."}
    async with CircleCI("t", base_url=server.url) as circle:
        answer = await circle.workflows.cancel(ID)
        deleted = await circle.organizations.delete("gh/acme")
    assert answer.message == deleted.message == "Accepted."
    assert [seen.path for seen in server.requests] == [
        f"/api/v2/workflow/{ID}/cancel",
        "/api/v2/organization/gh/acme",
    ]


def test_the_event_enum_is_the_spec_enum() -> None:
    schema = resolve(operations()["createWebhook"].request_schema)
    assert set(schema["properties"]["events"]["items"]["enum"]) == {e.value for e in WebhookEvent}
