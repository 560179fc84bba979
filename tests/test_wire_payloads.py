"""Payloads generated from CircleCI's own schemas, not from our reading of them, all decode.

The schemas here are the spec's (refs inlined, `nullable`/`x-nullable` as null alternatives,
nothing from the models or `spec_fixes`): untyped fields take every kind of JSON value,
nullable fields are null, optional ones are absent or present. Each payload is valid under
the spec, so it must decode without an error and without a single drift warning, and the
decoded value must hold exactly what the payload said.
"""

from __future__ import annotations

import copy
import functools
import re
import typing
from collections.abc import Mapping
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from hypothesis import HealthCheck, given, settings

from circleci_async.drift import Deviation
from circleci_async.models import decode

from .spec_schemas import agrees, operations, payload_type, request_schema
from .test_spec_examples import payloads

RESPONSES = [
    (op.operation_id, status) for op in operations().values() for status, _ in op.responses()
]

_PATTERNED = ("1h", "x", "00000000-0000-0000-0000-000000000000", "gh/o/r")
UNTYPED_VALUES: list[Any] = [None, {"any": ["json", 1]}, 7, "text", [1, None], False, 2.5]
"""What a field the spec leaves untyped carries, one kind per payload."""


def wire_schema(operation_id: str, status: str) -> dict[str, Any]:
    """The spec's schema of a 2xx answer as plain JSON Schema, without our models' reading."""
    return request_schema(dict(operations()[operation_id].responses())[status]["schema"])


@functools.cache
def wire_validator(operation_id: str, status: str) -> Any:
    """A validator of `wire_schema`, its schema checked once against the metaschema."""
    schema = wire_schema(operation_id, status)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def build(schema: Mapping[str, Any], *, untyped: Any, nulls: bool, optional: bool) -> Any:
    """One payload valid under `schema`.

    `untyped`: the value of every untyped field; `nulls`: every nullable field null;
    `optional`: optional properties present (else only the required ones).
    """
    branches = schema.get("anyOf") or schema.get("oneOf")
    if branches:
        if nulls and any(branch.get("type") == "null" for branch in branches):
            return None
        branch = next(b for b in branches if b.get("type") != "null")
        return build(branch, untyped=untyped, nulls=nulls, optional=optional)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged.update(part)
        return build(merged, untyped=untyped, nulls=nulls, optional=optional)
    kind = schema.get("type")
    if kind == "object":
        properties: dict[str, Any] = schema.get("properties", {})
        if not properties:
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict):
                return {"key": build(extra, untyped=untyped, nulls=nulls, optional=optional)}
            return {"key": copy.deepcopy(untyped)}
        required = set(schema.get("required", []))
        return {
            name: build(node, untyped=untyped, nulls=nulls, optional=optional)
            for name, node in properties.items()
            if optional or name in required
        }
    if kind == "array":
        if "items" not in schema:
            return [copy.deepcopy(untyped)]
        return [build(schema["items"], untyped=untyped, nulls=nulls, optional=optional)]
    if "enum" in schema:
        return schema["enum"][-1]
    if kind == "string":
        if schema.get("format") == "date-time":
            return "2024-05-06T07:08:09.123Z"
        if "pattern" in schema:
            return next(c for c in _PATTERNED if re.search(schema["pattern"], c))
        return "x" * max(1, schema.get("minLength", 1))
    if kind == "integer":
        return max(2**40, schema.get("minimum", 0))
    if kind == "number":
        return 3
    if kind == "boolean":
        return True
    return copy.deepcopy(untyped)


VARIANTS: list[tuple[str, dict[str, Any]]] = [
    *((f"untyped={value!r}", {"untyped": value, "nulls": False, "optional": True})
      for value in UNTYPED_VALUES),
    ("nullable fields null", {"untyped": "u", "nulls": True, "optional": True}),
    ("optional fields absent", {"untyped": "u", "nulls": False, "optional": False}),
    ("optional absent, nullable null", {"untyped": None, "nulls": True, "optional": False}),
]  # fmt: skip


def decodes_cleanly(operation_id: str, status: str, payload: Any) -> None:
    """Decode as the operation's method does: no error, no drift, nothing lost."""
    found: list[Deviation] = []

    def report(operation: str, deviations: typing.Sequence[Deviation]) -> None:
        found.extend(deviations)

    value = decode(payload, payload_type(operation_id, status), operation_id, report=report)
    assert found == [], [d.describe(operation_id) for d in found]
    agrees(payload, value)


CASES = [
    pytest.param(operation_id, status, options, id=f"{operation_id}-{status}-{name}")
    for operation_id, status in RESPONSES
    for name, options in VARIANTS
]


def test_every_operation_is_covered() -> None:
    assert {operation_id for operation_id, _ in RESPONSES} == set(operations())
    assert len(CASES) == len(RESPONSES) * len(VARIANTS)


@pytest.mark.parametrize(("operation_id", "status", "options"), CASES)
def test_spec_generated_payloads_decode_without_drift(
    operation_id: str, status: str, options: dict[str, Any]
) -> None:
    schema = wire_schema(operation_id, status)
    payload = build(schema, **options)
    wire_validator(operation_id, status).validate(payload)
    decodes_cleanly(operation_id, status, payload)


@pytest.mark.slow
@pytest.mark.parametrize(("operation_id", "status"), RESPONSES)
def test_hypothesis_payloads_from_the_spec_decode_without_drift(
    operation_id: str, status: str
) -> None:
    schema = wire_schema(operation_id, status)

    @settings(
        max_examples=5,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(payloads(schema))
    def check(payload: Any) -> None:
        wire_validator(operation_id, status).validate(payload)
        decodes_cleanly(operation_id, status, payload)

    check()
