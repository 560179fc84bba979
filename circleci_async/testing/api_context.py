"""`ApiContext`: what a route's handler gets (request, parameters, state, paging); `ApiError`."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import Any, TypeVar

import attrs
from aiohttp import web

from .paging import InvalidPageTokenError, PageTokens
from .records import ArtifactRecord, ProjectRecord
from .replies import Reply
from .state import FakeState

__all__ = ["ApiContext", "ApiError", "Handler"]

T = TypeVar("T")


class ApiError(Exception):
    """Raised by a handler to answer `status` with an error body holding `message`.

    The body is `{"message": ...}`, or `{"error": ...}` on the routes whose `error_key` says so.
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


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


Handler = Callable[[ApiContext], Awaitable[Reply]]
"""A route's handler: an answer for one request."""
