"""`Fetcher`: one artifact, streamed to its `.part` file, resumed with `If-Range`, retried."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import re
import time
from collections.abc import Callable, Mapping

import aiohttp
import attrs
from yarl import URL

from ..errors import CircleCIError, TransportError, error_for_status
from ..gate import Clock, Sleep
from ..retry import Counters, Outcome, RetryPolicy, decide
from ..wire import Failure, error_message, parse_retry_after, redact_secret, redact_url
from .errors import IncompleteDownloadError
from .hosts import TrustedHosts
from .partfile import PartFile
from .redirects import open_following

__all__ = ["CHUNK_SIZE", "DEFAULT_FILE_BUDGET", "Fetcher"]

logger = logging.getLogger("circleci_async.artifacts")

CHUNK_SIZE = 256 * 1024
"""Bytes read from the network and written to disk at a time."""
DEFAULT_FILE_BUDGET = 3600.0
"""Seconds one file of a harvest may take, retries and waits included, unless set."""

_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")
_TOTAL = re.compile(r"bytes (?:\d+-\d+|\*)/(\d+)")
_ERROR_BODY_LIMIT = 64 * 1024
_EXHAUSTED = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOSPC})


class _Retry(Exception):
    """An attempt failed; `outcome` says how, for `retry.decide`."""

    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome


class _Restart(Exception):
    """The `.part` file cannot be resumed; it was dropped, start again from byte 0 at once."""


def _resumed_span(response: aiohttp.ClientResponse, offset: int) -> int | None:
    """The total size, if this 206 continues exactly at `offset` up to the end."""
    found = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", "").strip())
    if found is None:
        return None
    first, last, total = (int(group) for group in found.groups())
    return total if first == offset and last == total - 1 else None


def _validator(headers: Mapping[str, str]) -> str | None:
    """What `If-Range` may carry for this answer: a strong ETag, else Last-Modified."""
    etag = headers.get("ETag", "").strip()
    if etag and not etag.startswith("W/"):
        return etag
    return headers.get("Last-Modified", "").strip() or None


def _clipped(timeout: aiohttp.ClientTimeout, left: float) -> aiohttp.ClientTimeout:
    total = left if timeout.total is None else min(timeout.total, left)
    return attrs.evolve(timeout, total=max(total, 0.001))


def _broken(what: str, exc: BaseException, shown: str) -> Outcome:
    code = getattr(exc, "errno", None)
    reason = str(exc) or type(exc).__name__
    failure: Failure | None = Failure.AFTER_SEND
    if code in _EXHAUSTED:
        what = "local resources exhausted; not retried"
        failure = None
    error = TransportError(f"{what}: {reason}", method="GET", url=shown)
    return Outcome(failure=failure, error=error)


@attrs.frozen(kw_only=True)
class Fetcher:
    """Downloads single artifacts over the client's session.

    The token goes only to `hosts` (see `open_following`). A broken body is resumed with
    `Range: bytes=<have>-` and `If-Range: <ETag or Last-Modified>` of the bytes already
    kept; a server that sends the whole body instead (the file changed) starts the file
    again, and a `.part` without a known validator is never resumed. Failures go through
    `retry.decide`, the same decision as API calls (429s apart from other failures, at
    least `Retry-After`, no wait longer than the policy's `pause_cap`). Each file has a
    `budget` in seconds: a deadline for all its attempts and waits, that also clips every
    attempt's timeout (`timeout` bounds connecting and each read).
    """

    session: Callable[[], aiohttp.ClientSession]
    hosts: TrustedHosts
    auth: Callable[[], Mapping[str, str]]
    retry: RetryPolicy
    sleep: Sleep
    random: Callable[[], float]
    timeout: aiohttp.ClientTimeout
    clock: Clock = time.monotonic
    budget: float = DEFAULT_FILE_BUDGET
    max_hops: int = 5
    chunk_size: int = CHUNK_SIZE

    def _open(
        self, url: str, headers: Mapping[str, str], left: float
    ) -> contextlib.AbstractAsyncContextManager[aiohttp.ClientResponse]:
        """GET `url` by the token rules (`open_following`), within `left` seconds."""
        return open_following(
            self.session(),
            url,
            hosts=self.hosts,
            auth=self.auth,
            headers=headers,
            timeouts=_clipped(self.timeout, left),
            max_hops=self.max_hops,
            read_bufsize=self.chunk_size,
        )

    async def fetch(self, url: str, part: PartFile, received: Callable[[int], None]) -> int:
        """Download `url` into `part`, move it into place and return its size in bytes."""
        shown = redact_url(url)
        deadline = self.clock() + self.budget
        counters = Counters()
        while True:
            left = deadline - self.clock()
            if left <= 0:
                message = f"the file's time budget of {self.budget:g}s is spent"
                raise TransportError(message, method="GET", url=shown)
            try:
                return await self._attempt(url, shown, part, received, left)
            except _Restart:
                logger.info("cannot resume %s; starting again", shown)
                continue
            except _Retry as problem:
                outcome = problem.outcome
            decision = decide(
                outcome,
                self.retry,
                counters,
                now=self.clock(),
                deadline=deadline,
                random=self.random,
            )
            if not decision.retry:
                raise decision.error
            logger.info("retrying %s in %.2fs: %s", shown, decision.delay, decision.error)
            await self.sleep(decision.delay)

    async def size_of(self, url: str) -> int | None:
        """The file's size on the server, from a one-byte `Range` request; None: unknown.

        One attempt, no retries: an unknown size means the file is fetched again, and that
        download has the retries.
        """
        headers = {"Accept-Encoding": "identity", "Range": "bytes=0-0"}
        try:
            async with self._open(url, headers, self.budget) as response:
                if response.status == 200:
                    return response.content_length
                if response.status not in (206, 416):
                    return None
                found = _TOTAL.fullmatch(response.headers.get("Content-Range", "").strip())
                return None if found is None else int(found.group(1))
        except (CircleCIError, aiohttp.ClientError, TimeoutError, OSError):
            return None

    async def _attempt(
        self, url: str, shown: str, part: PartFile, received: Callable[[int], None], left: float
    ) -> int:
        offset = part.size()
        validator = part.validator() if offset else None
        if offset and validator is None:
            part.discard()
            offset = 0
        headers = {"Accept-Encoding": "identity"}
        if offset and validator is not None:
            headers["Range"] = f"bytes={offset}-"
            headers["If-Range"] = validator
        outcome: Outcome
        try:
            async with self._open(url, headers, left) as response:
                start, total = await self._accept(response, offset, validator, url, shown, part)
                return await self._stream(response, part, start, total, shown, received)
        except (aiohttp.ClientSSLError, aiohttp.ClientConnectorCertificateError) as exc:
            outcome = Outcome(
                failure=None, error=TransportError(f"TLS failure: {exc}", method="GET", url=shown)
            )
        except aiohttp.InvalidURL:
            outcome = Outcome(
                failure=None, error=TransportError("invalid URL", method="GET", url=shown)
            )
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            outcome = _broken("download failed", exc, shown)
        raise _Retry(outcome)

    async def _accept(
        self,
        response: aiohttp.ClientResponse,
        offset: int,
        validator: str | None,
        url: str,
        shown: str,
        part: PartFile,
    ) -> tuple[int, int | None]:
        """Where the body starts in the file, and the file's full size if known."""
        status = response.status
        if status == 200:
            part.remember(_validator(response.headers))
            return 0, response.content_length
        if offset and status == 206:
            total = _resumed_span(response, offset)
            sent = _validator(response.headers)
            if total is not None and (sent is None or sent == validator):
                return offset, total
        if offset and status in (206, 416):
            part.discard()
            raise _Restart
        body = await response.content.read(_ERROR_BODY_LIMIT)
        message = error_message(body, response.headers.get("Content-Type"), reason=str(status))
        for value in self.auth().values():
            message = redact_secret(message, value.removeprefix("Bearer "))
        if response.url.host != URL(url).host:
            message += f" [from {response.url.host}, after a redirect]"
        error = error_for_status(status)(status, message, method="GET", url=shown)
        if status == 429:
            wait = parse_retry_after(response.headers.get("Retry-After"))
            raise _Retry(Outcome(failure=Failure.RATE_LIMITED, error=error, wait=wait))
        if status >= 500:
            wait = parse_retry_after(response.headers.get("Retry-After")) if status == 503 else None
            raise _Retry(Outcome(failure=Failure.SERVER_ERROR, error=error, wait=wait))
        raise error

    async def _stream(
        self,
        response: aiohttp.ClientResponse,
        part: PartFile,
        start: int,
        total: int | None,
        shown: str,
        received: Callable[[int], None],
    ) -> int:
        part.open(start)
        size = start
        error: CircleCIError
        try:
            async for chunk in response.content.iter_chunked(self.chunk_size):
                part.write(chunk)
                size += len(chunk)
                received(len(chunk))
        except (aiohttp.ClientPayloadError, aiohttp.ClientConnectionError, TimeoutError) as exc:
            part.close()
            if total is None:
                reason = str(exc) or type(exc).__name__
                message = f"the body broke off after {size} bytes: {reason}"
                error = TransportError(message, method="GET", url=shown)
            else:
                error = IncompleteDownloadError(size, total, shown)
        except BaseException:
            part.close()
            raise
        else:
            if total is None or size == total:
                if part.durable:
                    await asyncio.to_thread(part.finish)
                else:
                    part.finish()
                return size
            part.close()
            error = IncompleteDownloadError(size, total, shown)
        raise _Retry(Outcome(failure=Failure.AFTER_SEND, error=error))
