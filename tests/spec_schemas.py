"""The spec's schemas as plain JSON Schema, each paired with the type the client decodes it into.

`response_schema(operation_id, status)` walks an OpenAPI response schema and the client's type
for it side by side: it checks that they agree (every property has a field under its wire
name, required fields are exactly the required non-null properties, enums have the same
values, ...), applies `circleci_async.models.spec_fixes`, and returns a self-contained JSON
Schema (refs inlined, `nullable`/`x-nullable` as `null` alternatives) for generating and
validating payloads. `compose(schema)` builds one payload from the spec's own `example`s.
"""

from __future__ import annotations

import functools
import json
import operator
import re
import types
import typing
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any, Generic, TypeVar, Union, get_args, get_origin

import attrs
import jsonschema  # type: ignore[import-untyped]

from circleci_async import OPERATIONS, Paginator
from circleci_async.models import Accepted, OpenEnum, PipelineNotTriggered, TriggeredPipeline
from circleci_async.models.decoding import field_hints
from circleci_async.models.spec_fixes import (
    CLOSED_BRANCHES,
    ENUM_VALUES_SEEN,
    IMPLIED_TYPES,
    NULLABLE_MARKERS,
    FixKind,
    field_fix,
)
from circleci_async.services import SERVICES
from circleci_async.services.base import _Items, _SparseItems

T = TypeVar("T")

SPEC_PATH = Path(__file__).resolve().parent.parent / "spec" / "circleci-openapi-v2.json"
METHODS = ("get", "put", "post", "delete", "patch")

STATUS_TYPES: Mapping[tuple[str, str], type] = {
    ("triggerPipelineRun", "200"): PipelineNotTriggered,
    ("triggerPipelineRun", "201"): TriggeredPipeline,
}
"""Operations whose 2xx answers differ by status: what each status decodes into."""

DROPPED_PROPERTIES: Mapping[tuple[str, str], str] = {
    ("getOrganizationGroups", "total_count"): "a Paginator carries items and page tokens only",
}
"""Response properties the client reads past on purpose, and why."""


@cache
def spec() -> dict[str, Any]:
    """The project's copy of CircleCI's OpenAPI document."""
    data: dict[str, Any] = json.loads(SPEC_PATH.read_text())
    return data


