"""What every service shares: calling the core, decoding, paging, recording operations."""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Generic, TypeVar, cast

import attrs

from ..drift import Deviation
from ..endpoints import Endpoint
from ..errors import DecodeError, InvalidArgumentError, PaginationError
from ..models.common import Accepted
from ..models.decoding import decode, describe_value, fast_reader, other_spelling
from ..pagination import Page, Paginator
from ..session import Response, SessionCore

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

    def _decode(self, response: Response, into: type[T], endpoint: Endpoint) -> T:
        """Read an answer as `into`; drift goes to the client's log, errors carry the answer."""
        data = response.data
        try:
            if data is None and not response.body.strip():
                raise DecodeError(
                    endpoint.operation_id, "the answer is empty, where the spec promises JSON"
                )
            value: T = decode(data, into, endpoint.operation_id, report=self._core.drift.report)
        except DecodeError as exc:
            raise _attach(exc, response, endpoint) from None
        return value

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
        return self._decode(response, into, endpoint)

    async def _act(
        self,
        endpoint: Endpoint,
        into: type[T],
        *,
        path: Mapping[str, str] | None = None,
        query: Mapping[str, object] | None = None,
        body: object = None,
        idempotent: bool | None = None,
    ) -> T | Accepted:
        """Send an action (rerun, cancel, approve, trigger, ...) and read whatever 2xx came.

        The typed result when the answer has its fields, else an `Accepted` with the
        message and the raw text: never a `DecodeError` for a request that succeeded (an
        empty answer, one that is not JSON, a bare string, an object without the fields).
        """
        response = await self._send_action(
            endpoint, path=path, query=query, body=body, idempotent=idempotent
        )
        if isinstance(response, Accepted):
            return response
        return self._read_action(response, into, endpoint)

    async def _send_action(
        self,
        endpoint: Endpoint,
        *,
        path: Mapping[str, str] | None = None,
        query: Mapping[str, object] | None = None,
        body: object = None,
        idempotent: bool | None = None,
    ) -> Response | Accepted:
        """Send an action; a 2xx answer that is not JSON is `Accepted` with its raw text."""
        try:
            return await self._send(
                endpoint, path=path, query=query, body=body, idempotent=idempotent
            )
        except DecodeError as exc:
            if exc.status is not None and 200 <= exc.status < 300:
                return _accepted(exc.status, exc.body or b"", None)
            raise

    def _read_action(self, response: Response, into: type[T], endpoint: Endpoint) -> T | Accepted:
        """The typed result of an action's answer, or `Accepted` when it is not one.

        An object with at least one of the fields the spec requires of the result is the
        result (drift reported as usual, so strict mode still refuses it); one without any,
        or without an identity field (a rerun answered `{"message": "Accepted."}`), is
        `Accepted`.
        """
        data = response.data
        if isinstance(data, dict) and _has_a_field(data, into):
            found: list[Deviation] = []
            try:
                value: T = decode(
                    data, into, endpoint.operation_id, report=lambda _, d: found.extend(d)
                )
            except DecodeError:
                pass
            else:
                if found:
                    try:
                        self._core.drift.report(endpoint.operation_id, found)
                    except DecodeError as exc:
                        raise _attach(exc, response, endpoint) from None
                return value
        return _accepted(response.status, response.body, data)

    def _item_reader(
        self, endpoint: Endpoint, into: type[T], last: list[Response]
    ) -> Callable[[Any], T]:
        """Decodes one item of a page: the fast reader, else the tolerant one.

        `last` holds the response of the page being walked, for the errors' context.
        """
        fast = fast_reader(typing.cast(Any, into))
        report = self._core.drift.report
        operation = endpoint.operation_id

        def read(item: Any) -> T:
            try:
                return typing.cast(T, fast(item))
            except Exception:
                pass
            try:
                value: T = decode(item, into, operation, report=report, path="body.items[]")
            except DecodeError as exc:
                raise _attach(exc, last[0], endpoint) from None
            return value

        return read

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
        Items are decoded lazily, one by one, as the walk reaches them.
        """
        last: list[Response] = []

        async def fetch(token: str | None) -> Page[Any]:
            response = await self._send(
                endpoint, path=path, query={**(query or {}), "page-token": token}
            )
            last[:] = [response]
            return self._page(response, endpoint, sparse=sparse)

        read = self._item_reader(endpoint, into, last)
        return Paginator(fetch, operation=endpoint.operation_id, page_token=page_token, read=read)

    def _page(self, response: Response, endpoint: Endpoint, *, sparse: bool) -> Page[Any]:
        """The items (as JSON) and next token of one page; a drifted page still walks on."""
        data = response.data
        if not isinstance(data, dict):
            got = "empty" if data is None and not response.body.strip() else describe_value(data)
            error = DecodeError(
                endpoint.operation_id,
                f"the answer is {got}, where the spec says an object with `items`",
            )
            raise _attach(error, response, endpoint)
        deviations = []
        items = data.get("items")
        if not isinstance(items, list):
            if items is not None or not sparse:
                got = "absent" if "items" not in data else describe_value(items)
                deviations.append(Deviation("body.items", "a list (required)", got))
            items = []
        token = data.get("next_page_token")
        if token is not None and not isinstance(token, str):
            deviations.append(
                Deviation("body.next_page_token", "a string or null", describe_value(token))
            )
            token = None
        if deviations:
            try:
                self._core.drift.report(endpoint.operation_id, deviations)
            except DecodeError as exc:
                raise _attach(exc, response, endpoint) from None
        return Page(items, token)

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
        longest = 0
        last: list[Response] = []
        previous: object = None

        async def fetch(token: str | None) -> Page[Any]:
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
            last[:] = [response]
            items = response.data
            if not isinstance(items, list):
                got = describe_value(items) if response.body.strip() else "empty"
                error = DecodeError(
                    endpoint.operation_id, f"the answer is {got}, where the spec says a list"
                )
                raise _attach(error, response, endpoint)
            longest = max(longest, len(items))
            if not items or len(items) < longest:
                return Page(items, None)
            return Page(items, str(start + len(items)))

        start_token = str(offset) if offset else None
        read = self._item_reader(endpoint, into, last)
        return Paginator(fetch, operation=endpoint.operation_id, page_token=start_token, read=read)

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
        data: _Items[T] = self._decode(response, shape, endpoint)
        return data.items


def _has_a_field(data: dict[str, Any], into: Any) -> bool:
    """Whether `data` holds any field the spec requires of `into` (either spelling).

    True also for a result of which the spec requires nothing: any object is one.
    """
    required = [
        field
        for field in attrs.fields(typing.get_origin(into) or into)
        if field.metadata.get("expected") or field.default is attrs.NOTHING
    ]
    for field in required:
        key = field.metadata.get("wire", field.name)
        if data.get(key) is not None:
            return True
        other = other_spelling(key)
        if other is not None and data.get(other) is not None:
            return True
    return not required


def _accepted(status: int, body: bytes, data: Any) -> Accepted:
    message = data.get("message") if isinstance(data, dict) else data
    return Accepted(
        status=status,
        message=message if isinstance(message, str) else None,
        text=body.decode("utf-8", errors="replace"),
    )


def _attach(error: DecodeError, response: Response, endpoint: Endpoint) -> DecodeError:
    return error.attach(
        status=response.status,
        method=response.method or endpoint.method,
        url=response.url,
        data=response.data,
        body=response.body,
    )
