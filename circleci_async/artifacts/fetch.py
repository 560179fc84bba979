"""`Fetcher`: one artifact, streamed to its `.part` file, resumed with `Range`, retried."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Mapping

import aiohttp
import attrs
from yarl import URL

from ..errors import CircleCIError, TransportError, error_for_status
from ..gate import Sleep
from ..retry import RetryPolicy
from ..wire import error_message, parse_retry_after, redact_url
from .errors import IncompleteDownloadError
from .hosts import TrustedHosts
from .partfile import PartFile
from .redirects import open_following

__all__ = ["CHUNK_SIZE", "Fetcher"]

logger = logging.getLogger("circleci_async.artifacts")

CHUNK_SIZE = 256 * 1024
"""Bytes read from the network and written to disk at a time."""

_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")
_ERROR_BODY_LIMIT = 64 * 1024


class _Retry(Exception):
    """An attempt failed in a way worth another try (after `wait` seconds at least)."""

    def __init__(self, error: CircleCIError, wait: float = 0.0) -> None:
        self.error = error
        self.wait = wait


class _Restart(Exception):
    """The `.part` file cannot be resumed; it was dropped, start again from byte 0 at once."""


def _resumed_span(response: aiohttp.ClientResponse, offset: int) -> int | None:
    """The total size, if this 206 continues exactly at `offset` up to the end."""
    found = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", "").strip())
    if found is None:
        return None
    first, last, total = (int(group) for group in found.groups())
    return total if first == offset and last == total - 1 else None


@attrs.frozen(kw_only=True)
class Fetcher:
    """Downloads single artifacts over the client's session.

    The token goes only to `hosts` (see `open_following`). A broken body is resumed with
    `Range: bytes=<have>-` when the server answers 206 with a matching `Content-Range`, and
    restarted otherwise. Broken connections, short bodies, 429 and 5xx are retried up to
    `retry.attempts` times per file with `retry`'s delays (at least `Retry-After`), slept
    with the injected `sleep`. There is no limit on a download's total time; `timeout`
    bounds connecting and each read.
    """

    session: Callable[[], aiohttp.ClientSession]
    hosts: TrustedHosts
    auth: Callable[[], Mapping[str, str]]
    retry: RetryPolicy
    sleep: Sleep
    random: Callable[[], float]
    timeout: aiohttp.ClientTimeout
    max_hops: int = 5
    chunk_size: int = CHUNK_SIZE

    async def fetch(self, url: str, part: PartFile, received: Callable[[int], None]) -> int:
        """Download `url` into `part`, move it into place and return its size in bytes."""
        shown = redact_url(url)
        delays = self.retry.delays(self.random)
        failures = 0
        while True:
            try:
                return await self._attempt(url, shown, part, received)
            except _Restart:
                logger.info("cannot resume %s; starting again", shown)
            except _Retry as problem:
                failures += 1
                if failures >= self.retry.attempts:
                    raise problem.error from None
                delay = max(next(delays), problem.wait)
                logger.info("retrying %s in %.2fs: %s", shown, delay, problem.error)
                await self.sleep(delay)

    async def _attempt(
        self, url: str, shown: str, part: PartFile, received: Callable[[int], None]
    ) -> int:
        offset = part.size()
        headers = {"Accept-Encoding": "identity"}
        if offset:
            headers["Range"] = f"bytes={offset}-"
        try:
            async with open_following(
                self.session(),
                url,
                hosts=self.hosts,
                auth=self.auth(),
                headers=headers,
                timeouts=self.timeout,
                max_hops=self.max_hops,
                read_bufsize=self.chunk_size,
            ) as response:
                start, total = await self._accept(response, offset, url, shown, part)
                return await self._stream(response, part, start, total, shown, received)
        except (aiohttp.ClientSSLError, aiohttp.ClientConnectorCertificateError) as exc:
            raise TransportError(f"TLS failure: {exc}", method="GET", url=shown) from None
        except aiohttp.InvalidURL:
            raise TransportError("invalid URL", method="GET", url=shown) from None
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            reason = str(exc) or type(exc).__name__
            error = TransportError(f"download failed: {reason}", method="GET", url=shown)
            raise _Retry(error) from None

    async def _accept(
        self,
        response: aiohttp.ClientResponse,
        offset: int,
        url: str,
        shown: str,
        part: PartFile,
    ) -> tuple[int, int | None]:
        """Where the body starts in the file, and the file's full size if known."""
        status = response.status
        if status == 200:
            return 0, response.content_length
        if offset and status == 206:
            total = _resumed_span(response, offset)
            if total is not None:
                return offset, total
        if offset and status in (206, 416):
            part.discard()
            raise _Restart
        body = await response.content.read(_ERROR_BODY_LIMIT)
        message = error_message(body, response.headers.get("Content-Type"), reason=str(status))
        if response.url.host != URL(url).host:
            message += f" [from {response.url.host}, after a redirect]"
        error = error_for_status(status)(status, message, method="GET", url=shown)
        if status == 429 or status >= 500:
            wait = parse_retry_after(response.headers.get("Retry-After")) or 0.0
            raise _Retry(error, wait)
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
                raise _Retry(TransportError(message, method="GET", url=shown)) from None
            raise _Retry(IncompleteDownloadError(size, total, shown)) from None
        except BaseException:
            part.close()
            raise
        if total is not None and size != total:
            part.close()
            raise _Retry(IncompleteDownloadError(size, total, shown))
        if part.durable:
            await asyncio.to_thread(part.finish)
        else:
            part.finish()
        return size
