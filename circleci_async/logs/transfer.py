"""`open_stream`: a streamed GET outside the JSON API path, with the gate, retries and budget.

Used for step output on its storage host and for v3's raw output. The token goes only to
`hosts` (the API's own origin), by the harvester's rules (`artifacts.redirects`): a
pre-signed storage URL never receives it, before or after a redirect.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import attrs

from ..artifacts.hosts import TrustedHosts
from ..artifacts.redirects import open_following
from ..errors import RateLimitError, TransportError, error_for_status
from ..gate import GateTimeout
from ..retry import Counters, Outcome, decide
from ..session import SessionCore
from ..wire import Failure, error_message, parse_retry_after, redact_secret

__all__ = ["CHUNK", "api_hosts", "open_stream", "shown_url"]

logger = logging.getLogger("circleci_async.logs")

CHUNK = 256 * 1024
"""Bytes read at a time."""
_ERROR_LIMIT = 64 * 1024


def shown_url(url: str) -> str:
    """A URL fit for errors and logs: no query (a pre-signed signature), no user info."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(unreadable url)"
    return urlunsplit((parts.scheme, parts.netloc.rsplit("@", 1)[-1], parts.path, "", ""))


def api_hosts(core: SessionCore) -> TrustedHosts:
    """The hosts the logs send the token to: the API's own origin, nothing else."""
    plain = urlsplit(core.base_url).scheme == "http"
    return TrustedHosts((), plain_http=plain).including_origin(core.base_url)


def _timeout(core: SessionCore, left: float) -> aiohttp.ClientTimeout:
    connect = core.timeout.sock_connect or core.timeout.total or 60.0
    return aiohttp.ClientTimeout(total=max(left, 0.001), sock_connect=connect, sock_read=60.0)


async def _refusal(
    response: aiohttp.ClientResponse, shown: str, auth: Callable[[], Mapping[str, str]]
) -> Outcome:
    status = response.status
    body = await response.content.read(_ERROR_LIMIT)
    message = error_message(body, response.headers.get("Content-Type"), reason=str(status))
    for value in auth().values():
        message = redact_secret(message, value.removeprefix("Bearer "))
    error = error_for_status(status)(status, message, method="GET", url=shown)
    if status == 429:
        wait = parse_retry_after(response.headers.get("Retry-After"))
        return Outcome(failure=Failure.RATE_LIMITED, error=error, wait=wait)
    if status >= 500:
        wait = parse_retry_after(response.headers.get("Retry-After")) if status == 503 else None
        return Outcome(failure=Failure.SERVER_ERROR, error=error, wait=wait)
    return Outcome(failure=None, error=error)


@asynccontextmanager
async def open_stream(
    core: SessionCore,
    url: str,
    *,
    hosts: TrustedHosts,
    auth: Callable[[], Mapping[str, str]],
    deadline: float,
    headers: Mapping[str, str] | None = None,
    accept: frozenset[int] = frozenset({200}),
) -> AsyncIterator[aiohttp.ClientResponse]:
    """Yield the answer to GET `url` once its status is in `accept`, its body unread.

    Each attempt waits at the client's gate; 429s pause the gate for everyone; 429, 5xx and
    broken connections are retried by `retry.decide` until `deadline` (the client's clock).
    Any other status raises the `APIError` for it, with the URL's query redacted.
    """
    shown = shown_url(url)
    counters = Counters()
    sent = {"Accept-Encoding": "identity", **(headers or {})}
    yielded = False
    while True:
        left = deadline - core.clock()
        if left <= 0:
            raise TransportError("the call's time budget is spent", method="GET", url=shown)
        try:
            await core.gate.wait(deadline)
        except GateTimeout as exc:
            raise RateLimitError(
                429,
                f"the client is paused by an earlier 429 ({exc})",
                method="GET",
                url=shown,
                retry_after=exc.server_wait,
            ) from None
        outcome: Outcome
        held = True
        try:
            core.requests_sent += 1
            async with open_following(
                core.http(),
                url,
                hosts=hosts,
                auth=auth,
                headers=sent,
                timeouts=_timeout(core, left),
                max_hops=5,
                read_bufsize=CHUNK,
            ) as response:
                core.gate.finished()
                held = False
                if response.status in accept:
                    yielded = True
                    yield response
                    return
                outcome = await _refusal(response, shown, auth)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            if yielded:
                raise
            reason = str(exc) or type(exc).__name__
            error = TransportError(f"request failed: {reason}", method="GET", url=shown)
            outcome = Outcome(failure=Failure.AFTER_SEND, error=error)
        finally:
            if held:
                core.gate.finished()
        if outcome.failure is Failure.RATE_LIMITED:
            closed = core.gate.pause(outcome.wait)
            outcome = attrs.evolve(outcome, wait=closed if outcome.wait is None else outcome.wait)
        decision = decide(
            outcome, core.retry, counters, now=core.clock(), deadline=deadline, random=core.random
        )
        if not decision.retry:
            raise decision.error
        if outcome.failure is not Failure.RATE_LIMITED:
            logger.info("retrying %s in %.2fs: %s", shown, decision.delay, decision.error)
            await core.sleep(decision.delay)
