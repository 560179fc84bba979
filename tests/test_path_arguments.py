"""No path argument can change which endpoint a request reaches.

Every path parameter of every operation in the spec is given hostile values (dot segments,
`/`, `?`, `#`, `%`, control characters, empty) through its method and through `circle.raw`,
against the fake over loopback. Each call must either be refused with `InvalidArgumentError`
before anything is sent, or reach the fake on the same method and path template with the
value intact (the fake decodes it back from the path it received).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pytest

from circleci_async import OPERATIONS, CircleCI, CircleCIError, InvalidArgumentError, Paginator
from circleci_async.operations import ENDPOINTS
from circleci_async.testing import FakeCircleCI
from circleci_async.testing.routing import API_PREFIX

from .naming import python_name
from .operation_calls import CALLS
from .spec_schemas import method_of, operations

HOSTILE_IDS = (
    "",
    " ",
    ".",
    "..",
    "../x",
    "x/..",
    "x/../..",
    "..\\x",
    "a/b",
    "a?b=c",
    "a#b",
    "%2e%2e",
    "%2E%2E/x",
    "a%2Fb",
    "a\nb",
    "a\x00b",
    "a\tb",
    "a\x7fb",
    "?",
    "#",
    "%",
)
"""Values for an id, a name or a number in a path."""
HOSTILE_SLUGS = (
    "gh/acme/..",
    "gh/../..",
    "gh/acme/.",
    "gh/./app",
    "gh/acme/app/..",
    "gh/acme/app?x=1",
    "gh/acme/app#x",
    "gh/acme/%2e%2e",
    "gh/acme%2F..",
    "gh//app",
    "gh/acme/",
    "gh/acme/app\n",
    "circleci/../..",
    "circleci/abc/..",
)
"""Values for a project slug (`<vcs>/<org>/<repo>`)."""
HOSTILE_ORG_SLUGS = ("gh/..", "gh/.", "gh/acme/..", "gh/acme?x", "gh/acme#x", "gh/%2e%2e", "gh/")
SLUG_PLACEHOLDERS = {"provider", "organization", "project"}


def path_arguments(operation_id: str) -> dict[str, list[str]]:
    """The method's arguments that fill path placeholders, with the placeholders each fills."""
    operation = operations()[operation_id]
    filled: dict[str, list[str]] = {}
    for parameter in operation.parameters:
        if parameter["in"] != "path":
            continue
        name = python_name(parameter["name"], operation.path, operation_id)
        filled.setdefault(name, []).append(parameter["name"])
    return filled


def hostile(argument: str) -> tuple[str, ...]:
    if argument == "project_slug":
        return HOSTILE_SLUGS + HOSTILE_IDS
    if argument in ("org_slug", "org_slug_or_id"):
        return HOSTILE_ORG_SLUGS + HOSTILE_IDS
    return HOSTILE_IDS


def cases() -> Iterator[tuple[str, str]]:
    for operation_id in sorted(CALLS):
        for argument in path_arguments(operation_id):
            yield operation_id, argument


def test_every_path_parameter_of_the_spec_is_covered() -> None:
    covered = {operation_id for operation_id, _ in cases()}
    with_path = {
        operation_id
        for operation_id, operation in operations().items()
        if any(p["in"] == "path" for p in operation.parameters)
    }
    assert with_path
    assert covered == with_path
    for operation_id, argument in cases():
        assert argument in inspect.signature(method_of(operation_id)).parameters, (
            operation_id,
            argument,
        )


def keyword_call(operation_id: str) -> dict[str, Any]:
    args, kwargs = CALLS[operation_id]
    call = inspect.signature(method_of(operation_id)).bind(None, *args, **kwargs).arguments
    call.pop("self")
    return dict(call)


async def attempt(call: Any) -> InvalidArgumentError | None:
    """Run a call (a list's first page): its refusal, or None if it was sent.

    Any other error of the client's own (a 404 from the empty fake) is fine here.
    """
    try:
        result = call()
        if isinstance(result, Paginator):
            await anext(aiter(result.pages()))
        else:
            await result
    except InvalidArgumentError as exc:
        return exc
    except CircleCIError:
        pass
    return None


async def sent_intact(
    fake: FakeCircleCI,
    before: int,
    operation_id: str,
    placeholders: list[str],
    value: str,
) -> str | None:
    """None if the call sent nothing or reached `operation_id` with `value` intact."""
    sent = fake.requests[before:]
    if not sent:
        return None
    if len(sent) != 1:
        return f"{len(sent)} requests sent"
    seen = sent[0]
    endpoint = ENDPOINTS[operation_id]
    if seen.method != endpoint.method or seen.operation_id != operation_id:
        return f"reached {seen.method} {seen.path} ({seen.operation_id})"
    match = fake.router.resolve(seen.method, seen.path[len(API_PREFIX) :])
    assert match is not None
    got = "/".join(match.params[name] for name in placeholders)
    if got != value:
        return f"the fake saw {got!r} in {seen.path}"
    return None


