"""Opaque page tokens: each maps to the query that made it, an offset and its walk."""

from __future__ import annotations

import secrets
from collections.abc import Hashable

import attrs

__all__ = ["InvalidPageTokenError", "PageCursor", "PageTokens"]


class InvalidPageTokenError(Exception):
    """A page token the fake never issued, or one that was invalidated."""


@attrs.frozen
class PageCursor:
    """Where a page starts: its walk (one listing from page 1 on), number and offset."""

    walk: int
    number: int
    offset: int


@attrs.frozen
class _Issued:
    operation: str
    query: Hashable
    cursor: PageCursor


class PageTokens:
    """Issues and resolves page tokens for all paged routes of one fake server."""

    def __init__(self) -> None:
        self._issued: dict[str, _Issued] = {}
        self._by_walk_offset: dict[tuple[int, int], str] = {}
        self._first_of_walk: dict[int, str] = {}
        self._walks = 0

    def resolve(self, operation: str, query: Hashable, token: str | None) -> PageCursor:
        """The cursor for `token`, or a new walk's first page when `token` is None or empty."""
        if not token:
            self._walks += 1
            return PageCursor(walk=self._walks, number=1, offset=0)
        issued = self._issued.get(token)
        if issued is None or issued.operation != operation or issued.query != query:
            raise InvalidPageTokenError(token)
        return issued.cursor

    def next_token(
        self, operation: str, query: Hashable, current: PageCursor, next_offset: int,
        *, cycle_after: int | None = None,
    ) -> str:  # fmt: skip
        """The token of the page after `current`, minted once per walk and offset.

        With `cycle_after`, page `cycle_after + 1` of a walk answers the walk's first token
        again, closing a cycle.
        """
        first = self._first_of_walk.get(current.walk)
        if cycle_after is not None and current.number == cycle_after + 1 and first is not None:
            return first
        key = (current.walk, next_offset)
        token = self._by_walk_offset.get(key)
        if token is None or token not in self._issued:
            token = secrets.token_urlsafe(24)
            cursor = PageCursor(walk=current.walk, number=current.number + 1, offset=next_offset)
            self._issued[token] = _Issued(operation, query, cursor)
            self._by_walk_offset[key] = token
            self._first_of_walk.setdefault(current.walk, token)
        return token

    def invalidate(self, operation: str | None = None) -> int:
        """Forget every token issued so far (only `operation`'s, if given); return how many."""
        doomed = [
            token
            for token, issued in self._issued.items()
            if operation is None or issued.operation == operation
        ]
        for token in doomed:
            del self._issued[token]
        return len(doomed)
