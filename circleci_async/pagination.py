"""Lazy, resumable walks over CircleCI's token-paged lists: `Paginator` and `Page`."""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Generic, TypeVar

import attrs

from . import checks as check
from .errors import APIError, InvalidArgumentError, PaginationError

__all__ = ["MAX_EMPTY_PAGES", "RECENT_TOKENS", "Page", "Paginator"]

T = TypeVar("T")

MAX_EMPTY_PAGES = 10
"""A walk that gets this many empty pages in a row, each with a next token, raises
`PaginationError`: a server that hands out new tokens and no items would never end it."""

RECENT_TOKENS = 1024
"""How many of the latest page tokens a walk remembers: a token that repeats one of them ends
the walk at once. Longer cycles are caught a little later by a checkpoint token (Brent's
method), so a walk's memory stays the same however many pages it reads."""


@attrs.frozen
class Page(Generic[T]):
    """One page of a list: its items and the token of the next page (None on the last)."""

    items: list[T]
    next_page_token: str | None = None


FetchPage = Callable[[str | None], Awaitable[Page[Any]]]
"""Fetches the page that starts at a token (None for the first page), items as JSON."""
ReadItem = Callable[[Any], T]
"""Turns one item as CircleCI sent it into the item a walk yields."""


class Paginator(Generic[T]):
    """A lazy walk over a paged list; no request is sent until it is iterated.

    `async for item in paginator` yields items across pages; `pages()` yields whole pages
    with their tokens, so a walk can be resumed later by passing a page's `next_page_token`
    as the `page_token=` of the same list method. Each iteration starts a fresh walk from
    the start token. A walk ends with `PaginationError` when a token repeats or after
    `MAX_EMPTY_PAGES` empty pages in a row that still name a next page. Only one page is
    held at a time, and each page's body is read in full before it is yielded, so breaking
    out early leaves no connection open. Retries and the client's rate-limit gate apply to
    every page. Items are decoded one at a time as the walk reaches them, so `first()` and
    `take()` decode no more than they return; `raw()` walks the same pages and yields the
    items as CircleCI sent them.
    """

    def __init__(
        self,
        fetch: FetchPage,
        *,
        operation: str,
        page_token: str | None = None,
        read: ReadItem[T] | None = None,
    ) -> None:
        check.text(page_token, "page_token", optional=True)
        self._fetch = fetch
        self._read = read
        self.operation = operation
        """The spec operationId that serves each page."""
        self.start_token = page_token
        """The page token the walk starts from (None: the first page)."""

    def __repr__(self) -> str:
        return f"Paginator({self.operation}, page_token={self.start_token!r})"

    def pages(self) -> AsyncIterator[Page[T]]:
        """Iterate over whole pages, empty ones included, until the last."""
        walk: _PageWalk[Any] = _PageWalk(self._fetch, self.operation, self.start_token)
        return walk if self._read is None else _ReadPages(walk, self._read)

    def raw(self) -> Paginator[Any]:
        """The same walk (same filters, start token, retries), yielding items as JSON."""
        return Paginator(self._fetch, operation=self.operation, page_token=self.start_token)

    def __aiter__(self) -> AsyncIterator[T]:
        return self.items()

    def items(self, limit: int | None = None) -> AsyncIterator[T]:
        """The items, at most `limit` of them, as a stream (`async for` without a limit).

        With a limit the walk never asks for a page beyond the one holding the last item.
        """
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or limit < 0
        ):
            raise InvalidArgumentError(
                f"limit must be a non-negative integer or None, got {limit!r}"
            )
        walk: _PageWalk[Any] = _PageWalk(self._fetch, self.operation, self.start_token)
        return _ItemWalk(walk, self._read, limit=limit)

    async def first(self) -> T | None:
        """The first item, or None when the list is empty; fetches no more pages than needed."""
        async for item in self.items(1):
            return item
        return None

    async def take(self, n: int) -> list[T]:
        """The first `n` items (fewer if the list is shorter)."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise InvalidArgumentError(f"take() needs a non-negative integer, got {n!r}")
        items: list[T] = []
        if n == 0:
            return items
        async for item in self.items(n):
            items.append(item)
            if len(items) >= n:
                break
        return items

    async def collect(self, limit: int | None = None) -> list[T]:
        """Every item in a list; with `limit`, raise `PaginationError` past that many."""
        items: list[T] = []
        async for item in self:
            if limit is not None and len(items) >= limit:
                raise PaginationError(
                    f"{self.operation} returned more than the limit of {limit} items"
                )
            items.append(item)
        return items


class _PageWalk(Generic[T]):
    """One walk over pages; catches a cyclic server in memory that does not grow.

    Hashes of the last `RECENT_TOKENS` tokens are kept, so a short cycle ends the walk at its
    first repeat. A longer cycle meets a checkpoint: one remembered token, replaced after 1, 2,
    4, 8, ... pages (Brent's cycle detection), which a cycle of any length repeats within
    about twice its length once the checkpoint lies on it.
    """

    def __init__(self, fetch: FetchPage, operation: str, token: str | None) -> None:
        self._fetch = fetch
        self._operation = operation
        self._token = token
        self._recent: set[int] = set()
        self._order: collections.deque[int] = collections.deque()
        self._checkpoint: int | None = None
        self._span = 1
        self._since_checkpoint = 0
        self._number = 0
        self._empty = 0
        self._done = False

    def __aiter__(self) -> _PageWalk[T]:
        return self

    def _remember(self, token: str) -> None:
        """Raise `PaginationError` when `token` was seen before, as far as the walk can tell."""
        key = hash(token)
        recent = self._recent
        if key in recent or key == self._checkpoint:
            self._done = True
            raise PaginationError(
                f"{self._operation}: page {self._number + 1} repeats the token of an "
                f"earlier page ({token!r}); the server's paging is cyclic"
            )
        recent.add(key)
        order = self._order
        order.append(key)
        if len(order) > RECENT_TOKENS:
            recent.discard(order.popleft())
        self._since_checkpoint += 1
        if self._since_checkpoint >= self._span:
            self._checkpoint = key
            self._span *= 2
            self._since_checkpoint = 0

    async def __anext__(self) -> Page[T]:
        if self._done:
            raise StopAsyncIteration
        token = self._token
        if token is not None:
            self._remember(token)
        self._number += 1
        try:
            page = await self._fetch(token)
        except APIError as exc:
            self._done = True
            if token is not None and exc.status in (400, 404, 410, 422):
                raise PaginationError(
                    f"{self._operation}: the server rejected the page token of page "
                    f"{self._number} ({exc.status} {exc.message}); start the walk again "
                    f"without page_token"
                ) from exc
            raise
        except BaseException:
            self._done = True
            raise
        self._token = page.next_page_token or None
        self._done = self._token is None
        self._empty = 0 if page.items or self._done else self._empty + 1
        if self._empty >= MAX_EMPTY_PAGES:
            self._done = True
            raise PaginationError(
                f"{self._operation}: {self._empty} pages in a row came with no items and yet "
                f"another page token; the walk makes no progress and was stopped"
            )
        return page


class _ReadPages(Generic[T]):
    """Pages with every item decoded."""

    def __init__(self, pages: AsyncIterator[Page[Any]], read: ReadItem[T]) -> None:
        self._pages = pages
        self._read = read

    def __aiter__(self) -> _ReadPages[T]:
        return self

    async def __anext__(self) -> Page[T]:
        page = await self._pages.__anext__()
        read = self._read
        return Page([read(item) for item in page.items], page.next_page_token)


class _ItemWalk(Generic[T]):
    """Flattens a page walk into items, decoding each one only when it is reached.

    The next page is requested while the items of the current one are handed out (one page
    ahead at most), so a long walk waits for the server and decodes at the same time: with a
    `limit`, only when the items so far fall short of it; without one, from the second page
    on, so a short look at a list costs no extra request. An abandoned walk cancels the
    request it started. Past `limit` items the walk ends.
    """

    def __init__(
        self, pages: AsyncIterator[Page[Any]], read: ReadItem[T] | None, *, limit: int | None
    ) -> None:
        self._pages = pages
        self._read = read
        self._limit = limit
        self._items: list[Any] = []
        self._index = 0
        self._fetched = 0
        self._received = 0
        self._handed = 0
        self._next: asyncio.Future[Page[Any]] | None = None

    def __aiter__(self) -> _ItemWalk[T]:
        return self

    def __del__(self) -> None:
        pending = self._next
        if pending is None:
            return
        if pending.done():
            if not pending.cancelled():
                pending.exception()  # retrieved: an abandoned page's error is not logged
            return
        with contextlib.suppress(RuntimeError):  # the loop may be closed already
            pending.cancel()

    async def _page(self) -> Page[Any]:
        pending, self._next = self._next, None
        page = await (pending if pending is not None else self._pages.__anext__())
        self._fetched += 1
        self._received += len(page.items)
        limit = self._limit
        needed = self._fetched >= 2 if limit is None else self._received < limit
        if needed and page.next_page_token:
            self._next = asyncio.ensure_future(self._pages.__anext__())
            await asyncio.sleep(0)  # let it send the request before this page is read
        return page

    async def __anext__(self) -> T:
        if self._limit is not None and self._handed >= self._limit:
            raise StopAsyncIteration
        self._handed += 1
        while self._index >= len(self._items):
            self._items = (await self._page()).items
            self._index = 0
        item = self._items[self._index]
        self._index += 1
        if self._read is None:
            return item  # type: ignore[no-any-return]
        return self._read(item)
