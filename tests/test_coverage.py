"""Every operation of the project's copy of the spec has a method that can send all of it.

Spec names map to Python argument names by the rules of docs/naming.md (`naming.python_name`);
a request body property that is an object may instead be sent as keyword arguments named
`<property>_<field>` (`owner` → `owner_id`, `owner_slug`; `config` → `config_branch`).
"""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest

from circleci_async import OPERATIONS
from circleci_async.models.spec_fixes import UNDECLARED_PAGE_TOKEN
from circleci_async.operations import ENDPOINTS

from .naming import python_name
from .spec_schemas import Operation, method_of, operations, resolve

NOT_FROM_THE_SPEC = {"self", "idempotent"}
"""Method parameters that steer the client, not the request."""


def signature(operation_id: str) -> inspect.Signature:
    return inspect.signature(method_of(operation_id))


def pages_by_token(operation: Operation) -> bool:
    for _, media in operation.responses():
        schema = resolve(media["schema"])
        if "next_page_token" in schema.get("properties", {}):
            return True
    return False


def body_properties(operation: Operation) -> tuple[dict[str, Any], set[str]]:
    schema = operation.request_schema
    if schema is None:
        return {}, set()
    return schema.get("properties", {}), set(schema.get("required", []))


def test_every_spec_operation_has_a_method_and_nothing_else_does() -> None:
    assert set(OPERATIONS) == set(operations())
    assert len(set(OPERATIONS.values())) == len(OPERATIONS), "two operations share a method"
    for where in OPERATIONS.values():
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", where), where


@pytest.mark.parametrize("operation_id", sorted(operations()))
def test_the_method_sends_the_spec_method_and_path(operation_id: str) -> None:
    operation = operations()[operation_id]
    endpoint = ENDPOINTS[operation_id]
    assert endpoint.method == operation.method.upper()
    assert endpoint.path == operation.path
    assert method_of(operation_id).__circleci_endpoint__ is endpoint


@pytest.mark.parametrize("operation_id", sorted(operations()))
def test_the_method_can_send_every_spec_parameter(operation_id: str) -> None:
    operation = operations()[operation_id]
    parameters = signature(operation_id).parameters
    for parameter in operation.parameters:
        name = python_name(parameter["name"], operation.path, operation_id)
        if parameter["name"] == "offset":
            assert "offset" in parameters
            continue
        assert name in parameters, (
            f"{operation_id} cannot send {parameter['in']} {parameter['name']}"
        )
        declared = parameters[name]
        if parameter.get("required"):
            assert declared.default is not None, f"{operation_id}: {name} is required"
    if pages_by_token(operation):
        assert "page_token" in parameters, f"{operation_id} pages but takes no page_token"
        declares = any(p["name"] == "page-token" for p in operation.parameters)
        assert declares or operation_id in UNDECLARED_PAGE_TOKEN


@pytest.mark.parametrize("operation_id", sorted(operations()))
def test_the_method_can_send_every_body_property(operation_id: str) -> None:
    properties, required = body_properties(operations()[operation_id])
    parameters = signature(operation_id).parameters
    for prop in properties:
        name = python_name(prop)
        flattened = [p for p in parameters if p.startswith(name + "_")]
        assert name in parameters or flattened, f"{operation_id} cannot send body {prop}"
        if prop in required and name in parameters:
            assert parameters[name].default is inspect.Parameter.empty, (
                f"{operation_id}: body {prop} is required, so {name} must be too"
            )


@pytest.mark.parametrize("operation_id", sorted(operations()))
def test_every_method_parameter_comes_from_the_spec(operation_id: str) -> None:
    operation = operations()[operation_id]
    properties, _ = body_properties(operation)
    known = {python_name(p["name"], operation.path, operation_id) for p in operation.parameters}
    bodies = {python_name(prop) for prop in properties}
    if pages_by_token(operation):
        known.add("page_token")
    for name in signature(operation_id).parameters:
        if name in NOT_FROM_THE_SPEC or name in known or name in bodies:
            continue
        assert any(name.startswith(body + "_") for body in bodies), (
            f"{operation_id}: {name} matches no spec parameter or body property"
        )


def test_undeclared_page_tokens_are_exactly_the_spec_gaps() -> None:
    gaps = {
        operation_id
        for operation_id, operation in operations().items()
        if pages_by_token(operation)
        and not any(p["name"] == "page-token" for p in operation.parameters)
    }
    assert gaps == UNDECLARED_PAGE_TOKEN
