"""Table-driven routing of the API origin: spec path templates mapped to handlers."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import unquote

import attrs
from aiohttp import web

from .paging import InvalidPageTokenError, PageTokens
from .records import ArtifactRecord, ProjectRecord
from .replies import Reply
from .state import FakeState

__all__ = ["API_PREFIX", "ApiContext", "ApiError", "Handler", "Route", "RouteMatch", "Router"]

API_PREFIX = "/api/v2"

T = TypeVar("T")
Handler = Callable[["ApiContext"], Awaitable[Reply]]

_SLUG_PART = r"(?:(?!%2[fF])[^/])+"
_SLUG_SEPARATOR = r"(?:/|%2[fF])"
_SLUG = _SLUG_SEPARATOR.join([_SLUG_PART] * 3)
_SEGMENT = r"[^/]+"
_ORG_SLUG = rf"(?:gh|github|bb|bitbucket|circleci){_SLUG_SEPARATOR}{_SLUG_PART}"
_PATTERNS = {
    "project-slug": _SLUG,
    "org-slug": _ORG_SLUG,
    "org-slug-or-id": rf"(?:{_ORG_SLUG}|{_SEGMENT})",
}
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


class ApiError(Exception):
    """Raised by a handler to answer `status` with an error body holding `message`.

    The body is `{"message": ...}`, or `{"error": ...}` on the routes whose `error_key` says so.
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@attrs.frozen
class Route:
    """One API operation: method, spec path template (relative to `/api/v2`), operationId.

    `error_key` names the field of its error bodies: `message` for most operations, `error`
    for those of OIDC token management and policy management.
    """

    method: str
    template: str
    operation_id: str
    handler: Handler
    error_key: str = attrs.field(default="message", kw_only=True)
    pattern: re.Pattern[str] = attrs.field(init=False, repr=False, eq=False)
    names: tuple[str, ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "pattern", _compile(self.template))
        object.__setattr__(self, "names", tuple(_PLACEHOLDER.findall(self.template)))

    def match(self, raw_path: str) -> dict[str, str] | None:
        """Decoded path parameters if `raw_path` (percent-encoded) fits the template."""
        found = self.pattern.fullmatch(raw_path)
        if found is None:
            return None
        return {name: unquote(found.group(f"p{i}")) for i, name in enumerate(self.names)}


@attrs.frozen
class RouteMatch:
    """A route and the parameters taken from the path."""

    route: Route
    params: dict[str, str]


class Router:
    """Routes in registration order; the first whose method and template fit wins."""

    def __init__(self, routes: Iterable[Route] = ()) -> None:
        self._routes: list[Route] = []
        for route in routes:
            self.add(route)

    def add(self, route: Route) -> None:
        """Register a route; a second route for the same operationId is refused."""
        if any(existing.operation_id == route.operation_id for existing in self._routes):
            raise ValueError(f"operation {route.operation_id!r} is already routed")
        self._routes.append(route)

    def replace(self, route: Route) -> Route:
        """Serve an already routed operation with `route` instead; return the route it replaces.

        The new route keeps the old one's place in the table, so matching order is unchanged.
        """
        for index, existing in enumerate(self._routes):
            if existing.operation_id == route.operation_id:
                self._routes[index] = route
                return existing
        raise ValueError(f"operation {route.operation_id!r} is not routed")

    @property
    def routes(self) -> tuple[Route, ...]:
        """Registered routes."""
        return tuple(self._routes)

    @property
    def operation_ids(self) -> frozenset[str]:
        """The operationIds the router serves."""
        return frozenset(route.operation_id for route in self._routes)

    def resolve(self, method: str, raw_path: str) -> RouteMatch | None:
        """The route serving `method` on `raw_path` (percent-encoded, below `/api/v2`)."""
        for route in self._routes:
            if route.method != method:
                continue
            params = route.match(raw_path)
            if params is not None:
                return RouteMatch(route, params)
        return None

    def knows_path(self, raw_path: str) -> bool:
        """Whether some route, of any method, fits the path (405 rather than 404)."""
        return any(route.match(raw_path) is not None for route in self._routes)


@attrs.define
class ApiContext:
    """What a handler gets: the request, its path parameters, the state and paging."""

    request: web.Request
    operation_id: str
    params: dict[str, str]
    state: FakeState
    tokens: PageTokens
    page_size: int
    artifact_url: Callable[[ArtifactRecord], str]
    cycle_after: int | None = None
    ignored_query: tuple[str, ...] = ()

    @property
    def query(self) -> dict[str, str]:
        """Query parameters (last value wins), less those a fault makes the server ignore."""
        return {k: v for k, v in self.request.query.items() if k not in self.ignored_query}

    def query_all(self, name: str) -> list[str]:
        """Every value of a repeated query parameter (`branches=a&branches=b`), in order."""
        return list(self.request.query.getall(name, []))

    async def json_body(self) -> Any:
        """The request's JSON body; None when empty; 400 when not JSON."""
        raw = await self.request.read()
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise ApiError(400, "Request body is not valid JSON.") from None

    def project(self) -> ProjectRecord:
        """The project named by `{project-slug}`, or 404."""
        project = self.state.project(self.params["project-slug"])
        if project is None:
            raise ApiError(404, "Project not found.")
        return project

    def int_param(self, name: str) -> int:
        """An integer path parameter such as `{job-number}`, or 400."""
        value = self.params[name]
        if not value.isascii() or not value.isdigit():
            raise ApiError(400, f"Invalid {name}: {value!r} is not an integer.")
        return int(value)

    def page(
        self,
        items: Sequence[T],
        render: Callable[[T], Any],
        *,
        size: int | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Reply:
        """One page of `items` as `{"items": [...], "next_page_token": ...}`, per `page-token`.

        `size` overrides the server's page size (for `page-size` and `limit` parameters);
        `extra` adds fields to the body (such as a `total_count`).
        """
        query_key: Hashable = (
            tuple(sorted(self.params.items())),
            tuple(sorted((k, v) for k, v in self.request.query.items() if k != "page-token")),
        )
        try:
            cursor = self.tokens.resolve(
                self.operation_id, query_key, self.request.query.get("page-token")
            )
        except InvalidPageTokenError:
            raise ApiError(400, "Invalid page-token: it is unknown or has expired.") from None
        end = cursor.offset + (size or self.page_size)
        cycling = self.cycle_after is not None and cursor.number == self.cycle_after + 1
        next_token = None
        if end < len(items) or cycling:
            next_token = self.tokens.next_token(
                self.operation_id, query_key, cursor, end, cycle_after=self.cycle_after
            )
        body = {
            "items": [render(item) for item in items[cursor.offset : end]],
            "next_page_token": next_token,
            **(extra or {}),
        }
        return Reply.json(200, body)


def _compile(template: str) -> re.Pattern[str]:
    parts: list[str] = []
    last = 0
    for index, found in enumerate(_PLACEHOLDER.finditer(template)):
        parts.append(re.escape(template[last : found.start()]))
        body = _PATTERNS.get(found.group(1), _SEGMENT)
        parts.append(f"(?P<p{index}>{body})")
        last = found.end()
    parts.append(re.escape(template[last:]))
    return re.compile("".join(parts))
