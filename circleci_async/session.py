"""The session core: the one place that sends HTTP requests to the CircleCI API.

It owns the `aiohttp.ClientSession` (made inside the running loop, closed only if it made
it), the auth headers, the concurrency limit, the shared rate-limit gate and the retry loop.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import platform
import random as _random
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
from .endpoints import Endpoint, template_pieces
from .errors import (
    APIError,
    CircleCIError,
    ConfigurationError,
    DecodeError,
    RateLimitError,
    ResponseTooLargeError,
    TransportError,
    error_for_status,
)
from .gate import Clock, GateTimeout, RateLimitGate, Sleep
from .retry import Counters, Outcome, RetryPolicy, decide
from .secret import Secret
from .wire import (
    Failure,
    error_message,
    parse_rate_limit,
    parse_retry_after,
    redact_secret,
)

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "ERROR_BODY_LIMIT",
    "APIDeprecationWarning",
    "AuthScheme",
    "Response",
    "SessionCore",
    "TransportCause",
]

logger = logging.getLogger("circleci_async")

USER_AGENT = (
    f"circleci-async/{__version__} aiohttp/{aiohttp.__version__} Python/{platform.python_version()}"
)
_REQUEST_ID_HEADERS = ("X-Request-Id", "X-CircleCI-Request-Id", "X-Amzn-Trace-Id")


class APIDeprecationWarning(UserWarning):
    """CircleCI marked an endpoint with a `Deprecation` or `Sunset` header."""


class AuthScheme(StrEnum):
    """How the token is sent: the spec's `Circle-Token` header, or `Authorization: Bearer`."""

    CIRCLE_TOKEN = "circle-token"
    BEARER = "bearer"


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
    def __init__(self, failure: Failure | None, error: TransportError) -> None:
        self.failure = failure
        self.error = error


ERROR_BODY_LIMIT = 64 * 1024
"""Bytes of an error answer read for its message; the rest is never read."""
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
"""The default largest API answer accepted (after decompression)."""
_READ_CHUNK = 256 * 1024
_EXHAUSTED = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOSPC})


class TransportCause(Exception):
    """The cause kept on a `TransportError`: the low-level error's type, errno and text only.

    aiohttp's own exceptions (and their tracebacks) can hold the request's headers, token
    included, so they are not kept.
    """

    def __init__(self, kind: str, text: str, errno_: int | None) -> None:
        self.kind = kind
        self.errno = errno_
        super().__init__(f"{kind}: {text}" if text else kind)


@attrs.frozen
class _Problem:
    failure: Failure | None
    message: str
    cause: TransportCause

    @classmethod
    def of(cls, exc: BaseException, what: str, failure: Failure | None) -> _Problem:
        code = getattr(exc, "errno", None)
        code = code if isinstance(code, int) else None
        text = str(exc)
        reason = type(exc).__name__ if not text else f"{type(exc).__name__}: {text}"
        if code in _EXHAUSTED:
            what = f"local resources exhausted ({os.strerror(code)}); not retried"
            failure = None
        return cls(failure, f"{what}: {reason}", TransportCause(type(exc).__name__, text, code))


def _clipped(timeout: aiohttp.ClientTimeout, left: float) -> aiohttp.ClientTimeout:
    """`timeout` with its total clipped to the `left` seconds of the call's budget."""
    total = left if timeout.total is None else min(timeout.total, left)
    return attrs.evolve(timeout, total=max(total, 0.001))