@pytest.mark.parametrize(("operation_id", "argument"), sorted(cases()))
async def test_hostile_path_values_never_reach_another_endpoint(
    fake: FakeCircleCI, operation_id: str, argument: str
) -> None:
    placeholders = path_arguments(operation_id)[argument]
    call = keyword_call(operation_id)
    service, attribute = OPERATIONS[operation_id].split(".")
    broken = []
    async with CircleCI(fake.token, base_url=fake.base_url) as circle:
        method = getattr(getattr(circle, service), attribute)
        for value in hostile(argument):
            before = len(fake.requests)
            refusal = await attempt(lambda value=value: method(**{**call, argument: value}))
            if refusal is not None:
                names = (argument, argument.replace("_", " "), "slug")
                assert any(name in str(refusal) for name in names), (value, str(refusal))
                assert len(fake.requests) == before, value
                continue
            problem = await sent_intact(fake, before, operation_id, placeholders, value)
            if problem:
                broken.append((value, problem))
    assert broken == []


def raw_values(operation_id: str) -> dict[str, object]:
    """Valid keyword values for `circle.raw` of an operation's path placeholders."""
    call = keyword_call(operation_id)
    values: dict[str, object] = {}
    for argument, placeholders in path_arguments(operation_id).items():
        if set(placeholders) <= SLUG_PLACEHOLDERS:
            parts = str(call[argument]).split("/")
            for name in placeholders:
                values[name] = parts[["provider", "organization", "project"].index(name)]
        else:
            values[placeholders[0].replace("-", "_")] = call[argument]
    return values


@pytest.mark.parametrize("operation_id", sorted(o for o in CALLS if "{" in ENDPOINTS[o].path))
async def test_hostile_path_values_through_raw_never_reach_another_endpoint(
    fake: FakeCircleCI, operation_id: str
) -> None:
    endpoint = ENDPOINTS[operation_id]
    valid = raw_values(operation_id)
    broken = []
    async with CircleCI(fake.token, base_url=fake.base_url) as circle:
        for key in valid:
            placeholder = next(p for p in endpoint.placeholders if p.replace("-", "_") == key)
            values = HOSTILE_SLUGS + HOSTILE_IDS if key == "project_slug" else HOSTILE_IDS
            for value in values:
                before = len(fake.requests)
                filled = {**valid, key: value}
                refusal = await attempt(
                    lambda filled=filled: circle.raw.request(
                        endpoint.method, endpoint.path, **filled
                    )
                )
                if refusal is not None:
                    assert key in str(refusal) or "slug" in str(refusal), (value, str(refusal))
                    assert len(fake.requests) == before, value
                    continue
                problem = await sent_intact(fake, before, operation_id, [placeholder], value)
                if problem:
                    broken.append((key, value, problem))
    assert broken == []


LEGITIMATE = {
    ("deleteEnvVar", "name"): ["MY_VAR", "a-b.c", "x..y", "...", "é"],
    ("getEnvVar", "name"): ["MY_VAR", "with space", "a/b", "a?b", "100%"],
    ("getCheckoutKey", "fingerprint"): ["c9:0b:1c:4f", "SHA256:abc+/="],
    ("deleteEnvironmentVariableFromContext", "env_var_name"): ["DEPLOY_KEY", "a.b"],
    ("getProjectWorkflowRuns", "workflow_name"): ["build-and-test", "deploy.prod", "a b"],
    ("getProjectBySlug", "project_slug"): ["gh/acme/app", "gh/my-org/my.repo", "bb/a_b/c-d"],
}


@pytest.mark.parametrize(("operation_id", "argument"), sorted(LEGITIMATE))
async def test_legitimate_path_values_still_reach_their_endpoint(
    fake: FakeCircleCI, operation_id: str, argument: str
) -> None:
    placeholders = path_arguments(operation_id)[argument]
    call = keyword_call(operation_id)
    service, attribute = OPERATIONS[operation_id].split(".")
    async with CircleCI(fake.token, base_url=fake.base_url) as circle:
        method = getattr(getattr(circle, service), attribute)
        for value in LEGITIMATE[(operation_id, argument)]:
            before = len(fake.requests)
            refusal = await attempt(lambda value=value: method(**{**call, argument: value}))
            assert refusal is None, value
            assert len(fake.requests) == before + 1, value
            assert await sent_intact(fake, before, operation_id, placeholders, value) is None
