"""`WebhookReceiver`: an aiohttp endpoint that verifies CircleCI's deliveries and hands them on.

Each POST is answered as soon as it is judged, before any user code sees the event:

| delivery                                            | answer | user code sees        |
|-----------------------------------------------------|--------|-----------------------|
| signed, new, room in the queue                      | 202    | the event             |
| an `id` accepted within the window (a repeat)       | 200    | nothing               |
| no, empty, `v2=`-only, malformed or wrong signature | 401    | nothing (`on_refused`) |
| body over `max_body_size` bytes                     | 413    | nothing (`on_refused`) |
| body not a JSON object                              | 400    | nothing (`on_refused`) |
| body not received within `read_timeout` seconds     | 408    | nothing (`on_refused`) |
| `max_pending` events still waiting for user code    | 503    | nothing; CircleCI retries later |
| after `close()`                                     | 503    | nothing               |
| a type this library does not know                   | 202    | an `UnknownEvent`     |
| no `id` in the payload (never seen from CircleCI)   | 202    | the event, every time |

Events wait in a bounded queue; user code takes them by `async for event in receiver` or
through an `on_event` callback (one at a time, in arrival order). A full queue never delays
an answer: the delivery is refused with 503 and `Retry-After`, its id is not remembered, so
CircleCI's retry is accepted once there is room.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Self

import attrs
from aiohttp import web

from ..errors import InvalidArgumentError
from .dedupe import RecentIds
from .errors import PayloadError, SignatureError
from .events import Event, parse
from .signature import SIGNATURE_HEADER, verify

__all__ = ["DEFAULT_MAX_BODY_SIZE", "ReceiverStats", "Refusal", "WebhookReceiver", "receiver"]

DEFAULT_MAX_BODY_SIZE = 1024 * 1024
"""Largest body accepted, in bytes; CircleCI's payloads are a few kilobytes."""

_LOG = logging.getLogger(__name__)


@attrs.frozen(kw_only=True)
class Refusal:
    """A delivery the receiver refused: the status it answered and why."""

    status: int
    reason: str
    remote: str | None = None
    """The peer's address, when known."""


@attrs.define(kw_only=True)
class ReceiverStats:
    """Counts of what the receiver did with the deliveries it got."""

    accepted: int = 0
    duplicates: int = 0
    refused: int = 0
    busy: int = 0
    """Deliveries answered 503 because the queue was full."""
    failed_callbacks: int = 0
    """Events whose `on_event` callback raised (logged, then skipped)."""


class _Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        self.status = status
        self.reason = reason
        super().__init__(reason)