async def _read_capped(resp: aiohttp.ClientResponse, limit: int, method: str, url: str) -> bytes:
    """The whole (decompressed) body, or `ResponseTooLargeError` once it passes `limit`."""
    declared = resp.content_length
    if declared is not None and declared > limit and "Content-Encoding" not in resp.headers:
        raise ResponseTooLargeError(limit, 0, status=resp.status, method=method, url=url)
    chunks: list[bytes] = []
    size = 0
    while chunk := await resp.content.read(_READ_CHUNK):
        size += len(chunk)
        if size > limit:
            chunks.clear()
            raise ResponseTooLargeError(limit, size, status=resp.status, method=method, url=url)
        chunks.append(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


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
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        gate: RateLimitGate | None = None,
        strict: bool = False,
    ) -> None:
        if max_concurrency < 1:
            raise ConfigurationError(f"max_concurrency must be at least 1, got {max_concurrency}")
        if isinstance(max_response_bytes, bool) or not isinstance(max_response_bytes, int):
            raise ConfigurationError("max_response_bytes must be an integer number of bytes")
        if max_response_bytes < 1:
            raise ConfigurationError(
                f"max_response_bytes must be positive, got {max_response_bytes}"
            )
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
        self.gate = gate or RateLimitGate(
            clock=clock, sleep=sleep, random=random, policy=self.retry
        )
        """The rate-limit gate every request waits at (in-process, or shared through Redis)."""
        self.drift = DriftLog(strict=strict)
        """Answers' departures from the spec seen so far; strict turns them into errors."""
        self._session = session
        self._owns_session = session is None
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self.max_response_bytes = max_response_bytes
        """The largest API answer accepted, in bytes after decompression."""
        self._loop: asyncio.AbstractEventLoop | None = None
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
        closing = getattr(self.gate, "aclose", None)
        if closing is not None:
            await closing()

    def url(
        self, endpoint: Endpoint, path_params: Mapping[str, str], *, base: str | None = None
    ) -> str:
        """The absolute URL of an endpoint with its (already escaped) path arguments.

        `base` replaces the base URL, for endpoints outside API v2 (`circleci_async.logs`).
        """
        pieces = template_pieces(endpoint.path)
        parts = [self.base_url if base is None else base]
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
        base: str | None = None,
    ) -> Response:
        """Send one API call with retries and the gate; return the decoded 2xx answer.

        `idempotent` overrides whether 5xx answers and broken connections may be retried
        (by default only GET, PUT and DELETE are); 429s are always retried. The policy's
        budget is a deadline: waits and every attempt's timeout end within it. `base`
        replaces the base URL (see `url`).
        """
        self._check_loop()
        policy = retry or self.retry
        method = endpoint.method
        url = self.url(endpoint, path_params or {}, base=base)
        query = _query(params)
        body = None if json_body is None else jsoncodec.dumps(json_body)
        deadline = self.clock() + policy.budget
        counters = Counters()
        last_429: RateLimitError | None = None
        while True:
            try:
                async with self._semaphore:
                    await self.gate.wait(deadline)
                    try:
                        attempt = await self._send(method, url, query, body, deadline)
                    finally:
                        self.gate.finished()
            except GateTimeout as exc:
                if last_429 is not None:
                    last_429.retry_after = max(last_429.retry_after or 0.0, exc.server_wait)
                    raise last_429 from None
                raise RateLimitError(
                    429,
                    f"the client is paused by an earlier 429 ({exc})",
                    method=method,
                    url=url,
                    retry_after=exc.server_wait,
                ) from None
            except _Broken as broken:
                outcome = Outcome(
                    failure=broken.failure,
                    error=broken.error,
                    method=method,
                    idempotent=idempotent,
                )
            else:
                if 200 <= attempt.status < 300:
                    self.gate.observe(parse_rate_limit(attempt.headers))
                    self._warn_deprecation(endpoint, attempt.headers)
                    data = self._decode(endpoint, attempt, url)
                    return Response(
                        attempt.status, attempt.headers, data, attempt.body, method, url
                    )
                outcome = self._failed(method, url, attempt, idempotent)
                if isinstance(outcome.error, RateLimitError):
                    last_429 = outcome.error
            decision = decide(
                outcome,
                policy,
                counters,
                now=self.clock(),
                deadline=deadline,
                random=self.random,
            )
            if not decision.retry:
                raise decision.error
            if outcome.failure is Failure.RATE_LIMITED:
                logger.info(
                    "rate limited on %s %s; client paused %.2fs", method, url, decision.delay
                )
                continue
            reason = getattr(decision.error, "message", str(decision.error))
            logger.info("retrying %s %s in %.2fs: %s", method, url, decision.delay, reason)
            await self.sleep(decision.delay)

    def _failed(self, method: str, url: str, attempt: _Attempt, idempotent: bool | None) -> Outcome:
        """What a non-2xx answer means for retrying; a 429 also pauses the gate."""
        error = self._error(method, url, attempt)
        status = attempt.status
        if isinstance(error, RateLimitError):
            limit = parse_rate_limit(attempt.headers)
            self.gate.observe(limit, success=False)
            wait = error.retry_after
            if wait is None and limit is not None:
                wait = limit.reset
            closed = self.gate.pause(wait)
            error.retry_after = closed if wait is None else wait
            return Outcome(
                failure=Failure.RATE_LIMITED,
                error=error,
                method=method,
                idempotent=idempotent,
                wait=error.retry_after,
            )
        if status >= 500:
            wait = parse_retry_after(attempt.headers.get("Retry-After")) if status == 503 else None
            return Outcome(
                failure=Failure.SERVER_ERROR,
                error=error,
                method=method,
                idempotent=idempotent,
                wait=wait,
            )
        return Outcome(failure=None, error=error, method=method, idempotent=idempotent)

    def _check_loop(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
        elif self._loop is not loop:
            raise CircleCIError(
                "this CircleCI client was first used in another event loop (an earlier "
                "asyncio.run()?); an aiohttp session cannot move between loops: make one "
                "client per event loop"
            )

    def _send_headers(self, has_body: bool) -> dict[str, str]:
        headers = {"Accept": "application/json", **self.auth_headers()}
        if has_body:
            headers["Content-Type"] = "application/json"
        return headers

    async def _send(
        self,
        method: str,
        url: str,
        query: list[tuple[str, str]],
        body: bytes | None,
        deadline: float,
    ) -> _Attempt:
        session = self.http()
        left = deadline - self.clock()
        if left <= 0:
            raise _Broken(
                None, TransportError("the call's time budget is spent", method=method, url=url)
            )
        self.requests_sent += 1
        started = self.clock()
        problem: _Problem
        try:
            async with session.request(
                method,
                url,
                params=query or None,
                data=body,
                headers=self._send_headers(body is not None),
                allow_redirects=False,
                raise_for_status=False,
                timeout=_clipped(self.timeout, left),
            ) as resp:
                if 200 <= resp.status < 300:
                    payload = await _read_capped(resp, self.max_response_bytes, method, url)
                else:
                    payload = await resp.content.read(ERROR_BODY_LIMIT)
                result = _Attempt(resp.status, resp.headers, payload)
        except ResponseTooLargeError:
            raise
        except (aiohttp.ClientConnectorCertificateError, aiohttp.ClientSSLError) as exc:
            problem = _Problem.of(exc, "TLS failure", None)
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
            problem = _Problem.of(exc, "cannot connect", Failure.CONNECT)
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            problem = _Problem.of(exc, "request failed after sending", Failure.AFTER_SEND)
        else:
            logger.debug("%s %s -> %d in %.3fs", method, url, result.status, self.clock() - started)
            return result
        error = TransportError(problem.message, method=method, url=url)
        error.__cause__ = problem.cause
        raise _Broken(problem.failure, error)

    def _error(self, method: str, url: str, attempt: _Attempt) -> APIError:
        headers = attempt.headers
        request_id = next((headers[h] for h in _REQUEST_ID_HEADERS if h in headers), None)
        if 300 <= attempt.status < 400:
            location = redact_secret(headers.get("Location", ""), self.token.reveal())
            message = f"unexpected redirect to {location!r}; not followed with the token"
            return APIError(attempt.status, message, method=method, url=url, request_id=request_id)
        message = error_message(attempt.body, headers.get("Content-Type"))
        message = redact_secret(message, self.token.reveal())
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
