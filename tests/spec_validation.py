"""Check JSON response bodies against the CircleCI OpenAPI spec (the source of truth).

`violations(operation_id, status, body)` returns readable problems, empty when the body conforms.
The spec is OpenAPI 3.0 with Swagger-2 leftovers: `x-nullable: true` is read as `nullable: true`
(and admits `null` into an `enum`), and `$ref`s are inlined. `additionalProperties: false` beside
`anyOf`/`oneOf` on a schema without `properties` closes each branch, not the parent
(`spec_fixes.CLOSED_BRANCHES`; read literally it would refuse every object).

`KNOWN_DEVIATIONS` is the one place where the fake knowingly departs from the spec, because
CircleCI itself does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from openapi_schema_validator import OAS30Validator, oas30_format_checker

from circleci_async.models.spec_fixes import CLOSED_BRANCHES

V2_PREFIX = "/api/v2/"
SPEC_PATH = Path(__file__).resolve().parent.parent / "spec" / "circleci-openapi-v2.json"


@dataclass(frozen=True)
class KnownDeviation:
    """`null` tolerated at `pointer` (`*` = any array index) in `operation_id`'s responses."""

    operation_id: str
    pointer: str
    reason: str

    def covers(self, operation_id: str, error: Any) -> bool:
        """Whether `error` (a jsonschema ValidationError) is this tolerated null."""
        if operation_id != self.operation_id or error.instance is not None:
            return False
        if error.validator != "type":
            return False
        path = "/" + "/".join(str(part) for part in error.absolute_path)
        pattern = "/".join(
            "[0-9]+" if part == "*" else re.escape(part) for part in self.pointer.split("/")
        )
        return re.fullmatch(pattern, path) is not None


_NOT_STARTED = (
    "The spec marks started_at required and not nullable, but CircleCI sends null for jobs "
    "that have not started (queued, blocked, on hold, not running, not run, approvals)."
)

KNOWN_DEVIATIONS: tuple[KnownDeviation, ...] = (
    KnownDeviation("listWorkflowJobs", "/items/*/started_at", _NOT_STARTED),
    KnownDeviation("getJobDetails", "/started_at", _NOT_STARTED),
)
"""Every place the fake's bodies knowingly differ from the spec, and why."""


class SpecValidator:
    """Response schemas of a spec, by operationId and status."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self._spec = spec
        self._responses: dict[str, Mapping[str, Any]] = {}
        for path_item in spec["paths"].values():
            for operation in path_item.values():
                if isinstance(operation, Mapping) and "operationId" in operation:
                    self._responses[operation["operationId"]] = operation.get("responses", {})
        self._validators: dict[tuple[str, str], OAS30Validator | None] = {}

    @property
    def operation_ids(self) -> frozenset[str]:
        return frozenset(self._responses)

    def declared_statuses(self, operation_id: str) -> list[str]:
        return list(self._responses[operation_id])

    def schema_for(self, operation_id: str, status: int) -> dict[str, Any] | None:
        """The resolved JSON schema for this status: exact, then `4XX`-style, then `default`."""
        responses = self._responses[operation_id]
        for key in (str(status), f"{str(status)[0]}XX", "default"):
            if key in responses:
                if key == "default" and 200 <= status < 300:
                    return None
                response = self._resolve(responses[key], ())
                schema = response.get("content", {}).get("application/json", {}).get("schema")
                return None if schema is None else dict(schema)
        return None

    def violations(self, operation_id: str, status: int, body: Any) -> list[str]:
        """Readable problems with `body` as `operation_id`'s response with `status`."""
        where = f"{operation_id} {status}"
        if operation_id not in self._responses:
            return [f"{where}: no such operationId in the spec"]
        validator = self._validator(operation_id, status)
        if validator is None:
            if 200 <= status < 300 and body is not None:
                declared = ", ".join(self.declared_statuses(operation_id))
                return [f"{where}: status not declared with a JSON body (declared: {declared})"]
            return []
        problems: dict[tuple[str, str], str] = {}
        for error in validator.iter_errors(body):
            if any(known.covers(operation_id, error) for known in KNOWN_DEVIATIONS):
                continue
            pointer = "/" + "/".join(str(part) for part in error.absolute_path)
            key = (pointer, str(error.validator))
            problems.setdefault(key, f"{where}: at {pointer}: {error.message}")
        return [problems[key] for key in sorted(problems)]

    def _validator(self, operation_id: str, status: int) -> OAS30Validator | None:
        key = (operation_id, str(status))
        if key not in self._validators:
            schema = self.schema_for(operation_id, status)
            self._validators[key] = (
                None
                if schema is None
                else OAS30Validator(schema, format_checker=oas30_format_checker)
            )
        return self._validators[key]

    def _resolve(self, node: Any, refs: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [self._resolve(item, refs) for item in node]
        if not isinstance(node, Mapping):
            return node
        if "$ref" in node:
            ref = node["$ref"]
            if ref in refs:
                return {}
            return self._resolve(self._lookup(ref), (*refs, ref))
        resolved = {key: self._resolve(value, refs) for key, value in node.items()}
        branched = ("anyOf" in resolved or "oneOf" in resolved) and "properties" not in resolved
        if CLOSED_BRANCHES and branched and resolved.get("additionalProperties") is False:
            del resolved["additionalProperties"]
        if resolved.pop("x-nullable", False):
            resolved["nullable"] = True
        if resolved.get("nullable") and "enum" in resolved and None not in resolved["enum"]:
            resolved["enum"] = [*resolved["enum"], None]
        return resolved

    def _lookup(self, ref: str) -> Any:
        if not ref.startswith("#/"):
            raise ValueError(f"only local $refs are supported: {ref}")
        node: Any = self._spec
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node


@cache
def spec_validator() -> SpecValidator:
    """The validator for the project's spec file (loaded once)."""
    return SpecValidator(json.loads(SPEC_PATH.read_text(encoding="utf-8")))


def violations(operation_id: str, status: int, body: Any) -> list[str]:
    """Problems with `body` as the response of `operation_id` with `status`."""
    return spec_validator().violations(operation_id, status, body)


def recorded_violations(records: Iterable[Any]) -> list[str]:
    """Problems in the JSON bodies of API v2 responses recorded by a `FakeCircleCI`.

    Routes outside API v2 (v1.1, v3, private: `FakeCircleCI.outside_router`) have no spec and
    are not checked here; their own tests check their shapes.
    """
    problems: list[str] = []
    for record in records:
        if record.origin != "api" or record.operation_id is None or record.status is None:
            continue
        if not record.path.startswith(V2_PREFIX):
            continue
        if record.body_json is None:
            continue
        problems.extend(violations(record.operation_id, record.status, record.body_json))
    return problems
