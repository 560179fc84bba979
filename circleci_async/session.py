"""The session core: the one place that sends HTTP requests to the CircleCI API.

It owns the `aiohttp.ClientSession` (made inside the running loop, closed only if it made
it), the auth headers, the concurrency limit, the shared rate-limit gate and the retry loop.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import platform
import random as _random
import re
import time
import warnings
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import attrs
from multidict import CIMultiDictProxy

from . import jsoncodec
from ._version import __version__
from .drift import DriftLog
from .errors import (
    APIError,
    CircleCIError,
    ConfigurationError,
    DecodeError,
    RateLimitError,
    TransportError,
    error_for_status,
)
from .gate import Clock, GateTimeout, RateLimitGate, Sleep
from .retry import RetryPolicy
from .secret import Secret
from .wire import Failure, error_message, parse_rate_limit, parse_retry_after, should_retry

__all__ = ["APIDeprecationWarning", "AuthScheme", "Endpoint", "Response", "SessionCore"]

logger = logging.getLogger("circleci_async")

USER_AGENT = (
    f"circleci-async/{__version__} aiohttp/{aiohttp.__version__} Python/{platform.python_version()}"
)
_REQUEST_ID_HEADERS = ("X-Request-Id", "X-CircleCI-Request-Id", "X-Amzn-Trace-Id")
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


class APIDeprecationWarning(UserWarning):
    """CircleCI marked an endpoint with a `Deprecation` or `Sunset` header."""


class AuthScheme(StrEnum):
    """How the token is sent: the spec's `Circle-Token` header, or `Authorization: Bearer`."""

    CIRCLE_TOKEN = "circle-token"
    BEARER = "bearer"


@attrs.frozen
class Endpoint:
    """One operation of the spec: its operationId, HTTP method and path template."""

    operation_id: str
    method: str
    path: str


@attrs.frozen
class Response:
    """A successful answer: status, headers and the JSON body as sent (None when empty)."""

    status: int
    headers: Mapping[str, str]
    data: Any
    body: bytes = b""
    """The body as received."""
    method: str = ""
    url: str = ""
    """The request's URL (it never carries the token)."""


@attrs.frozen
class _Attempt:
    status: int
    headers: CIMultiDictProxy[str]
    body: bytes


class _Broken(Exception):
    def __init__(self, failure: Failure, error: TransportError) -> None:
        self.failure = failure
        self.error = error


@functools.cache
def _template(path: str) -> tuple[str, ...]:
    """A path template split into literal text (even places) and placeholder names (odd)."""
    return tuple(_PLACEHOLDER.split(path))


def _query(params: Mapping[str, object] | None) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for key, value in (params or {}).items():
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if item is None:
                continue
            if isinstance(item, bool):
                pairs.append((key, "true" if item else "false"))
            else:
                pairs.append((key, str(item)))
    return pairs


