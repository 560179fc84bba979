"""What every service shares: calling the core, decoding, paging, recording operations."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

import attrs

from ..models.converter import decode
from ..pagination import Page, Paginator
from ..session import Endpoint, Response, SessionCore

__all__ = ["Service", "implements"]

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


def implements(endpoint: Endpoint) -> Callable[[F], F]:
    """Record on a service method the spec operation it implements."""

    def mark(method: F) -> F:
        method.__circleci_endpoint__ = endpoint  # type: ignore[attr-defined]
        return method

    return mark


@attrs.frozen
class _Listing(Generic[T]):
    items: list[T]
    next_page_token: str | None = None


class Service:
    """Base of the per-tag services: thin methods that build a call and decode its answer."""

    name: str = ""
    """The attribute name of the service on the client (`pipelines`, `jobs`, ...)."""

    def __init__(self, core: SessionCore) -> None:
        self._core = core

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._core.base_url}>"

    async def _send(
        self,
        endpoint: Endpoint,
        *,
        path: Mapping[str, str] | None = None,
        query: Mapping[str, object] | None = None,
        body: object = None,
        idempotent: bool | None = None,
    ) -> Response:
        return await self._core.request(
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
    ) -> Paginator[T]:
        listing: Any = _Listing[into]  # type: ignore[valid-type]

        async def fetch(token: str | None) -> Page[T]:
            response = await self._send(
                endpoint, path=path, query={**(query or {}), "page-token": token}
            )
            data: _Listing[T] = decode(response.data, listing, endpoint.operation_id)
            return Page(data.items, data.next_page_token)

        return Paginator(fetch, operation=endpoint.operation_id, page_token=page_token)
