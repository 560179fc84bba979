"""Every response model against its schema in the spec, field by field.

Hand-written models drift silently: a forgotten field is simply ignored when decoding. So each
2xx response schema is walked together with the type its method decodes it into, and any
property without a field, any required-ness that differs, any enum with other values, and any
departure not recorded in `circleci_async.models.spec_fixes` fails here.
"""

from __future__ import annotations

import typing
from datetime import datetime

import pytest

from circleci_async.models import converter
from circleci_async.models.base import model
from circleci_async.models.spec_fixes import FIELD_FIXES, FixKind, field_fix

from .spec_schemas import Walker, operations, response_schema

RESPONSES = [
    (op.operation_id, status) for op in operations().values() for status, _ in op.responses()
]


def test_every_operation_has_a_json_response() -> None:
    assert {operation_id for operation_id, _ in RESPONSES} == set(operations())


@pytest.mark.parametrize(("operation_id", "status"), RESPONSES)
def test_the_model_matches_the_response_schema(operation_id: str, status: str) -> None:
    assert response_schema(operation_id, status).problems == []


def test_every_spec_fix_is_applied_by_some_response() -> None:
    applied: set[tuple[type, str]] = set()
    for operation_id, status in RESPONSES:
        applied |= response_schema(operation_id, status).applied
    assert applied == {(fix.model, fix.field) for fix in FIELD_FIXES}
    for fix in FIELD_FIXES:
        assert field_fix(fix.model, fix.field) is fix
        assert len(fix.reason) > 20


def test_may_be_null_fixes_are_optional_fields() -> None:
    for fix in FIELD_FIXES:
        if fix.kind is FixKind.MAY_BE_NULL:
            hint = typing.get_type_hints(fix.model)[fix.field]
            assert converter.structure(None, hint) is None


@model
class _Forgetful:
    """A Context model missing `created_at` and wrongly making `name` optional."""

    id: str
    name: str | None = None


@model
class _Strict:
    """A MessageResponse model that wrongly types its message."""

    message: datetime


def test_the_checker_reports_missing_fields_and_wrong_required_ness() -> None:
    walker = Walker("getContext")
    schema = operations()["getContext"].body["responses"]["200"]["content"]["application/json"]
    walker.convert(schema["schema"], _Forgetful, "body")
    joined = "\n".join(walker.problems)
    assert "body.created_at: _Forgetful has no field for it" in joined
    assert "body.name: field is optional" in joined


def test_the_checker_reports_wrong_types() -> None:
    walker = Walker("deleteContext")
    schema = operations()["deleteContext"].body["responses"]["200"]["content"]["application/json"]
    walker.convert(schema["schema"], _Strict, "body")
    assert walker.problems == ["deleteContext body.message: datetime for format None"]
