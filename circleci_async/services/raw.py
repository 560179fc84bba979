"""`circle.raw`: any operation by its spec path template, answered as JSON, not models."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from .. import checks as check
from ..endpoints import Endpoint, template_pieces
from ..errors import InvalidArgumentError
from ..pagination import Page, Paginator
from ..session import Response
from .base import Service

__all__ = ["RawService"]

_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _normal(template: str) -> str:
    """A template with its placeholder names spelled one way (`{project_slug}`)."""
    pieces = template_pieces(template)
    return "".join(
        piece if index % 2 == 0 else "{" + piece.replace("-", "_") + "}"
        for index, piece in enumerate(pieces)
    )


_UNSAFE = re.compile(r"[\s?#\\%]|[\x00-\x1f\x7f]")


def _check_ad_hoc(template: str) -> None:
    """Refuse a path outside the spec that could leave the API root or carry a query."""
    segments = template.split("/")[1:]
    if _UNSAFE.search(template) or any(part in ("", ".", "..") for part in segments):
        raise InvalidArgumentError(
            f"the path {template!r} is not one path under the API root: no empty, '.' or "
            "'..' segments, spaces, '?', '#', '%' or '\\' (pass a query as params)"
        )


@functools.cache
def _known() -> dict[tuple[str, str], Endpoint]:
    from ..operations import ENDPOINTS

    return {(e.method, _normal(e.path)): e for e in ENDPOINTS.values()}


class RawService(Service):
    """Every operation, raw: `await circle.raw.get("/project/{project-slug}", project_slug=s)`.

    Paths are the spec's templates (`{project-slug}` or `{project_slug}`), filled from
    keyword arguments named like the placeholders with `_` for `-`; `params` is the query
    and `json` the body. The answer is a `Response` whose `data` is the JSON exactly as
    CircleCI sent it. The call goes through the same gate, retries and auth as the typed
    methods; a template that is not in the spec is sent too, named by method and path.
    """

    name = "raw"

    def endpoint(self, method: str, template: str) -> Endpoint:
        """The spec operation for a method and path template (or an ad-hoc one)."""
        method = method.upper()
        if method not in _METHODS:
            raise InvalidArgumentError(f"method must be one of {', '.join(_METHODS)}")
        if not isinstance(template, str) or not template.startswith("/"):
            raise InvalidArgumentError(f"the path must start with '/', got {template!r}")
        normal = _normal(template)
        known = _known().get((method, normal))
        if known is not None:
            return known
        _check_ad_hoc(template)
        return Endpoint(f"{method} {template}", method, template)

    def _path(self, endpoint: Endpoint, values: Mapping[str, object]) -> dict[str, str]:
        names = endpoint.placeholders
        wanted = {name.replace("-", "_") for name in names}
        unknown = set(values) - wanted
        if unknown:
            raise InvalidArgumentError(
                f"{endpoint.operation_id}: no placeholder for {', '.join(sorted(unknown))}"
            )
        path = {}
        for name in names:
            key = name.replace("-", "_")
            if key not in values:
                raise InvalidArgumentError(f"{endpoint.operation_id}: no value for {key}")
            value = values[key]
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            if key == "project_slug":
                path[name] = check.validate_project_slug(value)
            elif key == "org_slug":
                path[name] = str(check.org_slug(value, key))
            elif key == "org_slug_or_id":
                path[name] = check.org_slug_or_id(value, key)
            else:
                path[name] = check.format_path_id(value, name=key)
        return path

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, object] | None = None,
        json: object = None,
        idempotent: bool | None = None,
        **path_values: object,
    ) -> Response:
        """Send one call and return its answer undecoded (`.status`, `.headers`, `.data`)."""
        return await self._request(method, path, params, json, idempotent, path_values)

    async def _request(
        self,
        method: str,
        path: str,
        params: Mapping[str, object] | None,
        json: object,
        idempotent: bool | None,
        path_values: Mapping[str, object],
    ) -> Response:
        endpoint = self.endpoint(method, path)
        return await self._send(
            endpoint,
            path=self._path(endpoint, path_values),
            query=params,
            body=json,
            idempotent=idempotent,
        )

    async def get(
        self, path: str, *, params: Mapping[str, object] | None = None, **path_values: object
    ) -> Response:
        """GET a path template; see the class docstring."""
        return await self._request("GET", path, params, None, None, path_values)

    async def post(
        self,
        path: str,
        *,
        params: Mapping[str, object] | None = None,
        json: object = None,
        idempotent: bool | None = None,
        **path_values: object,
    ) -> Response:
        """POST to a path template; sent once unless `idempotent=True`, like typed POSTs."""
        return await self._request("POST", path, params, json, idempotent, path_values)

    async def put(
        self,
        path: str,
        *,
        params: Mapping[str, object] | None = None,
        json: object = None,
        **path_values: object,
    ) -> Response:
        """PUT to a path template."""
        return await self._request("PUT", path, params, json, None, path_values)

    async def patch(
        self,
        path: str,
        *,
        params: Mapping[str, object] | None = None,
        json: object = None,
        idempotent: bool | None = None,
        **path_values: object,
    ) -> Response:
        """PATCH a path template; sent once unless `idempotent=True`."""
        return await self._request("PATCH", path, params, json, idempotent, path_values)

    async def delete(
        self, path: str, *, params: Mapping[str, object] | None = None, **path_values: object
    ) -> Response:
        """DELETE a path template."""
        return await self._request("DELETE", path, params, None, None, path_values)

    def pages(
        self,
        path: str,
        *,
        params: Mapping[str, object] | None = None,
        page_token: str | None = None,
        **path_values: object,
    ) -> Paginator[Any]:
        """Walk a token-paged list by its path template, yielding items as JSON."""
        endpoint = self.endpoint("GET", path)
        filled = self._path(endpoint, path_values)

        async def fetch(token: str | None) -> Page[Any]:
            response = await self._send(
                endpoint, path=filled, query={**(params or {}), "page-token": token}
            )
            return self._page(response, endpoint, sparse=True)

        return Paginator(fetch, operation=endpoint.operation_id, page_token=page_token)
