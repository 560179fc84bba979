"""Checks on method arguments, made before anything is sent: the one home of these rules.

Each check takes the caller's value and the argument's Python name, returns the value as it
goes on the wire (a string for dates and enum members, an escaped segment for path ids, a list
for sequences), and raises `InvalidArgumentError` naming the argument when it cannot be sent.
`None` passes through (as "leave it out") when `optional=True`; otherwise it is refused as a
missing argument.

Pure functions, no I/O. The module sits just above the models (a request body is checked by
reading it back with their converter) and below everything that takes arguments from a
caller: the services, the artifact harvester and the CLI.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import Any
from urllib.parse import quote

import attrs
import cattrs

from .errors import InvalidArgumentError
from .models.base import OpenEnum
from .models.converter import converter, encode

__all__ = [
    "drop_none",
    "flag",
    "format_job_number",
    "format_path_id",
    "mapping",
    "member",
    "members",
    "moment",
    "not_both",
    "number",
    "org_slug",
    "org_slug_or_id",
    "pipeline_parameters",
    "record",
    "slug_parts",
    "strings",
    "text",
    "uuid",
    "uuids",
    "validate_project_slug",
    "whole",
]

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_VCS_PROVIDERS = frozenset({"gh", "github", "bb", "bitbucket"})
_ORG_PROVIDERS = _VCS_PROVIDERS | {"circleci"}
_SLUG_PART = re.compile(r"^[A-Za-z0-9_.\-]+$")
_CIRCLECI_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")
_DOT_SEGMENTS = frozenset({".", ".."})
_SEPARATORS = re.compile(r"[/\\]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _dot_segment(parts: Sequence[str]) -> bool:
    """Whether a part is `.` or `..`: a segment that would move the path up or nowhere."""
    return any(part in _DOT_SEGMENTS for part in parts)


def _missing(value: object, name: str, optional: bool) -> bool:
    if value is not None:
        return False
    if optional:
        return True
    raise InvalidArgumentError(f"{name} is required")


def _kind(value: object) -> str:
    return type(value).__name__


def text(value: object, name: str, *, optional: bool = False, empty: bool = False) -> str | None:
    """A string; an empty one only when `empty=True`."""
    if _missing(value, name, optional):
        return None
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{name} must be a string, not {_kind(value)}")
    if not empty and not value.strip():
        raise InvalidArgumentError(f"{name} must not be empty")
    return value


def flag(value: object, name: str, *, optional: bool = False) -> bool | None:
    """True or False (not 0, 1 or a string)."""
    if _missing(value, name, optional):
        return None
    if not isinstance(value, bool):
        raise InvalidArgumentError(f"{name} must be True or False, not {_kind(value)}")
    return value


def whole(
    value: object, name: str, *, optional: bool = False, minimum: int | None = None
) -> int | None:
    """An integer (not a bool), at least `minimum` when given."""
    if _missing(value, name, optional):
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgumentError(f"{name} must be an integer, not {_kind(value)}")
    if minimum is not None and value < minimum:
        raise InvalidArgumentError(f"{name} must be at least {minimum}, got {value}")
    return value


def number(value: object, name: str, *, optional: bool = False) -> float | None:
    """An int or a float (not a bool)."""
    if _missing(value, name, optional):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidArgumentError(f"{name} must be a number, not {_kind(value)}")
    return value


def moment(value: object, name: str, *, optional: bool = False) -> str | None:
    """A date-time as ISO 8601: a `datetime` (naive ones are taken as UTC) or such a string."""
    if _missing(value, name, optional):
        return None
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.isoformat()
    if isinstance(value, str):
        try:
            datetime.fromisoformat(value)
        except ValueError:
            raise InvalidArgumentError(
                f"{name} must be an ISO 8601 date-time, got {value!r}"
            ) from None
        return value
    raise InvalidArgumentError(
        f"{name} must be a datetime or an ISO 8601 string, not {_kind(value)}"
    )


def member(value: object, enum: type[Enum], name: str, *, optional: bool = False) -> str | None:
    """A value of `enum`: one of its members, or the string of a known member.

    An `OpenEnum` built from an unknown string (`WebhookEvent("new-event")`) is sent as it
    is: the way to use a value CircleCI added after this library was released.
    """
    if _missing(value, name, optional):
        return None
    if isinstance(value, enum):
        return str(value.value)
    if isinstance(value, str) and not isinstance(value, Enum):
        known = [str(item.value) for item in enum]
        if value in known:
            return value
        choices = ", ".join(repr(choice) for choice in known)
        hint = (
            f"; or pass {enum.__name__}({value!r}) to send it anyway"
            if issubclass(enum, OpenEnum)
            else ""
        )
        raise InvalidArgumentError(f"{name} must be one of {choices}, got {value!r}{hint}")
    raise InvalidArgumentError(
        f"{name} must be a {enum.__name__} or its string, not {_kind(value)}"
    )


def _sequence(value: object, name: str) -> Sequence[object]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise InvalidArgumentError(f"{name} must be a list, not {_kind(value)}")
    return value


def strings(value: object, name: str, *, optional: bool = False) -> list[str] | None:
    """A list (or tuple) of non-empty strings; a lone string is refused."""
    if _missing(value, name, optional):
        return None
    return [
        str(text(item, f"{name}[{index}]")) for index, item in enumerate(_sequence(value, name))
    ]


def members(
    value: object, enum: type[Enum], name: str, *, optional: bool = False
) -> list[str] | None:
    """A list of values of `enum`, each checked like `member`."""
    if _missing(value, name, optional):
        return None
    return [
        str(member(item, enum, f"{name}[{index}]"))
        for index, item in enumerate(_sequence(value, name))
    ]


def uuid(value: object, name: str, *, optional: bool = False) -> str | None:
    """A UUID string (`a1b2c3d4-...`)."""
    if _missing(value, name, optional):
        return None
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{name} must be a UUID string, not {_kind(value)}")
    if not _UUID.match(value):
        raise InvalidArgumentError(f"{name} must be a UUID, got {value!r}")
    return value


def uuids(value: object, name: str, *, optional: bool = False) -> list[str] | None:
    """A list of UUID strings."""
    if _missing(value, name, optional):
        return None
    return [
        str(uuid(item, f"{name}[{index}]")) for index, item in enumerate(_sequence(value, name))
    ]


def mapping(value: object, name: str, *, optional: bool = False) -> dict[str, Any] | None:
    """A free-form JSON object: a mapping with string keys whose values JSON can carry."""
    if _missing(value, name, optional):
        return None
    if not isinstance(value, Mapping):
        raise InvalidArgumentError(f"{name} must be a mapping, not {_kind(value)}")
    for key in value:
        if not isinstance(key, str):
            raise InvalidArgumentError(f"{name} keys must be strings, got {key!r}")
    try:
        json.dumps(value)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"{name} cannot be sent as JSON: {exc}") from None
    return dict(value)


_PARAMETER_TYPES = (str, int, float, bool)


def pipeline_parameters(
    value: object, name: str = "parameters", *, optional: bool = False
) -> dict[str, Any] | None:
    """Pipeline parameters: a mapping of non-empty names to strings, numbers or booleans."""
    if _missing(value, name, optional):
        return None
    if not isinstance(value, Mapping):
        raise InvalidArgumentError(
            f"{name} must be a mapping of names to values, not {_kind(value)}"
        )
    for key, item in value.items():
        if not isinstance(key, str) or not key:
            raise InvalidArgumentError(f"pipeline parameter names must be strings, got {key!r}")
        if not isinstance(item, _PARAMETER_TYPES):
            raise InvalidArgumentError(
                f"pipeline parameter {key!r} must be a string, number or boolean, not {_kind(item)}"
            )
    return dict(value)


def record(value: object, kind: type, name: str, *, optional: bool = False) -> Any:
    """An instance of the model `kind` as its JSON object (wire names, unset fields left out).

    The object is read back with the strict converter first, so a field of the wrong type
    (`Timetable(per_hour="2")`) is refused here, naming it.
    """
    if _missing(value, name, optional):
        return None
    if not isinstance(value, kind) or not attrs.has(kind):
        raise InvalidArgumentError(f"{name} must be a {kind.__name__}, not {_kind(value)}")
    data = encode(value)
    try:
        converter.structure(data, kind)
    except Exception as exc:
        if isinstance(exc, cattrs.BaseValidationError):
            problems = "; ".join(cattrs.transform_error(exc, path=name))
        else:
            problems = f"{name}: {exc}"
        raise InvalidArgumentError(f"{name} holds a value of the wrong type: {problems}") from None
    unset = [
        field.name
        for field in attrs.fields(kind)
        if field.metadata.get("expected") and getattr(value, field.name) is None
    ]
    if unset:
        # Answers may lack these fields; a request the spec describes may not.
        raise InvalidArgumentError(f"{name} needs {', '.join(unset)} (the spec requires them)")
    return drop_none(data)


def drop_none(value: Any) -> Any:
    """`value` with every None left out of its objects, at any depth (the API's "not set")."""
    if isinstance(value, dict):
        return {key: drop_none(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [drop_none(item) for item in value]
    return value


def validate_project_slug(slug: object) -> str:
    """Return `slug` if it is a CircleCI project slug, else raise `InvalidArgumentError`.

    Accepted: `gh|github|bb|bitbucket/<org>/<repo>` and `circleci/<org-id>/<project-id>`,
    where the ids are UUIDs or the short alphanumeric ids CircleCI also issues.
    """
    if not isinstance(slug, str):
        raise InvalidArgumentError(
            f"project slug must be a string like 'gh/org/repo', not {type(slug).__name__}"
        )
    return _checked_slug(slug)


@functools.lru_cache(maxsize=1024)
def _checked_slug(slug: str) -> str:
    parts = slug.split("/")
    problem = None
    if len(parts) != 3 or not all(parts):
        problem = "it must have three parts: <vcs>/<org>/<repo>"
    elif _dot_segment(parts) or _CONTROL.search(slug):
        problem = "no part may be '.' or '..' or hold control characters"
    elif parts[0] == "circleci":
        if not (_CIRCLECI_ID.match(parts[1]) and _CIRCLECI_ID.match(parts[2])):
            problem = "a circleci/ slug takes an organization id and a project id"
    elif parts[0] not in _VCS_PROVIDERS:
        problem = "the vcs part must be gh, github, bb, bitbucket or circleci"
    elif not (_SLUG_PART.match(parts[1]) and _SLUG_PART.match(parts[2])):
        problem = (
            "org and repo may hold only ASCII letters, digits, '.', '_' and '-' "
            "(as GitHub and Bitbucket names do)"
        )
    if problem:
        raise InvalidArgumentError(f"malformed project slug {slug!r}: {problem}")
    return slug


def format_job_number(value: object, *, name: str = "job_number") -> str:
    """A job or pipeline number as a path segment; refuses anything but a non-negative integer."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidArgumentError(f"{name} must be an integer, not {type(value).__name__}")
    if isinstance(value, str):
        if not value.isascii() or not value.isdigit():
            raise InvalidArgumentError(f"{name} must be an integer, not {value!r}")
        value = int(value)
    if value < 0:
        raise InvalidArgumentError(f"{name} must not be negative, got {value}")
    return str(value)


def format_path_id(value: object, *, name: str) -> str:
    """A non-empty string id (uuid, name, fingerprint) escaped as one path segment.

    Every character but letters, digits and `-._~` is percent-escaped, `/`, `?`, `#` and `%`
    included. Refused: control characters, and a value that is `.` or `..` or holds one
    between slashes or backslashes (a server that decodes `%2F` before routing would see a
    dot segment).
    """
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{name} must be a string, not {type(value).__name__}")
    if not value.strip():
        raise InvalidArgumentError(f"{name} must not be empty")
    if _CONTROL.search(value):
        raise InvalidArgumentError(f"{name} must not hold control characters, got {value!r}")
    if _dot_segment(_SEPARATORS.split(value)):
        raise InvalidArgumentError(
            f"{name} must not be '.' or '..' or hold such a part between slashes, got {value!r}"
        )
    return quote(value, safe="")


def slug_parts(project_slug: object) -> dict[str, str]:
    """A project slug as the `{provider}/{organization}/{project}` path parts of newer paths."""
    provider, organization, project = validate_project_slug(project_slug).split("/")
    return {"provider": provider, "organization": organization, "project": project}


def org_slug(value: object, name: str, *, optional: bool = False) -> str | None:
    """An organization slug, `<vcs>/<org>` (vcs: gh, github, bb, bitbucket or circleci).

    Like a project slug it is sent with its `/` as it is, so its parts are held to the same
    characters: letters, digits, `.`, `_` and `-`.
    """
    if _missing(value, name, optional):
        return None
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{name} must be a string like 'gh/org', not {_kind(value)}")
    parts = value.split("/")
    problem = None
    if len(parts) != 2 or not all(parts):
        problem = "it must have two parts: <vcs>/<org>"
    elif _dot_segment(parts) or _CONTROL.search(value):
        problem = "no part may be '.' or '..' or hold control characters"
    elif parts[0] not in _ORG_PROVIDERS:
        problem = "the vcs part must be gh, github, bb, bitbucket or circleci"
    elif not _SLUG_PART.match(parts[1]):
        problem = "the org may hold only letters, digits, '.', '_' and '-'"
    if problem:
        raise InvalidArgumentError(f"malformed org slug {value!r}: {problem}")
    return value


def org_slug_or_id(value: object, name: str) -> str:
    """An organization as a path part: a slug (`gh/org`) or an id (escaped for the URL)."""
    if isinstance(value, str) and "/" in value:
        return str(org_slug(value, name))
    return format_path_id(value, name=name)


def not_both(first: str, first_value: object, second: str, second_value: object) -> None:
    """Refuse a call that sets both of two arguments that exclude each other."""
    if first_value is not None and second_value is not None:
        raise InvalidArgumentError(f"pass {first} or {second}, not both")
