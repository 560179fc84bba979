"""The guide's operations, with each field the spec requires removed or null, one at a time.

For the operations CircleCI's API guide walks through, a complete answer is built from the
spec's own schema; then every field the spec requires, at every depth, is left out, and
then set to null. The answer must still decode: the field becomes None (an empty list for
lists) and exactly that field is reported as drift, unless it is a known departure of
`spec_fixes` (no report), or an identity field, which is the one kind of field whose
absence is a `DecodeError` that names it.
"""

from __future__ import annotations

import copy
import typing
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from circleci_async import DecodeError, Paginator
from circleci_async.drift import Deviation
from circleci_async.models import decode
from circleci_async.models.spec_fixes import FIELD_FIXES

from .spec_schemas import return_type
from .test_wire_payloads import build, wire_schema

IDENTITY: Mapping[str, set[str]] = {
    "getCurrentUser": {"body.id"},
    "listPipelinesForProject": {"body.items[].id", "body.items[].number"},
    "listWorkflowsByPipelineId": {"body.items[].id"},
    "listWorkflowJobs": {"body.items[].id"},
    "getJobDetails": {"body.number"},
    "getJobArtifacts": {"body.items[].path", "body.items[].node_index", "body.items[].url"},
    "getTests": set(),
    "getProjectBySlug": {"body.slug"},
}
"""Per guide operation, the fields without which an answer cannot be decoded."""

KNOWN = {
    "body.status": "getJobDetails",
    "body.project.id": "getJobDetails",
    "body.id": "getProjectBySlug",
    "body.organization_slug": "getProjectBySlug",
    "body.organization_id": "getProjectBySlug",
    "body.started_at": "getJobDetails",
    "body.items[].started_at": "listWorkflowJobs",
    "body.items[].file": "getTests",
}
"""Known departures (spec_fixes) met on these operations: no drift reported for them."""


def _unwrap(schema: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
    branches = schema.get("anyOf")
    if branches and any(branch.get("type") == "null" for branch in branches):
        return next(b for b in branches if b.get("type") != "null"), True
    return schema, False


def required_fields(
    schema: Mapping[str, Any], where: str, keys: tuple[Any, ...] = ()
) -> Iterator[tuple[tuple[Any, ...], str, bool]]:
    """(keys into the payload, path as drift reports name it, nullable) per required field."""
    schema, _ = _unwrap(schema)
    if schema.get("type") == "array" and "items" in schema:
        yield from required_fields(schema["items"], where + "[]", (*keys, 0))
        return
    if schema.get("type") != "object":
        return
    required = set(schema.get("required", []))
    for name, node in schema.get("properties", {}).items():
        inner, nullable = _unwrap(node)
        if name in required:
            yield (*keys, name), f"{where}.{name}", nullable
        yield from required_fields(inner, f"{where}.{name}", (*keys, name))


def mutated(payload: Any, keys: tuple[Any, ...], *, remove: bool) -> Any:
    changed = copy.deepcopy(payload)
    target = changed
    for key in keys[:-1]:
        target = target[key]
    if remove:
        del target[keys[-1]]
    else:
        target[keys[-1]] = None
    return changed


def picked(value: Any, keys: tuple[Any, ...]) -> Any:
    for key in keys:
        value = value[key] if isinstance(key, int) else getattr(value, key)
    return value


def cases() -> Iterator[Any]:
    for operation_id in IDENTITY:
        schema = wire_schema(operation_id, "200")
        declared = return_type(operation_id)
        if typing.get_origin(declared) is Paginator:
            (into,) = typing.get_args(declared)
            schema = schema["properties"]["items"]["items"]
            where = "body.items[]"
        else:
            into, where = declared, "body"
        payload = build(schema, untyped="u", nulls=False, optional=True)
        for keys, path, nullable in required_fields(schema, where):
            for remove in (True, False):
                how = "absent" if remove else "null"
                yield pytest.param(
                    operation_id, into, where, payload, keys, path, nullable, remove,
                    id=f"{operation_id}-{path}-{how}",
                )  # fmt: skip


CASES = list(cases())


def test_the_known_departures_listed_here_are_spec_fixes() -> None:
    fixed = {(fix.model.__name__, fix.field) for fix in FIELD_FIXES}
    assert {("JobDetails", "status"), ("JobProject", "id"), ("Project", "id")} <= fixed
    assert len(CASES) > 150


@pytest.mark.parametrize(
    ("operation_id", "into", "where", "payload", "keys", "path", "nullable", "remove"), CASES
)
def test_a_required_field_missing_or_null_costs_only_that_field(
    operation_id: str,
    into: Any,
    where: str,
    payload: Any,
    keys: tuple[Any, ...],
    path: str,
    nullable: bool,
    remove: bool,
) -> None:
    found: list[Deviation] = []
    answer = mutated(payload, keys, remove=remove)

    def read() -> Any:
        return decode(answer, into, operation_id, report=lambda _, d: found.extend(d), path=where)

    if path in IDENTITY[operation_id]:
        with pytest.raises(DecodeError, match="cannot be read without it") as caught:
            read()
        assert path in str(caught.value)
        return
    value = read()
    assert picked(value, keys) in (None, [])
    known = KNOWN.get(path) == operation_id
    if known or nullable:
        assert found == []
    else:
        assert [deviation.path for deviation in found] == [path]
        assert found[0].got == ("absent" if remove else "null")
