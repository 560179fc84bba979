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
| `max_unverified_bytes` of bodies already being read | 503    | nothing (`on_refused`) |
| older than `max_event_age`, or than the ids kept    | 422    | nothing (`on_refused`) |

Events wait in a bounded queue; user code takes them by `async for event in receiver` or
through an `on_event` callback (one at a time, in arrival order). A full queue never delays
an answer: the delivery is refused with 503 and `Retry-After`, its id is not remembered, so
CircleCI's retry is accepted once there is room.

Bodies are bounded per request (`max_body_size`) and in total: the bytes of bodies being read
and not yet verified, across all requests, stay under `max_unverified_bytes`, and each body's
signature is checked as soon as it is complete. User code cannot change an answer: an
`on_event` callback that raises, is cancelled or outlives `callback_timeout` is logged and
counted, and the worker goes on with the next event; an `on_refused` hook that raises is
logged, and an async one is awaited for at most `hook_timeout` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
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
from .signature import SIGNATURE_HEADER, SecretInput, SigningKey, verify

__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_MAX_UNVERIFIED_BYTES",
    "ReceiverStats",
    "Refusal",
    "WebhookReceiver",
    "receiver",
]

DEFAULT_MAX_BODY_SIZE = 1024 * 1024
"""Largest body accepted, in bytes; CircleCI's payloads are a few kilobytes."""
DEFAULT_MAX_UNVERIFIED_BYTES = 16 * 1024 * 1024
"""Bytes of bodies being read and not yet verified, across requests, before 503."""

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
    """Events whose `on_event` callback raised, was cancelled or timed out (logged, skipped)."""
    failed_hooks: int = 0
    """Refusals whose `on_refused` hook raised or timed out (logged; the answer stands)."""


class _Refused(Exception):
    def __init__(
        self, status: int, reason: str, *, retry_later: bool = False, unread: bool = False
    ) -> None:
        self.status = status
        self.reason = reason
        self.retry_later = retry_later
        """Send `Retry-After`."""
        self.unread = unread
        """The body was not read: close the connection rather than read it to discard."""
        super().__init__(reason)


def _report(level: int, message: str, *args: object, error: BaseException | None = None) -> None:
    """Log, whatever happens to the logging (a closed stderr must not change an answer)."""
    with contextlib.suppress(Exception):
        _LOG.log(level, message, *args, exc_info=error)


