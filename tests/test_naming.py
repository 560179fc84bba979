"""The naming rules of docs/naming.md, checked against the spec (no counts typed in)."""

from __future__ import annotations

import inspect
import keyword
import re
import typing
from typing import get_origin

import pytest

from circleci_async import OPERATIONS, CircleCI, Paginator
from circleci_async.services import SERVICES, Service

from .naming import (
    exceptions,
    method_follows_verb_rule,
    python_name,
    service_name,
    snake,
    words,
)
from .spec_schemas import Operation, method_of, operations
from .test_coverage import pages_by_token

SNAKE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
KEYWORD_ONLY = inspect.Parameter.KEYWORD_ONLY


def tag_of(operation: Operation) -> str:
    (tag,) = operation.body["tags"]
    return str(tag)


def expected_service(tag: str) -> str:
    row = exceptions().get(("tag", tag))
    return row.client if row else service_name(tag)


def pages(operation: Operation) -> bool:
    return pages_by_token(operation) or any(p["name"] == "offset" for p in operation.parameters)


def test_the_rules_map_the_awkward_names() -> None:
    assert snake("orgID") == "org_id"
    assert snake("Pipeline Definition") == "pipeline_definition"
    assert service_name("Pipeline Definition") == "pipeline_definitions"
    assert service_name("Groups") == "groups"
    assert words("cancelJobByJobID") == ["cancel", "job", "by", "job", "id"]
    assert python_name("page-token") == "page_token"
    assert python_name("reporting-window") == "reporting_window"
    assert python_name("policyName") == "policy_name"
    assert python_name("org-slug-or-id") == "org_slug_or_id"
    assert python_name("id", "/workflow/{id}/approve/{approval_request_id}") == "workflow_id"
    assert python_name("organization", "/project/{provider}/{organization}/{project}") == (
        "project_slug"
    )
    assert method_follows_verb_rule("getJobArtifacts", "artifacts")
    assert method_follows_verb_rule("getPipelineByNumber", "get_by_number")
    assert method_follows_verb_rule("removeURLOrbAllowListEntry", "delete_url_orb_allow_list_entry")
    assert not method_follows_verb_rule("getJobArtifacts", "get_artifacts")
    assert not method_follows_verb_rule("listPipelines", "list_followed")
    assert not method_follows_verb_rule("getCurrentUser", "update_me")
    assert not method_follows_verb_rule("patchProjectSettings", "patch_settings")


@pytest.mark.parametrize("operation_id", sorted(operations()))
def test_the_operation_lives_in_the_service_of_its_tag(operation_id: str) -> None:
    operation = operations()[operation_id]
    service, _ = OPERATIONS[operation_id].split(".")
    assert service == expected_service(tag_of(operation)), f"{operation_id} is in {service}"


def test_every_service_is_named_after_a_tag_and_is_on_the_client() -> None:
    by_tag = {expected_service(tag_of(operation)) for operation in operations().values()}
    hints = typing.get_type_hints(CircleCI)
    for service in SERVICES:
        assert service.name in by_tag, f"{service.name} is no spec tag's service"
        assert hints[service.name] is service


@pytest.mark.parametrize("service", SERVICES, ids=lambda service: service.name)
def test_every_public_method_implements_an_operation(service: type[Service]) -> None:
    implemented = set(OPERATIONS.values())
    for attribute, member in vars(service).items():
        if attribute.startswith("_") or not callable(member):
            continue
        if getattr(member, "__circleci_beyond_spec__", None):
            continue
        assert f"{service.name}.{attribute}" in implemented, (
            f"{service.name}.{attribute} implements no operation: make it private"
        )


@pytest.mark.parametrize("operation_id", sorted(operations()))
def test_the_method_name_follows_the_rules(operation_id: str) -> None:
    method = OPERATIONS[operation_id].split(".")[1]
    assert SNAKE.fullmatch(method), method
    assert not keyword.iskeyword(method), method
    row = exceptions().get(("method", operation_id))
    if row is not None:
        assert row.client == OPERATIONS[operation_id], f"docs/naming.md: {operation_id} is stale"
        return
    assert method_follows_verb_rule(operation_id, method), (
        f"{operation_id} → {method}: see docs/naming.md, or add an exception with its reason"
    )


@pytest.mark.parametrize("operation_id", sorted(operations()))
def test_spec_parameters_are_arguments_under_their_names(operation_id: str) -> None:
    operation = operations()[operation_id]
    arguments = inspect.signature(method_of(operation_id)).parameters
    leading = set()
    for parameter in operation.parameters:
        name = python_name(parameter["name"], operation.path, operation_id)
        assert name in arguments, f"{operation_id}: {parameter['name']} should be {name}"
        if parameter["in"] == "path" or parameter.get("required", False):
            leading.add(name)
    for name, argument in arguments.items():
        if name != "self" and name not in leading:
            assert argument.kind is KEYWORD_ONLY, f"{operation_id}: {name} must be keyword-only"


@pytest.mark.parametrize("operation_id", sorted(operations()))
def test_only_lists_return_a_paginator(operation_id: str) -> None:
    returned = typing.get_type_hints(method_of(operation_id))["return"]
    is_paginator = get_origin(returned) is Paginator
    assert is_paginator == pages(operations()[operation_id]), f"{operation_id} → {returned}"


@pytest.mark.parametrize("operation_id", sorted(operations()))
def test_idempotent_is_offered_exactly_where_a_retry_is_unsafe(operation_id: str) -> None:
    arguments = inspect.signature(method_of(operation_id)).parameters
    unsafe = operations()[operation_id].method in ("post", "patch")
    assert ("idempotent" in arguments) == unsafe, operation_id


def test_every_exception_is_still_needed() -> None:
    spec_tags = {tag_of(operation) for operation in operations().values()}
    for (kind, spec_name), row in exceptions().items():
        if kind == "tag":
            assert spec_name in spec_tags, f"docs/naming.md: no tag {spec_name}"
            assert row.client != service_name(spec_name), f"{spec_name} follows the rule"
        elif kind == "method":
            method = OPERATIONS[spec_name].split(".")[1]
            assert not method_follows_verb_rule(spec_name, method), f"{spec_name} follows the rule"
        else:
            operation_id, _, parameter = spec_name.partition(":")
            operation = operations()[operation_id]
            names = [p["name"] for p in operation.parameters]
            assert parameter in names, f"docs/naming.md: {operation_id} has no {parameter}"