class SessionCore:
    """Sends every request of one client; see the module docstring."""

    def __init__(
        self,
        *,
        token: Secret,
        base_url: str,
        auth: AuthScheme = AuthScheme.CIRCLE_TOKEN,
        max_concurrency: int = 32,
        retry: RetryPolicy | None = None,
        timeout: aiohttp.ClientTimeout | None = None,
        session: aiohttp.ClientSession | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        random: Callable[[], float] = _random.random,
        strict: bool = False,
    ) -> None:
        if max_concurrency < 1:
            raise ConfigurationError(f"max_concurrency must be at least 1, got {max_concurrency}")
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(f"base_url must be an http(s) URL, got {base_url!r}")
        if parts.username or parts.password or parts.query:
            raise ConfigurationError("base_url must not carry credentials or a query string")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.auth = AuthScheme(auth)
        self.max_concurrency = max_concurrency
        self.retry = retry or RetryPolicy()
        self.timeout = timeout or aiohttp.ClientTimeout(total=60, sock_connect=15)
        """Per API request; one timer each. (Per-read timeouts re-arm a timer on every chunk,
        which costs more than the rest of a small call; the harvester uses them, for big files.)"""
        self.clock = clock
        self.sleep = sleep
        self.random = random
        self.gate = RateLimitGate(clock=clock, sleep=sleep, random=random)
        self.drift = DriftLog(strict=strict)
        """Answers' departures from the spec seen so far; strict turns them into errors."""
        self._session = session
        self._owns_session = session is None
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self._headers = {"Accept": "application/json", **self.auth_headers()}
        self._json_headers = {**self._headers, "Content-Type": "application/json"}
        self._deprecations_seen: set[str] = set()
        self._closed = False
        self.requests_sent = 0
        """How many HTTP requests this core has sent, retries included."""

    @property
    def api_host(self) -> str:
        """The host name of the API, the one host that always receives the token."""
        return urlsplit(self.base_url).hostname or ""

    def auth_headers(self) -> dict[str, str]:
        """The header that carries the token, for a request to a trusted CircleCI host."""
        if self.auth is AuthScheme.BEARER:
            return {"Authorization": f"Bearer {self.token.reveal()}"}
        return {"Circle-Token": self.token.reveal()}

    def http(self) -> aiohttp.ClientSession:
        """The aiohttp session, made on first use inside the running event loop."""
        if self._closed:
            raise CircleCIError("this CircleCI client is closed")
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=self.timeout,
                headers={"User-Agent": USER_AGENT},
                connector=aiohttp.TCPConnector(limit=max(self.max_concurrency, 10)),
            )
        return self._session

    async def close(self) -> None:
        """Close the aiohttp session if this core made it; a caller's session stays open."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None and self._owns_session:
            await session.close()

    def url(self, endpoint: Endpoint, path_params: Mapping[str, str]) -> str:
        """The absolute URL of an endpoint with its (already escaped) path arguments."""
        pieces = _template(endpoint.path)
        parts = [self.base_url]
        for index, piece in enumerate(pieces):
            if index % 2 == 0:
                parts.append(piece)
            elif piece in path_params:
                parts.append(path_params[piece])
            else:
                raise CircleCIError(f"{endpoint.operation_id}: no value for path part {{{piece}}}")
        return "".join(parts)

    async def request(
        self,
        endpoint: Endpoint,
        *,
        path_params: Mapping[str, str] | None = None,
        params: Mapping[str, object] | None = None,
        json_body: object = None,
        idempotent: bool | None = None,
        retry: RetryPolicy | None = None,
    ) -> Response:
        """Send one API call with retries and the gate; return the decoded 2xx answer.

        `idempotent` overrides whether 5xx answers and broken connections may be retried
        (by default only GET, PUT and DELETE are); 429s are always retried.
        """
        policy = retry or self.retry
        method = endpoint.method
        url = self.url(endpoint, path_params or {})
        query = _query(params)
        body = None if json_body is None else jsoncodec.dumps(json_body)
        headers = self._json_headers if body is not None else self._headers
        deadline = self.clock() + policy.budget
        delays = policy.delays(self.random)
        failures = 0
        limited = 0
        last_429: RateLimitError | None = None
        while True:
            try:
                async with self._semaphore:
                    await self.gate.wait(deadline)
                    try:
                        attempt = await self._send(method, url, query, body, headers)
                    finally:
                        self.gate.finished()
            except GateTimeout as exc:
                raise last_429 or RateLimitError(
                    429, str(exc), method=method, url=url, retry_after=exc.wait
                ) from None
            except _Broken as broken:
                failures += 1
                retryable = should_retry(method, broken.failure, idempotent=idempotent)
                if not retryable or failures >= policy.attempts:
                    raise broken.error from broken.error.__cause__
                delay = next(delays)
                if self.clock() + delay > deadline:
                    raise broken.error from broken.error.__cause__
                logger.info("retrying %s %s in %.2fs: %s", method, url, delay, broken.error.message)
                await self.sleep(delay)
                continue

            if 200 <= attempt.status < 300:
                self.gate.observe(parse_rate_limit(attempt.headers))
                self._warn_deprecation(endpoint, attempt.headers)
                data = self._decode(endpoint, attempt, url)
                return Response(attempt.status, attempt.headers, data, attempt.body, method, url)

            error = self._error(method, url, attempt)
            if isinstance(error, RateLimitError):
                limit = parse_rate_limit(attempt.headers)
                self.gate.observe(limit, success=False)
                wait = error.retry_after
                if wait is None and limit is not None:
                    wait = limit.reset
                waited = self.gate.pause(wait)
                error.retry_after = waited
                last_429 = error
                if limited >= policy.rate_limit_retries or self.clock() + waited > deadline:
                    raise error
                limited += 1
                logger.info("rate limited on %s %s; pausing the client %.2fs", method, url, waited)
                continue
            if attempt.status >= 500:
                failures += 1
                if should_retry(method, Failure.SERVER_ERROR, idempotent=idempotent) and (
                    failures < policy.attempts
                ):
                    delay = next(delays)
                    if self.clock() + delay <= deadline:
                        logger.info(
                            "retrying %s %s in %.2fs after %d", method, url, delay, attempt.status
                        )
                        await self.sleep(delay)
                        continue
            raise error

    async def _send(
        self,
        method: str,
        url: str,
        query: list[tuple[str, str]],
        body: bytes | None,
        headers: Mapping[str, str],
    ) -> _Attempt:
        session = self.http()
        self.requests_sent += 1
        started = self.clock()
        try:
            async with session.request(
                method,
                url,
                params=query or None,
                data=body,
                headers=headers,
                allow_redirects=False,
                raise_for_status=False,
            ) as resp:
                payload = await resp.read()
                result = _Attempt(resp.status, resp.headers, payload)
        except (aiohttp.ClientConnectorCertificateError, aiohttp.ClientSSLError) as exc:
            raise TransportError(f"TLS failure: {exc}", method=method, url=url) from exc
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
            raise _Broken(
                Failure.CONNECT,
                TransportError(f"cannot connect: {exc}", method=method, url=url),
            ) from exc
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            reason = type(exc).__name__ if not str(exc) else f"{type(exc).__name__}: {exc}"
            error = TransportError(
                f"request failed after sending: {reason}", method=method, url=url
            )
            error.__cause__ = exc
            raise _Broken(Failure.AFTER_SEND, error) from exc
        logger.debug("%s %s -> %d in %.3fs", method, url, result.status, self.clock() - started)
        return result

    def _error(self, method: str, url: str, attempt: _Attempt) -> APIError:
        headers = attempt.headers
        request_id = next((headers[h] for h in _REQUEST_ID_HEADERS if h in headers), None)
        if 300 <= attempt.status < 400:
            location = headers.get("Location", "")
            message = f"unexpected redirect to {location!r}; not followed with the token"
            return APIError(attempt.status, message, method=method, url=url, request_id=request_id)
        message = error_message(attempt.body, headers.get("Content-Type"))
        cls = error_for_status(attempt.status)
        if cls is RateLimitError:
            return RateLimitError(
                attempt.status,
                message,
                method=method,
                url=url,
                request_id=request_id,
                retry_after=parse_retry_after(headers.get("Retry-After")),
            )
        return cls(attempt.status, message, method=method, url=url, request_id=request_id)

    @staticmethod
    def _decode(endpoint: Endpoint, attempt: _Attempt, url: str) -> Any:
        body = attempt.body
        if not body.strip():
            return None
        try:
            return jsoncodec.loads(body)
        except ValueError as exc:
            raise DecodeError(
                endpoint.operation_id,
                f"the body is not JSON ({exc})",
                status=attempt.status,
                method=endpoint.method,
                url=url,
                body=body,
            ) from None

    def _warn_deprecation(self, endpoint: Endpoint, headers: Mapping[str, str]) -> None:
        notes = [f"{key}: {headers[key]}" for key in ("Deprecation", "Sunset") if key in headers]
        if not notes or endpoint.operation_id in self._deprecations_seen:
            return
        self._deprecations_seen.add(endpoint.operation_id)
        warnings.warn(
            f"CircleCI marks {endpoint.operation_id} ({endpoint.method} {endpoint.path}) for "
            f"removal ({'; '.join(notes)})",
            APIDeprecationWarning,
            stacklevel=4,
        )