def _cancelling() -> bool:
    """Whether the running task itself is being cancelled (not only something it awaited)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


class WebhookReceiver:
    """Receives CircleCI webhook deliveries on `path` of an aiohttp application.

    `secret` is the webhook's signing secret (bytes, str, `Secret` or `SigningKey`; it is kept
    as a `SigningKey`, so no repr or `vars()` shows it); `secret=None` turns verification off
    and must be said explicitly (for webhooks made without a secret). Repeats of an event `id`
    within `dedupe_seconds` (of `clock`, at most `dedupe_size` ids) are answered 200 and
    dropped. With `max_event_age` (seconds of `wall_clock`, Unix time), an event whose
    `happened_at` is older, missing, or not after every id already forgotten is refused with
    422, so no replay is accepted however long after or however many ids later it comes.
    Mount it with `add_to(app)` or `app.add_subapp(prefix, receiver.app())`, then consume it
    with `async for event in receiver` or pass `on_event`, not both.
    """

    def __init__(
        self,
        *,
        secret: SecretInput | None,
        path: str = "/",
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        max_unverified_bytes: int = DEFAULT_MAX_UNVERIFIED_BYTES,
        max_pending: int = 100,
        dedupe_size: int = 10_000,
        dedupe_seconds: float = 3600.0,
        max_event_age: float | None = None,
        read_timeout: float = 5.0,
        callback_timeout: float | None = 60.0,
        hook_timeout: float = 1.0,
        retry_after: int = 30,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        on_event: Callable[[Event], Awaitable[object]] | None = None,
        on_refused: Callable[[Refusal], object] | None = None,
    ) -> None:
        if secret is not None and isinstance(secret, str | bytes) and not secret:
            raise InvalidArgumentError("secret must not be empty; pass secret=None to not verify")
        if not path.startswith("/"):
            raise InvalidArgumentError(f"path must start with '/', got {path!r}")
        if max_body_size < 1 or max_pending < 1:
            raise InvalidArgumentError("max_body_size and max_pending must be at least 1")
        if max_unverified_bytes < max_body_size:
            raise InvalidArgumentError(
                f"max_unverified_bytes ({max_unverified_bytes}) must be at least "
                f"max_body_size ({max_body_size})"
            )
        for name, value in (
            ("read_timeout", read_timeout),
            ("callback_timeout", callback_timeout),
            ("hook_timeout", hook_timeout),
            ("max_event_age", max_event_age),
        ):
            if value is not None and not value > 0:
                raise InvalidArgumentError(f"{name} must be positive, got {value!r}")
        self._secret = None if secret is None else SigningKey(secret)
        self.path = path
        self.max_body_size = max_body_size
        self.max_unverified_bytes = max_unverified_bytes
        self.max_pending = max_pending
        self.max_event_age = max_event_age
        self.read_timeout = read_timeout
        self.callback_timeout = callback_timeout
        self.hook_timeout = hook_timeout
        self.retry_after = retry_after
        self.on_event = on_event
        self.on_refused = on_refused
        self.stats = ReceiverStats()
        """What happened to the deliveries so far."""
        self._recent = RecentIds(max_size=dedupe_size, max_age=dedupe_seconds, clock=clock)
        self._wall_clock = wall_clock
        self._unverified = 0
        self._queue: deque[Event] = deque()
        self._wake = asyncio.Event()
        self._closed = False
        self._worker: asyncio.Task[None] | None = None
        self._abandoned: set[asyncio.Future[object]] = set()

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

    @property
    def unverified_bytes(self) -> int:
        """Bytes of bodies being read (or reserved for) and not yet verified, now."""
        return self._unverified

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
                raise _Refused(503, "the receiver is closed", unread=True)
            body = await self._read_verified(request)
            event = self._parse(body, request)
            if event.id is not None and self._recent.seen(event.id):
                self.stats.duplicates += 1
                return web.Response(status=200, text="duplicate")
            happened = self._check_age(event)
            if len(self._queue) >= self.max_pending:
                self.stats.busy += 1
                raise _Refused(503, "busy: too many events waiting", retry_later=True)
        except _Refused as refused:
            return await self._refuse(request, refused)
        if event.id is not None:
            self._recent.note(event.id, happened_at=happened)
        self._queue.append(event)
        self._wake.set()
        self.stats.accepted += 1
        if self.on_event is not None and self._worker is None:
            self._worker = asyncio.get_running_loop().create_task(self._work())
        return web.Response(status=202, text="accepted")

    async def _read_verified(self, request: web.Request) -> bytes:
        """The body, read within the byte budgets and verified as soon as it is complete."""
        limit = self.max_body_size
        declared = request.content_length
        if declared is not None and declared > limit:
            raise _Refused(413, f"body larger than {limit} bytes", unread=True)
        reserved = 0

        def reserve(size: int) -> None:
            nonlocal reserved
            if size <= reserved:
                return
            if self._unverified + size - reserved > self.max_unverified_bytes:
                raise _Refused(
                    503,
                    f"busy: {self.max_unverified_bytes} bytes of unverified bodies being read",
                    retry_later=True,
                    unread=True,
                )
            self._unverified += size - reserved
            reserved = size

        try:
            reserve(declared or 0)
            body = await self._read(request, reserve)
            if self._secret is not None:
                try:
                    verify(body, request.headers.get(SIGNATURE_HEADER), self._secret)
                except SignatureError as error:
                    raise _Refused(401, str(error)) from None
            return body
        finally:
            self._unverified -= reserved

    async def _read(self, request: web.Request, reserve: Callable[[int], None]) -> bytes:
        limit = self.max_body_size
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.read_timeout):
                while chunk := await request.content.readany():
                    size += len(chunk)
                    if size > limit:
                        raise _Refused(413, f"body larger than {limit} bytes", unread=True)
                    reserve(size)
                    chunks.append(chunk)
        except TimeoutError:
            raise _Refused(
                408, f"body not received within {self.read_timeout} s", unread=True
            ) from None
        return b"".join(chunks)

    def _parse(self, body: bytes, request: web.Request) -> Event:
        try:
            return parse(body, request.headers)
        except PayloadError as error:
            raise _Refused(400, str(error)) from None

    def _check_age(self, event: Event) -> float | None:
        """`happened_at` in Unix seconds; `_Refused` (422) when `max_event_age` says too old."""
        happened = None if event.happened_at is None else event.happened_at.timestamp()
        limit = self.max_event_age
        if limit is None:
            return happened
        if happened is None:
            raise _Refused(422, "no happened_at: the event's age cannot be checked")
        age = self._wall_clock() - happened
        if age > limit:
            raise _Refused(
                422, f"event happened {age:.0f} s ago, more than max_event_age ({limit:g} s)"
            )
        horizon = self._recent.horizon
        if event.id is not None and horizon is not None and happened <= horizon:
            raise _Refused(
                422,
                f"event happened before the oldest id still remembered "
                f"(at most {self._recent.max_size}): it cannot be told from a repeat",
            )
        return happened

    async def _refuse(self, request: web.Request, refused: _Refused) -> web.Response:
        self.stats.refused += 1
        refusal = Refusal(status=refused.status, reason=refused.reason, remote=request.remote)
        _report(logging.INFO, "webhook delivery refused: %s %s", refusal.status, refusal.reason)
        if self.on_refused is not None:
            await self._call_hook(refusal)
        answer = web.Response(status=refused.status, text=refused.reason)
        if refused.retry_later:
            answer.headers["Retry-After"] = str(self.retry_after)
        if refused.unread:
            answer.force_close()
        return answer

    async def _call_hook(self, refusal: Refusal) -> None:
        """Run `on_refused`; whatever it does, the answer stays the same."""
        assert self.on_refused is not None
        try:
            outcome = self.on_refused(refusal)
            if inspect.isawaitable(outcome):
                async with asyncio.timeout(self.hook_timeout):
                    await outcome
        except Exception as error:
            self.stats.failed_hooks += 1
            _report(logging.WARNING, "on_refused failed for a %s refusal", refusal.status,
                    error=error)  # fmt: skip
        except asyncio.CancelledError:
            if _cancelling():
                raise
            self.stats.failed_hooks += 1
            _report(logging.WARNING, "on_refused was cancelled for a %s refusal", refusal.status)

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
        while True:
            try:
                event = await self._take()
            except StopAsyncIteration:
                return
            await self._deliver(event)

    async def _deliver(self, event: Event) -> None:
        """Run `on_event(event)` in its own task, bounded by `callback_timeout`.

        Its exception, its cancellation or its timeout is logged and counted; only the
        worker's own cancellation (by `close`) ends the worker, and cancels the callback.
        """
        assert self.on_event is not None
        try:
            call = asyncio.ensure_future(self.on_event(event))
        except Exception as error:
            self.stats.failed_callbacks += 1
            _report(logging.ERROR, "on_event failed for webhook event %s", event.id, error=error)
            return
        try:
            done, _ = await asyncio.wait({call}, timeout=self.callback_timeout)
        except asyncio.CancelledError:
            call.cancel()
            raise
        if not done:
            call.cancel()
            self._abandoned.add(call)
            call.add_done_callback(self._forget_abandoned)
            self.stats.failed_callbacks += 1
            _report(
                logging.WARNING,
                "on_event did not finish within %s s for webhook event %s; cancelled it",
                self.callback_timeout, event.id,
            )  # fmt: skip
        elif call.cancelled():
            self.stats.failed_callbacks += 1
            _report(logging.WARNING, "on_event was cancelled for webhook event %s", event.id)
        elif (failure := call.exception()) is not None:
            self.stats.failed_callbacks += 1
            _report(logging.ERROR, "on_event failed for webhook event %s", event.id, error=failure)

    def _forget_abandoned(self, call: asyncio.Future[object]) -> None:
        self._abandoned.discard(call)
        if not call.cancelled():
            call.exception()

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
            await asyncio.wait({worker})


receiver = WebhookReceiver
"""`webhooks.receiver(secret=..., path=...)`: another name for `WebhookReceiver`."""
