"""`Endpoint`: how a service declares the spec operation a method sends to.

Plain data and the rule for reading path templates, no I/O: the services declare their
endpoints with it, the session core fills the templates, and `circleci_async.operations`
tables the endpoints by operationId.
"""

from __future__ import annotations

import functools
import re

import attrs

__all__ = ["Endpoint", "template_pieces"]

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


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
