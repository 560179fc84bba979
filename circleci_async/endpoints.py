"""`Endpoint`: how a service declares the spec operation a method sends to.

Plain data and the rules for reading and filling path templates, no I/O: the services declare
their endpoints with it, the session core fills the templates (`path_value_problem` is the last
check of every value, whatever built it), and `circleci_async.operations` tables the endpoints
by operationId.
"""

from __future__ import annotations

import functools
import re

import attrs

__all__ = ["SLASHED_PLACEHOLDERS", "Endpoint", "path_value_problem", "template_pieces"]

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
SLASHED_PLACEHOLDERS = frozenset({"project-slug", "org-slug", "org-slug-or-id"})
"""Placeholders whose value is a slug sent with its own `/` separators."""
_SEGMENT = re.compile(r"(?:[^/\\?#%\x00-\x20\x7f-\x9f]|%[0-9A-Fa-f]{2})+")
_DOT_SEGMENT = re.compile(r"(?:\.|%2[eE]){1,2}")


@functools.lru_cache(maxsize=4096)
def path_value_problem(placeholder: str, value: str) -> str | None:
    """Why an escaped path value would change the path's shape, or None if it cannot.

    A value is one segment (a slug placeholder: segments joined by `/`), each non-empty, not
    `.` or `..` (escaped or not), without `?`, `#`, a backslash, spaces or control characters, and
    with `%` only as the start of an escape.
    """
    segments = value.split("/") if placeholder in SLASHED_PLACEHOLDERS else (value,)
    for segment in segments:
        if not segment:
            return "is empty" if len(segments) == 1 else "has an empty part"
        if _DOT_SEGMENT.fullmatch(segment):
            return "is a '.' or '..' segment" if len(segments) == 1 else "has a '.' or '..' part"
        if not _SEGMENT.fullmatch(segment):
            return "holds a character that would change the path"
    return None


@functools.lru_cache(maxsize=1024)
def template_pieces(path: str) -> tuple[str, ...]:
    """A path template split into literal text (even places) and placeholder names (odd).

    `"/project/{project-slug}/pipeline"` → `("/project/", "project-slug", "/pipeline")`.
    """
    return tuple(_PLACEHOLDER.split(path))


@attrs.frozen
class Endpoint:
    """One operation of the spec: its operationId, HTTP method and path template."""

    operation_id: str
    method: str
    path: str

    @property
    def placeholders(self) -> tuple[str, ...]:
        """The names of the path template's `{placeholders}`, in order."""
        return template_pieces(self.path)[1::2]
