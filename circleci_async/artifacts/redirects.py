"""GET an artifact URL, following redirects by hand so the token goes only where it may."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager

import aiohttp
from yarl import URL

from ..wire import redact_url
from .errors import RefusedURLError
from .hosts import TrustedHosts

__all__ = ["REDIRECT_STATUSES", "open_following"]

logger = logging.getLogger("circleci_async.artifacts")

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@asynccontextmanager
async def open_following(
    http: aiohttp.ClientSession,
    url: str,
    *,
    hosts: TrustedHosts,
    auth: Callable[[], Mapping[str, str]],
    headers: Mapping[str, str],
    timeouts: aiohttp.ClientTimeout,
    max_hops: int,
    read_bufsize: int,
) -> AsyncIterator[aiohttp.ClientResponse]:
    """Yield the first answer that is not a redirect, its body unread.

    `auth()` (the token header, built at each send and kept in no variable) is sent while
    every hop so far is on a trusted host; once a hop leaves `hosts`, or a redirect goes
    from https to http, it is dropped for good. At most `max_hops` redirects are followed,
    only to http(s) URLs. Redirect targets are used exactly as sent (`encoded`), so a
    pre-signed signature is never re-quoted.
    """
    try:
        current = URL(url)
    except ValueError:
        raise RefusedURLError("an unreadable URL", redact_url(url)) from None
    carry = hosts.allows(current)
    for hop in range(max_hops + 1):
        if current.scheme not in ("http", "https") or not current.host:
            raise RefusedURLError(
                f"not an http(s) URL: {redact_url(str(current))!r}", redact_url(url)
            )
        response = await http.get(
            current,
            headers={**headers, **auth()} if carry else headers,
            allow_redirects=False,
            timeout=timeouts,
            auto_decompress=False,
            read_bufsize=read_bufsize,
        )
        if response.status not in REDIRECT_STATUSES:
            try:
                yield response
            finally:
                response.release()
            return
        location = response.headers.get("Location", "")
        response.release()
        if not location.strip():
            raise RefusedURLError(f"{response.status} without a Location", redact_url(url))
        try:
            target = current.join(URL(location.strip(), encoded=True))
        except ValueError:
            raise RefusedURLError("a redirect to an unreadable Location", redact_url(url)) from None
        carry = hosts.keeps_token(carry, current, target)
        logger.debug("redirect %d of %s to host %s", hop + 1, redact_url(url), target.host)
        current = target
    raise RefusedURLError(f"more than {max_hops} redirects", redact_url(url))