class WebhookReceiver:
    """Receives CircleCI webhook deliveries on `path` of an aiohttp application.

    `secret` is the webhook's signing secret; `secret=None` turns verification off and must be
    said explicitly (for webhooks made without a secret). Repeats of an event `id` within
    `dedupe_seconds` (of `clock`, at most `dedupe_size` ids) are answered 200 and dropped.
    Mount it with `add_to(app)` or `app.add_subapp(prefix, receiver.app())`, then consume it
    with `async for event in receiver` or pass `on_event`, not both.
    """

    def __init__(
        self,
        *,
        secret: str | bytes | None,
        path: str = "/",
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        max_pending: int = 100,
        dedupe_size: int = 10_000,
        dedupe_seconds: float = 3600.0,
        read_timeout: float = 5.0,
        retry_after: int = 30,
        clock: Callable[[], float] = time.monotonic,
        on_event: Callable[[Event], Awaitable[object]] | None = None,
        on_refused: Callable[[Refusal], object] | None = None,
    ) -> None:
        if secret is not None and not secret:
            raise InvalidArgumentError("secret must not be empty; pass secret=None to not verify")
        if not path.startswith("/"):
            raise InvalidArgumentError(f"path must start with '/', got {path!r}")
        if max_body_size < 1 or max_pending < 1:
            raise InvalidArgumentError("max_body_size and max_pending must be at least 1")
        if not read_timeout > 0:
            raise InvalidArgumentError("read_timeout must be positive")
        self._secret = secret
        self.path = path
        self.max_body_size = max_body_size
        self.max_pending = max_pending
        self.read_timeout = read_timeout
        self.retry_after = retry_after
        self.on_event = on_event
        self.on_refused = on_refused
        self.stats = ReceiverStats()
        """What happened to the deliveries so far."""
        self._recent = RecentIds(max_size=dedupe_size, max_age=dedupe_seconds, clock=clock)
        self._queue: deque[Event] = deque()
        self._wake = asyncio.Event()
        self._closed = False
        self._worker: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        signed = "unsigned" if self._secret is None else "signed"
        return f"<WebhookReceiver {self.path} {signed} pending={len(self._queue)}>"

    @property
    def verifies(self) -> bool:
        """Whether deliveries must carry a valid signature."""
        return self._secret is not None

    @property
    def pending(self) -> int:
        """Events accepted and not yet taken by user code."""
        return len(self._queue)

    # Mounting ------------------------------------------------------------------------------

    def add_to(self, app: web.Application) -> None:
        """Serve POST `path` on `app`; the receiver closes when `app` cleans up."""
        app.router.add_post(self.path, self.handle)
        app.on_cleanup.append(self._cleanup)

    def app(self) -> web.Application:
        """A sub-application serving POST `path`, for `parent.add_subapp(prefix, ...)`."""
        sub = web.Application()
        self.add_to(sub)
        return sub

    async def _cleanup(self, _app: web.Application) -> None:
        await self.close()

    # Answering -----------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.Response:
        """The aiohttp handler: judge one delivery and answer at once (see the module's table)."""
        try:
            if self._closed:
                raise _Refused(503, "the receiver is closed")
            body = await self._read(request)
            event = self._judge(body, request)
        except _Refused as refused:
            return self._refuse(request, refused)
        if event.id is not None and self._recent.seen(event.id):
            self.stats.duplicates += 1
            return web.Response(status=200, text="duplicate")
        if len(self._queue) >= self.max_pending:
            self.stats.busy += 1
            answer = self._refuse(request, _Refused(503, "busy: too many events waiting"))
            answer.headers["Retry-After"] = str(self.retry_after)
            return answer
        if event.id is not None:
            self._recent.note(event.id)
        self._queue.append(event)
        self._wake.set()
        self.stats.accepted += 1
        if self.on_event is not None and self._worker is None:
            self._worker = asyncio.get_running_loop().create_task(self._work())
        return web.Response(status=202, text="accepted")

    async def _read(self, request: web.Request) -> bytes:
        limit = self.max_body_size
        too_large = _Refused(413, f"body larger than {limit} bytes")
        if request.content_length is not None and request.content_length > limit:
            raise too_large
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.read_timeout):
                while chunk := await request.content.readany():
                    size += len(chunk)
                    if size > limit:
                        raise too_large
                    chunks.append(chunk)
        except TimeoutError:
            raise _Refused(408, f"body not received within {self.read_timeout} s") from None
        return b"".join(chunks)

    def _judge(self, body: bytes, request: web.Request) -> Event:
        try:
            if self._secret is not None:
                verify(body, request.headers.get(SIGNATURE_HEADER), self._secret)
            return parse(body, request.headers)
        except SignatureError as error:
            raise _Refused(401, str(error)) from None
        except PayloadError as error:
            raise _Refused(400, str(error)) from None

    def _refuse(self, request: web.Request, refused: _Refused) -> web.Response:
        self.stats.refused += 1
        refusal = Refusal(status=refused.status, reason=refused.reason, remote=request.remote)
        _LOG.info("webhook delivery refused: %s %s", refusal.status, refusal.reason)
        if self.on_refused is not None:
            self.on_refused(refusal)
        return web.Response(status=refused.status, text=refused.reason)

    # Handing on ----------------------------------------------------------------------------

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> Event:
        """The next accepted event; ends once the receiver is closed and drained."""
        if self.on_event is not None:
            raise RuntimeError("this receiver hands events to on_event; do not iterate it too")
        return await self._take()

    async def _take(self) -> Event:
        while True:
            if self._queue:
                return self._queue.popleft()
            if self._closed:
                raise StopAsyncIteration
            self._wake.clear()
            await self._wake.wait()

    async def _work(self) -> None:
        assert self.on_event is not None
        while True:
            try:
                event = await self._take()
            except StopAsyncIteration:
                return
            try:
                await self.on_event(event)
            except Exception:
                self.stats.failed_callbacks += 1
                _LOG.exception("on_event failed for webhook event %s", event.id)

    async def close(self, *, drain_seconds: float = 10.0) -> None:
        """Refuse new deliveries (503); let `on_event` finish the queue for up to `drain_seconds`.

        An iterator ends once it has taken the events already queued.
        """
        self._closed = True
        self._wake.set()
        worker, self._worker = self._worker, None
        if worker is None:
            return
        try:
            async with asyncio.timeout(drain_seconds):
                await asyncio.shield(worker)
        except TimeoutError:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker


receiver = WebhookReceiver
"""`webhooks.receiver(secret=..., path=...)`: another name for `WebhookReceiver`."""