@attrs.frozen
class Operation:
    """One operation of the spec, with its path-level parameters merged in."""

    operation_id: str
    method: str
    path: str
    body: dict[str, Any]

    @property
    def parameters(self) -> list[dict[str, Any]]:
        item = spec()["paths"][self.path]
        return [resolve(p) for p in [*item.get("parameters", []), *self.body.get("parameters", [])]]

    @property
    def request_schema(self) -> dict[str, Any] | None:
        request = self.body.get("requestBody")
        if request is None:
            return None
        schema: dict[str, Any] = resolve(request["content"]["application/json"]["schema"])
        return schema

    def responses(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """The JSON schema-bearing 2xx responses: (status, media type object)."""
        for status, response in self.body["responses"].items():
            if status.startswith("2"):
                media = resolve(response).get("content", {}).get("application/json")
                if media is not None:
                    yield status, media


@cache
def operations() -> dict[str, Operation]:
    """Every operation of the spec by operationId."""
    found: dict[str, Operation] = {}
    for path, item in spec()["paths"].items():
        for method in METHODS:
            if method in item:
                body = item[method]
                found[body["operationId"]] = Operation(body["operationId"], method, path, body)
    return found


def resolve(node: Any) -> Any:
    """A `$ref` followed (repeatedly) to what it names."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def method_of(operation_id: str) -> Any:
    """The service method (the function on its class) that implements an operation."""
    service_name, attribute = OPERATIONS[operation_id].split(".")
    service = next(cls for cls in SERVICES if cls.name == service_name)
    return getattr(service, attribute)


def return_type(operation_id: str) -> Any:
    """The return annotation of an operation's method."""
    return typing.get_type_hints(method_of(operation_id))["return"]


@attrs.frozen
class Listing(Generic[T]):
    """A whole token-paged answer, for decoding one page in a single call (the client itself
    decodes a page's items one at a time)."""

    items: list[T]
    next_page_token: str | None = None


@attrs.frozen
class SparseListing(Generic[T]):
    """A whole page of the newer endpoints, whose schemas make even `items` optional."""

    items: list[T] = attrs.Factory(list)
    next_page_token: str | None = None


def payload_type(operation_id: str, status: str) -> Any:
    """The type a whole answer body of `operation_id` with `status` decodes into."""
    if (operation_id, status) in STATUS_TYPES:
        return STATUS_TYPES[operation_id, status]
    declared = without_accepted(return_type(operation_id))
    schema = dict(operations()[operation_id].responses())[status]["schema"]
    schema = resolve(schema)
    origin = get_origin(declared)
    if origin is Paginator:
        (item,) = get_args(declared)
        if _type_of(schema) == "array":
            return list[item]  # type: ignore[valid-type]
        required = set(schema.get("required", []))
        return (Listing if "items" in required else SparseListing)[item]
    if origin is list and _type_of(schema) == "object":
        (item,) = get_args(declared)
        required = set(schema.get("required", []))
        return (_Items if "items" in required else _SparseItems)[item]
    return declared


def without_accepted(declared: Any) -> Any:
    """An action's return type without `Accepted`, its fallback for answers outside the spec."""
    members = get_args(declared)
    if Accepted not in members:
        return declared
    rest = tuple(member for member in members if member is not Accepted)
    return rest[0] if len(rest) == 1 else Union[rest]  # noqa: UP007


def _type_of(schema: Mapping[str, Any]) -> str | None:
    if "type" in schema:
        return str(schema["type"])
    for key, implied in IMPLIED_TYPES:
        if key in schema:
            return implied
    return None


def _nullable(schema: Mapping[str, Any]) -> bool:
    return any(schema.get(marker) for marker in NULLABLE_MARKERS)


def _or_null(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _without_none(tp: Any) -> tuple[Any, bool]:
    if get_origin(tp) in (Union, types.UnionType):
        members = [arg for arg in get_args(tp) if arg is not type(None)]
        if len(members) < len(get_args(tp)):
            return functools.reduce(operator.or_, members), True
    return tp, False


_ANNOTATIONS = ("example", "default", "minimum", "maximum", "minLength", "maxLength", "pattern")


class Walker:
    """Converts one response schema to JSON Schema while checking it against a type."""

    def __init__(self, operation_id: str) -> None:
        self.operation_id = operation_id
        self.problems: list[str] = []
        self.applied: set[tuple[type, str]] = set()
        """The spec fixes (model, field) this walk applied."""

    def fail(self, where: str, problem: str) -> dict[str, Any]:
        self.problems.append(f"{self.operation_id} {where}: {problem}")
        return {}

    def convert(self, node: Any, tp: Any, where: str) -> dict[str, Any]:
        schema = resolve(node)
        tp, _ = _without_none(tp)
        if tp is Any:
            return self._free(schema)
        if get_origin(tp) in (Union, types.UnionType):
            return self._union(schema, tp, where)
        if "allOf" in schema:
            return {"allOf": [self.convert(part, tp, where) for part in schema["allOf"]]}
        if attrs.has(tp if get_origin(tp) is None else get_origin(tp)):
            return self._model(schema, tp, where)
        kind = _type_of(schema)
        if get_origin(tp) is list:
            if kind != "array":
                return self.fail(where, f"list for a {kind} schema")
            (item,) = get_args(tp)
            return {"type": "array", "items": self.convert(schema["items"], item, where + "[]")}
        if get_origin(tp) is dict:
            return self._mapping(schema, tp, where)
        return self._scalar(schema, tp, where)

    def _free(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        """Any value the schema allows, kept loose: `{}` unless the schema names a type."""
        kind = _type_of(schema)
        result: dict[str, Any] = {} if kind is None else {"type": kind}
        if kind == "object":
            additional = schema.get("additionalProperties")
            if isinstance(additional, dict) and additional:
                result["additionalProperties"] = self._free(resolve(additional))
        if "example" in schema:
            result["example"] = schema["example"]
        return result

    def _scalar(self, schema: Mapping[str, Any], tp: Any, where: str) -> dict[str, Any]:
        kind = _type_of(schema)
        annotations = {key: schema[key] for key in _ANNOTATIONS if key in schema}
        if isinstance(tp, type) and issubclass(tp, Enum):
            if not issubclass(tp, OpenEnum):
                return self.fail(where, f"{tp.__name__} is not an OpenEnum")
            values = {member.value for member in tp}
            seen = {member.value for member, _ in ENUM_VALUES_SEEN if type(member) is tp}
            if kind != "string" or set(schema.get("enum", [])) != values - seen:
                return self.fail(where, f"{tp.__name__} {sorted(values)} vs {schema.get('enum')}")
            return {"type": "string", "enum": sorted(values), **annotations}
        if "enum" in schema:
            return self.fail(where, f"enum {schema['enum']} decoded as {tp}")
        expected = {
            str: "string",
            datetime: "string",
            int: "integer",
            float: "number",
            bool: "boolean",
        }
        if tp not in expected:
            return self.fail(where, f"no rule for {tp}")
        if kind != expected[tp]:
            return self.fail(where, f"{tp.__name__} for a {kind} schema")
        is_moment = schema.get("format") == "date-time"
        if (tp is datetime) != is_moment:
            return self.fail(where, f"{tp.__name__} for format {schema.get('format')}")
        result: dict[str, Any] = {"type": kind, **annotations}
        if is_moment:
            result["format"] = "date-time"
        return result

    def _mapping(self, schema: Mapping[str, Any], tp: Any, where: str) -> dict[str, Any]:
        _, value = get_args(tp)
        if _type_of(schema) != "object" or schema.get("properties"):
            return self.fail(where, "dict for a schema with properties or of another type")
        additional = schema.get("additionalProperties", {})
        result: dict[str, Any] = {"type": "object"}
        if "example" in schema:
            result["example"] = schema["example"]
        if isinstance(additional, dict) and additional:
            result["additionalProperties"] = self.convert(additional, value, where + "{}")
        elif value is not Any:
            return self.fail(where, f"dict of {value} for a free-form object")
        return result

    def _union(self, schema: Mapping[str, Any], tp: Any, where: str) -> dict[str, Any]:
        branches = schema.get("anyOf") or schema.get("oneOf")
        members = list(get_args(tp))
        if not branches or len(branches) != len(members):
            return self.fail(where, f"{tp} for a schema without matching anyOf/oneOf")
        converted = []
        for branch in branches:
            for member in members:
                trial = Walker(self.operation_id)
                result = trial.convert(branch, member, where)
                if not trial.problems:
                    converted.append(result)
                    members.remove(member)
                    break
            else:
                return self.fail(where, f"no member of {tp} fits {json.dumps(branch)[:120]}")
        return {"anyOf": converted}

    def _model(self, schema: Mapping[str, Any], tp: Any, where: str) -> dict[str, Any]:
        branches = schema.get("anyOf") or schema.get("oneOf")
        if branches:
            return self._model_variants(branches, tp, where)
        if _type_of(schema) != "object":
            return self.fail(where, f"{tp} for a {_type_of(schema)} schema")
        return self._object(schema, tp, where, required_everywhere=None)

    def _model_variants(self, branches: list[Any], tp: Any, where: str) -> dict[str, Any]:
        """One model for anyOf/oneOf objects: a field is required where every branch requires it."""
        resolved = [resolve(branch) for branch in branches]
        everywhere = set.intersection(*(set(branch.get("required", [])) for branch in resolved))
        return {
            "anyOf": [
                self._object(branch, tp, where, required_everywhere=everywhere)
                for branch in resolved
            ]
        }

    def _object(
        self,
        schema: Mapping[str, Any],
        tp: Any,
        where: str,
        required_everywhere: set[str] | None,
    ) -> dict[str, Any]:
        cls = get_origin(tp) or tp
        hints = field_hints(tp)
        fields = {field.metadata.get("wire", field.name): field for field in attrs.fields(cls)}
        properties: dict[str, Any] = schema.get("properties", {})
        required = set(schema.get("required", []))
        must = required if required_everywhere is None else required_everywhere
        result: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
        if schema.get("additionalProperties") is False:
            result["additionalProperties"] = False
        for name, node in properties.items():
            here = f"{where}.{name}"
            if (self.operation_id, name) in DROPPED_PROPERTIES:
                result["properties"][name] = self._free(resolve(node))
                continue
            field = fields.get(name)
            if field is None:
                self.fail(here, f"{cls.__name__} has no field for it")
                continue
            prop = resolve(node)
            fix = field_fix(cls, field.name)
            if fix is not None:
                self.applied.add((cls, field.name))
            hint, optional_type = _without_none(hints[field.name])
            has_default = field.default is not attrs.NOTHING
            factory = isinstance(field.default, attrs.Factory)  # type: ignore[arg-type]
            expected = bool(field.metadata.get("expected"))
            known = fix is not None and fix.kind in (FixKind.MAY_BE_NULL, FixKind.MAY_BE_ABSENT)
            may_be_null = _nullable(prop) or known
            spec_optional = name not in must or _nullable(prop)
            if not has_default and spec_optional:
                self.fail(here, "field is required (an identity field) but the spec is not")
            if expected and spec_optional:
                self.fail(here, "EXPECTED on a field the spec does not require")
            if has_default and not expected and not spec_optional and not known:
                self.fail(here, "field is optional: mark it EXPECTED or record a spec fix")
            if has_default and not factory and not optional_type and hint is not object:
                self.fail(here, "an optional field must be typed `X | None`")
            if fix is not None and fix.kind is FixKind.UNTYPED:
                if _type_of(prop) is not None or hint is not object:
                    self.fail(here, "an UNTYPED fix on a typed schema or a field not JsonValue")
                converted: dict[str, Any] = {}
                if "example" in prop:
                    converted["example"] = prop["example"]
            else:
                converted = self.convert(prop, hint, here)
            if fix is not None and fix.kind is FixKind.MAY_BE_NULL and _nullable(prop):
                self.fail(here, "a MAY_BE_NULL fix on a field the spec already makes nullable")
            result["properties"][name] = _or_null(converted) if may_be_null else converted
            absent_ok = fix is not None and fix.kind is FixKind.MAY_BE_ABSENT
            if name in required and not may_be_null and not absent_ok:
                result["required"].append(name)
        for name, field in fields.items():
            if name not in properties and field.default is attrs.NOTHING:
                self.fail(f"{where}.{name}", f"required field of {cls.__name__} not in the schema")
        return result


def agrees(payload: Any, value: Any, where: str = "body") -> None:
    """Assert that a decoded `value` holds exactly what `payload` says, at every depth."""
    if attrs.has(type(value)):
        assert isinstance(payload, Mapping), where
        for field in attrs.fields(type(value)):
            key = field.metadata.get("wire", field.name)
            got = getattr(value, field.name)
            if key in payload:
                agrees(payload[key], got, f"{where}.{key}")
            else:
                assert got in (None, []), f"{where}.{key} absent but decoded as {got!r}"
    elif isinstance(value, list):
        assert isinstance(payload, list), where
        assert len(payload) == len(value), where
        for index, (item, got) in enumerate(zip(payload, value, strict=True)):
            agrees(item, got, f"{where}[{index}]")
    elif isinstance(value, dict):
        assert isinstance(payload, Mapping), where
        assert set(payload) == set(value), where
        for key, got in value.items():
            agrees(payload[key], got, f"{where}[{key!r}]")
    elif isinstance(value, datetime):
        expected = datetime.fromisoformat(payload)
        if expected.tzinfo is None:
            expected = expected.replace(tzinfo=UTC)
        assert value == expected, where
        assert value.tzinfo is not None, where
    elif isinstance(value, Enum):
        assert value.value == payload, where
    elif value is None:
        assert payload is None, where
    else:
        assert type(value) is type(payload) or isinstance(value, float), where
        assert value == payload, where


@attrs.frozen
class ResponseSchema:
    """One 2xx answer of an operation: its JSON Schema, decode type, and what the walk found."""

    schema: dict[str, Any]
    decodes_into: Any
    problems: list[str]
    applied: set[tuple[type, str]]


@cache
def response_schema(operation_id: str, status: str) -> ResponseSchema:
    """The checked, converted schema of one 2xx answer of an operation."""
    media = dict(operations()[operation_id].responses())[status]
    tp = payload_type(operation_id, status)
    walker = Walker(operation_id)
    converted = walker.convert(media["schema"], tp, "body")
    return ResponseSchema(converted, tp, walker.problems, walker.applied)


def request_schema(node: Any) -> dict[str, Any]:
    """A request body schema as plain JSON Schema (refs inlined, nulls and implied types)."""
    schema = resolve(node)
    result: dict[str, Any] = {}
    kind = _type_of(schema)
    if kind is not None:
        result["type"] = kind
    for key in ("enum", "required", "pattern", "minimum", "maximum", "minLength", "maxLength"):
        if key in schema:
            result[key] = schema[key]
    if schema.get("format") == "date-time":
        result["format"] = "date-time"
    if "properties" in schema:
        result["properties"] = {k: request_schema(v) for k, v in schema["properties"].items()}
    if "items" in schema:
        result["items"] = request_schema(schema["items"])
    additional = schema.get("additionalProperties")
    branched = any(key in schema for key in ("anyOf", "oneOf")) and "properties" not in schema
    if additional is False and not (branched and CLOSED_BRANCHES):
        result["additionalProperties"] = False
    elif isinstance(additional, dict) and additional:
        result["additionalProperties"] = request_schema(additional)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            result[key] = [request_schema(branch) for branch in schema[key]]
    return _or_null(result) if _nullable(schema) else result


def fits(value: Any, schema: Mapping[str, Any]) -> bool:
    """Whether `value` is valid against a converted schema (its own annotations aside)."""
    bare = {key: item for key, item in schema.items() if key not in ("example", "default")}
    return bool(jsonschema.Draft7Validator(bare).is_valid(value))


def bad_examples(schema: Mapping[str, Any], where: str = "body") -> Iterator[str]:
    """Where a converted schema carries an `example` that does not fit it."""
    if "example" in schema and not fits(schema["example"], schema):
        yield f"{where}: {schema['example']!r}"
    for name, node in schema.get("properties", {}).items():
        yield from bad_examples(node, f"{where}.{name}")
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from bad_examples(schema[key], f"{where}.{key}")
    for key in ("anyOf", "allOf"):
        for index, branch in enumerate(schema.get(key, [])):
            yield from bad_examples(branch, f"{where}.{key}[{index}]")


_PLACEHOLDER_STRING = re.compile(r"^\^\(\[0-9\]\+\(ms\|s\|m\|h\|d\|w\)\)")


def compose(schema: Mapping[str, Any], *, minimal: bool = False) -> Any:
    """One payload for a converted schema, made of the spec's `example`s where it has them.

    `minimal=True` leaves out every property that is not required, at every depth.
    """
    if "example" in schema and not minimal and fits(schema["example"], schema):
        return schema["example"]
    if "default" in schema and not minimal:
        return schema["default"]
    if "anyOf" in schema:
        branch = next(b for b in schema["anyOf"] if b.get("type") != "null")
        return compose(branch, minimal=minimal)
    if "allOf" in schema:
        return compose(schema["allOf"][-1], minimal=minimal)
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        if not properties and "additionalProperties" in schema:
            return {} if minimal else {"key": compose(schema["additionalProperties"])}
        required = set(schema.get("required", [])) if minimal else set(properties)
        return {
            name: compose(node, minimal=minimal)
            for name, node in properties.items()
            if name in required
        }
    if kind == "array":
        return [] if minimal else [compose(schema["items"])]
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "string":
        if schema.get("format") == "date-time":
            return "2024-05-06T07:08:09Z"
        if "pattern" in schema and _PLACEHOLDER_STRING.match(schema["pattern"]):
            return "1h"
        return "x" * max(1, schema.get("minLength", 1))
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    return "anything"
