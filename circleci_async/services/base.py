"""What every service shares: calling the core, decoding, paging, recording operations."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Generic, TypeVar, cast

import attrs

from ..errors import InvalidArgumentError, PaginationError
from ..models.converter import decode
from ..pagination import Page, Paginator
from ..session import Endpoint, Response, SessionCore

__all__ = ["Service", "implements"]

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


def implements(endpoint: Endpoint) -> Callable[[F], F]:
    """Record on a service method the spec operation it implements.

    The method is wrapped so that a call with a missing or unknown argument raises
    `InvalidArgumentError` naming it, before anything is sent, rather than a bare `TypeError`.
    The signature is checked only when the call fails, so a good call costs nothing extra.
    """

    def mark(method: F) -> F:
        signature = inspect.signature(method)

        def refuse(exc: TypeError, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
            try:
                signature.bind(*args, **kwargs)
            except TypeError as binding:
                raise InvalidArgumentError(f"{endpoint.operation_id}: {binding}") from None
            raise exc

        @functools.wraps(method)
        def checked(*args: Any, **kwargs: Any) -> Any:
            try:
                return method(*args, **kwargs)
            except TypeError as exc:
                refuse(exc, args, kwargs)
                raise

        @functools.wraps(method)
        async def checked_call(*args: Any, **kwargs: Any) -> Any:
            try:
                pending = method(*args, **kwargs)
            except TypeError as exc:
                refuse(exc, args, kwargs)
                raise
            return await pending

        wrapper: Any = checked_call if inspect.iscoroutinefunction(method) else checked
        wrapper.__circleci_endpoint__ = endpoint
        return cast(F, wrapper)

    return mark


@attrs.frozen
class _Listing(Generic[T]):
    items: list[T]
    next_page_token: str | None = None


@attrs.frozen
class _SparseListing(Generic[T]):
    """A page of the newer endpoints, whose schemas make even `items` optional."""

    items: list[T] = attrs.Factory(list)
    next_page_token: str | None = None


@attrs.frozen
class _Items(Generic[T]):
    """An unpaged list wrapped in `{"items": [...]}`."""

    items: list[T]


@attrs.frozen
class _SparseItems(Generic[T]):
    """An unpaged list wrapped in `{"items": [...]}` whose schema makes `items` optional."""

    items: list[T] = attrs.Factory(list)


class Service:
    """Base of the per-tag services: thin methods that build a call and decode its answer."""

    name: str = ""
    """The attribute name of the service on the client (`pipelines`, `jobs`, ...)."""

    def __init__(self, core: SessionCore) -> None:
        self._core = core

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._core.base_url}>"

    def _send(
        self,
        endpoint: Endpoint,
        *,
        path: Mapping[str, str] | None = None,
        query: Mapping[str, object] | None = None,
        body: object = None,
        idempotent: bool | None = None,
    ) -> Awaitable[Response]:
        """The core's request for this call (returned, not awaited: no extra coroutine)."""
        return self._core.request(
            endpoint, path_params=path, params=query, json_body=body, idempotent=idempotent
        )

    async def _call(
        self,
        endpoint: Endpoint,
        into: type[T],
        *,
        path: Mapping[str, str] | None = None,
        query: Mapping[str, object] | None = None,
        body: object = None,
        idempotent: bool | None = None,
    ) -> T:
        response = await self._send(
            endpoint, path=path, query=query, body=body, idempotent=idempotent
        )
        return decode(response.data, into, endpoint.operation_id)

    def _paginate(
        self,
        endpoint: Endpoint,
        into: type[T],
        *,
        path: Mapping[str, str] | None = None,
        query: Mapping[str, object] | None = None,
        page_token: str | None = None,
        sparse: bool = False,
    ) -> Paginator[T]:
        """Walk a list paged by `page-token` / `next_page_token`.

        `page-token` is sent on every later page, also where the spec forgets to declare it.
        `sparse=True` accepts a page without `items` (the newer schemas make it optional).
        """
        shape: Any = _SparseListing if sparse else _Listing
        listing: Any = shape[into]

        async def fetch(token: str | None) -> Page[T]:
            response = await self._send(
                endpoint, path=path, query={**(query or {}), "page-token": token}
            )
            data: _Listing[T] = decode(response.data, listing, endpoint.operation_id)
            return Page(data.items, data.next_page_token)

        return Paginator(fetch, operation=endpoint.operation_id, page_token=page_token)

    def _paginate_offset(
        self,
        endpoint: Endpoint,
        into: type[T],
        *,
        path: Mapping[str, str] | None = None,
        query: Mapping[str, object] | None = None,
        offset: int | None = None,
    ) -> Paginator[T]:
        """Walk a plain JSON array paged by an `offset` query parameter.

        The paginator's token is the offset as a string. The walk ends on an empty page, or
        on a page shorter than the longest seen so far (the server's page size); a page equal
        to the one before it (a server that ignores the offset) raises `PaginationError`.
        """
        listing: Any = list[into]  # type: ignore[valid-type]
        longest = 0
        previous: object = None

        async def fetch(token: str | None) -> Page[T]:
            nonlocal longest, previous
            start = int(token) if token is not None else 0
            response = await self._send(
                endpoint,
                path=path,
                query={**(query or {}), "offset": start if token is not None else None},
            )
            if token is not None and response.data and response.data == previous:
                raise PaginationError(
                    f"{endpoint.operation_id}: the page at offset {start} is the same as the "
                    f"one before it; the server ignores the offset, so the walk was stopped"
                )
            previous = response.data
            items: list[T] = decode(response.data, listing, endpoint.operation_id)
            longest = max(longest, len(items))
            if not items or len(items) < longest:
                return Page(items, None)
            return Page(items, str(start + len(items)))

        start_token = str(offset) if offset else None
        return Paginator(fetch, operation=endpoint.operation_id, page_token=start_token)

    async def _items(
        self,
        endpoint: Endpoint,
        into: type[T],
        *,
        path: Mapping[str, str] | None = None,
        query: Mapping[str, object] | None = None,
        sparse: bool = False,
    ) -> list[T]:
        """Fetch an unpaged `{"items": [...]}` answer and return its items.

        `sparse=True` accepts an answer without `items` (an empty list).
        """
        wrapper: Any = _SparseItems if sparse else _Items
        shape: Any = wrapper[into]
        response = await self._send(endpoint, path=path, query=query)
        data: _Items[T] = decode(response.data, shape, endpoint.operation_id)
        return data.items
