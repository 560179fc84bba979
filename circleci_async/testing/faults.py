"""`Faults`: failures the fake injects on purpose (429s, 5xx, disconnects, delays, bad tokens)."""

from __future__ import annotations

import functools
import json
import math
import secrets
import sys
import time
import zlib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

import attrs

from .blobs import Blob, BlobSlice
from .log_output import GeneratedLog
from .paging import PageTokens
from .records import ArtifactRecord
from .replies import JSON_TYPE, Reply

__all__ = ["FOREVER", "FaultPlan", "Faults", "Scope"]

FOREVER = sys.maxsize
"""`times=FOREVER`: a fault that is never used up."""

_BAD_GATEWAY_HTML = (
    "<html>\r\n<head><title>{code} {phrase}</title></head>\r\n<body>\r\n"
    "<center><h1>{code} {phrase}</h1></center>\r\n</body>\r\n</html>\r\n"
)
_RATE_LIMIT_CEILING = 100


@attrs.frozen
class Scope:
    """Which requests a fault applies to; None matches anything."""

    operation: str | None = None
    method: str | None = None
    origin: str | None = None

    def matches(self, origin: str, method: str, operation: str | None) -> bool:
        """Whether a request with these properties is in scope."""
        return (
            (self.origin is None or self.origin == origin)
            and (self.method is None or self.method == method.upper())
            and (self.operation is None or self.operation == operation)
        )


@attrs.frozen
class FaultPlan:
    """What the server does with one request.

    `reply` answers it instead of the normal handler; `delay` is slept first; `cut_after` cuts the
    normal body after that many bytes; `headers` are added to the normal response.
    """

    reply: Reply | None = None
    delay: float = 0.0
    cut_after: int | None = None
    headers: Mapping[str, str] = attrs.field(factory=dict)
    fault: str | None = None
    ignore_query: tuple[str, ...] = ()
    """Query parameters the normal handler does not see (a server that ignores them)."""
    keep_bytes: int | None = None
    """Send only this many bytes of the body, as a whole answer (`Content-Length` says so)."""
    stall: tuple[int, float] | None = None
    """`(after_bytes, seconds)`: the body stops for `seconds` once `after_bytes` are out."""


@attrs.define
class _Fault:
    kind: str
    scope: Scope
    remaining: int
    reply: Reply | None = None
    delay: float = 0.0
    cut_after: int | None = None
    window_seconds: float = 0.0
    window: tuple[float, float] | None = None
    headers: Mapping[str, str] = attrs.field(factory=dict)
    make_reply: Callable[[], Reply] | None = None
    ignore_query: tuple[str, ...] = ()
    keep_bytes: int | None = None
    stall: tuple[int, float] | None = None


@attrs.define
class _Bucket:
    rate: float
    burst: float
    scope: Scope
    tokens: float
    updated: float


def _rate_limit_headers(limit: int, remaining: int, reset: int) -> dict[str, str]:
    return {
        "RateLimit-Limit": str(limit),
        "RateLimit-Remaining": str(remaining),
        "RateLimit-Reset": str(reset),
        "X-RateLimit-Limit-Second": str(limit),
        "X-RateLimit-Remaining-Second": str(remaining),
        "X-RateLimit-Reset": str(reset),
    }


def _too_many(retry_after: str | None, *, plain_text: bool, headers: Mapping[str, str]) -> Reply:
    extra = dict(headers)
    if retry_after is not None:
        extra.setdefault("Retry-After", retry_after)
    if plain_text:
        return Reply(429, {"Content-Type": "text/plain; charset=utf-8", **extra}, b"Rate limited.")
    return Reply.json(429, {"message": "Rate limit exceeded."}, extra)


class Faults:
    """Fault injection for one fake server.

    Every fault takes an optional scope: `operation` (spec operationId), `method`, `origin`
    (`"api"`, `"artifacts"` or `"storage"`). A request takes the first pending fault in scope,
    in the order they were added, and uses up one of its `times`.
    """

    def __init__(self, tokens: PageTokens, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._tokens = tokens
        self._clock = clock
        self._queue: list[_Fault] = []
        self._bucket: _Bucket | None = None
        self._cycle: tuple[int, Scope] | None = None
        self.throttle_windows: list[tuple[float, float]] = []
        """`(start, end)` monotonic times of every throttle window opened so far."""
        self._webhook_duplicates = 0
        self._expired_log_urls = 0

    @property
    def pending(self) -> int:
        """How many queued faults have not been used up yet."""
        return len(self._queue)

    def rate_limit(
        self,
        times: int = 1,
        *,
        retry_after: str | None = "1",
        plain_text: bool = False,
        headers: Mapping[str, str] | None = None,
        operation: str | None = None,
        method: str | None = None,
        origin: str | None = None,
    ) -> None:
        """Answer the next `times` requests with 429 and rate-limit headers.

        The body is `{"message": "Rate limit exceeded."}`, or `Rate limited.` as text/plain with
        `plain_text`. `retry_after` is sent verbatim (seconds or an HTTP-date; None omits it).
        `headers` add to or replace the defaults.
        """
        reset = retry_after if retry_after is not None and retry_after.isdigit() else "1"
        merged = {**_rate_limit_headers(_RATE_LIMIT_CEILING, 0, int(reset)), **(headers or {})}
        reply = _too_many(retry_after, plain_text=plain_text, headers=merged)
        self._add(_Fault("rate_limit", _scope(operation, method, origin), times, reply=reply))

    def throttle(
        self,
        seconds: float = 1.0,
        *,
        operation: str | None = None,
        method: str | None = None,
        origin: str | None = None,
    ) -> None:
        """The next request opens a throttle window of `seconds`.

        It and every request in scope arriving before the window ends get 429 with
        `Retry-After` set to the whole seconds left, rounded up.
        """
        fault = _Fault("throttle", _scope(operation, method, origin), 1, window_seconds=seconds)
        self._add(fault)

    def rate_limit_rps(
        self,
        rate: float | None,
        *,
        burst: float | None = None,
        operation: str | None = None,
        method: str | None = None,
        origin: str | None = None,
    ) -> None:
        """Limit requests in scope to `rate` per second (token bucket of `burst`); None: off.

        Requests over the limit get 429 with `Retry-After`; every response in scope carries
        `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (and `X-RateLimit-*`).
        """
        if rate is None:
            self._bucket = None
            return
        if rate <= 0:
            raise ValueError("rate must be positive")
        size = float(burst) if burst is not None else max(1.0, math.ceil(rate))
        scope = _scope(operation, method, origin)
        self._bucket = _Bucket(rate, size, scope, size, self._clock())

    def error(
        self,
        status: int,
        *,
        times: int = 1,
        body: str | bytes | Mapping[str, Any] | None = None,
        content_type: str | None = "application/json",
        headers: Mapping[str, str] | None = None,
        operation: str | None = None,
        method: str | None = None,
        origin: str | None = None,
    ) -> None:
        """Answer the next `times` requests with `status`.

        Without `body`: `{"message": <reason>}` for JSON, an nginx-style page for text/html,
        the reason phrase otherwise. `body=""` sends an empty body. `content_type=None` sends
        no Content-Type header.
        """
        reply = _error_reply(status, body, content_type, headers or {})
        self._add(_Fault("error", _scope(operation, method, origin), times, reply=reply))

    def disconnect(
        self,
        times: int = 1,
        *,
        after_bytes: int = 10,
        operation: str | None = None,
        method: str | None = None,
        origin: str | None = None,
    ) -> None:
        """Cut the body of the next `times` responses short, then drop the connection.

        Status and headers go out with the full Content-Length, then only `after_bytes` bytes of
        the body (at most all but one).
        """
        if after_bytes < 0:
            raise ValueError("after_bytes must not be negative")
        scope = _scope(operation, method, origin)
        self._add(_Fault("disconnect", scope, times, cut_after=after_bytes))

    def delay(
        self,
        seconds: float,
        *,
        times: int = 1,
        operation: str | None = None,
        method: str | None = None,
        origin: str | None = None,
    ) -> None:
        """Sleep `seconds` before answering the next `times` requests normally."""
        self._add(_Fault("delay", _scope(operation, method, origin), times, delay=seconds))

    def headers(
        self,
        values: Mapping[str, str],
        *,
        times: int = 1,
        epoch_reset: bool = False,
        operation: str | None = None,
        method: str | None = None,
        origin: str | None = None,
    ) -> None:
        """Add `values` to the next `times` normal answers, then stop (headers that stop).

        With `epoch_reset`, every header ending in `Reset` is sent as a Unix time: its value
        in seconds is added to the wall clock now (as some servers send `X-RateLimit-Reset`).
        """
        sent = dict(values)
        if epoch_reset:
            sent = {key: _as_epoch(key, value) for key, value in sent.items()}
        scope = _scope(operation, method, origin)
        self._add(_Fault("headers", scope, times, headers=sent))

    def endless_pages(
        self,
        *,
        times: int = FOREVER,
        operation: str | None = None,
        method: str | None = None,
        origin: str | None = None,
    ) -> None:
        """Answer every request in scope with `{"items": [], "next_page_token": <new>}`.

        Each answer carries a token never seen before, so a walk that trusts tokens alone
        never ends.
        """

        def page() -> Reply:
            return Reply.json(200, {"items": [], "next_page_token": secrets.token_hex(12)})

        scope = _scope(operation, method, origin)
        self._add(_Fault("endless_pages", scope, times, make_reply=page))

    def ignore_query(
        self,
        *names: str,
        times: int = FOREVER,
        operation: str | None = None,
        method: str | None = None,
        origin: str | None = None,
    ) -> None:
        """Answer requests in scope as if the query parameters `names` were not sent.

        `ignore_query("offset", operation="GetDecisionLogs")` makes an offset-paged list
        answer its first page whatever offset is asked for.
        """
        scope = _scope(operation, method, origin)
        self._add(_Fault("ignore_query", scope, times, ignore_query=tuple(names)))

    def oversized(
        self,
        size: int,
        *,
        status: int = 200,
        gzip_bomb: bool = False,
        times: int = 1,
        operation: str | None = None,
        method: str | None = None,
        origin: str | None = None,
    ) -> None:
        """Answer with a body of `size` bytes (streamed, never held by the fake).

        With `gzip_bomb`, `size` zero bytes are sent gzip-compressed (`Content-Encoding:
        gzip`): about a thousandth of `size` on the wire, `size` once inflated.
        """
        headers = {"Content-Type": JSON_TYPE}
        body: bytes | BlobSlice
        if gzip_bomb:
            headers["Content-Encoding"] = "gzip"
            body = _gzip_zeros(size)
        else:
            body = BlobSlice(Blob(size, seed=b"oversized"), 0, size)
        reply = Reply(status, headers, body)
        self._add(_Fault("oversized", _scope(operation, method, origin), times, reply=reply))

    def hostile_html(
        self,
        status: int = 502,
        *,
        size: int = 137 * 1024,
        times: int = 1,
        operation: str | None = None,
        method: str | None = None,
        origin: str | None = None,
    ) -> None:
        """Answer with an HTML page of `size` bytes of `<title>` repeated, never closed.

        Backtracking regexes take time quadratic in such a page to find its title.
        """
        page = ("<title>" * (size // 7 + 1)).encode()[:size]
        reply = Reply(status, {"Content-Type": "text/html"}, page)
        self._add(_Fault("hostile_html", _scope(operation, method, origin), times, reply=reply))

    def truncate_body(
        self,
        keep_bytes: int,
        *,
        times: int = 1,
        operation: str | None = None,
        method: str | None = None,
        origin: str | None = None,
    ) -> None:
        """Send only the first `keep_bytes` bytes of the next `times` bodies, as whole answers.

        Unlike `disconnect`, `Content-Length` matches and the connection stays up: a step log
        (`origin="storage"`) that ends mid-element, as a truncated upload would.
        """
        if keep_bytes < 0:
            raise ValueError("keep_bytes must not be negative")
        scope = _scope(operation, method, origin)
        self._add(_Fault("truncate_body", scope, times, keep_bytes=keep_bytes))

    def stall_body(
        self,
        seconds: float,
        *,
        after_bytes: int = 10,
        times: int = 1,
        operation: str | None = None,
        method: str | None = None,
        origin: str | None = None,
    ) -> None:
        """Stop the next `times` bodies for `seconds` (the fake's sleep) after `after_bytes`.

        Headers and the first bytes arrive at once, then nothing until the stall is over.
        """
        if after_bytes < 0 or seconds < 0:
            raise ValueError("after_bytes and seconds must not be negative")
        scope = _scope(operation, method, origin)
        self._add(_Fault("stall_body", scope, times, stall=(after_bytes, seconds)))

    def huge_log(
        self,
        size: int,
        *,
        times: int = 1,
        operation: str | None = None,
        method: str | None = None,
        origin: str | None = "storage",
    ) -> None:
        """Answer the next `times` step-output downloads with a generated log of `size` bytes.

        A valid JSON array of `{message, time, type}` lines made on the fly, never held.
        """

        def log() -> Reply:
            body = GeneratedLog.of_size(size, datetime.now(UTC))
            return Reply(200, {"Content-Type": "application/json"}, body)

        scope = _scope(operation, method, origin)
        self._add(_Fault("huge_log", scope, times, make_reply=log))

    def expire_log_urls(self, times: int = 1) -> None:
        """Hand out the next `times` step `output_url`s already expired (storage answers 403)."""
        if times < 1:
            raise ValueError("times must be at least 1")
        self._expired_log_urls += times

    def take_expired_log_url(self) -> bool:
        """Whether the `output_url` being made now is expired (uses up one `expire_log_urls`)."""
        if self._expired_log_urls < 1:
            return False
        self._expired_log_urls -= 1
        return True

    @staticmethod
    def change_artifact(artifact: ArtifactRecord, data: bytes) -> None:
        """Replace an artifact's content (and so its ETag), as a rebuilt artifact would be."""
        artifact.replace_content(data)

    def reject_page_tokens(self, *, operation: str | None = None) -> int:
        """Invalidate every page token handed out so far (CircleCI does this mid-walk).

        Later requests with them get 400. Returns how many tokens were invalidated.
        """
        return self._tokens.invalidate(operation)

    def cycle_page_tokens(
        self,
        after_pages: int = 2,
        *,
        operation: str | None = None,
        method: str | None = None,
        origin: str | None = None,
    ) -> None:
        """Make page tokens cycle from now on.

        Page `after_pages + 1` of every walk answers a `next_page_token` already handed out
        earlier in that walk, so a client that does not detect cycles loops forever.
        """
        if after_pages < 1:
            raise ValueError("after_pages must be at least 1")
        self._cycle = (after_pages, _scope(operation, method, origin))

    def duplicate_webhook(self, times: int = 1) -> None:
        """Send each of the next `times` webhook events twice, as CircleCI may (same `id`)."""
        if times < 1:
            raise ValueError("times must be at least 1")
        self._webhook_duplicates += times

    def take_webhook_duplicate(self) -> bool:
        """Whether the webhook event being sent now goes twice (uses up one `duplicate_webhook`)."""
        if self._webhook_duplicates < 1:
            return False
        self._webhook_duplicates -= 1
        return True

    def clear(self) -> None:
        """Remove every fault, the rate limiter and the token cycle."""
        self._queue.clear()
        self._webhook_duplicates = 0
        self._expired_log_urls = 0
        self._bucket = None
        self._cycle = None

    def cycle_after(self, origin: str, method: str, operation: str | None) -> int | None:
        """The page number after which tokens cycle for this request, if any."""
        if self._cycle is None or not self._cycle[1].matches(origin, method, operation):
            return None
        return self._cycle[0]

    def plan(self, origin: str, method: str, operation: str | None) -> FaultPlan:
        """Decide, and use up, what happens to a request arriving now."""
        now = self._clock()
        for fault in list(self._queue):
            if not fault.scope.matches(origin, method, operation):
                continue
            if fault.kind == "throttle":
                throttled = self._throttled(fault, now)
                if throttled is None:
                    continue
                return throttled
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._queue.remove(fault)
            reply = fault.make_reply() if fault.make_reply is not None else fault.reply
            return FaultPlan(
                reply=reply,
                delay=fault.delay,
                cut_after=fault.cut_after,
                headers=fault.headers,
                fault=fault.kind,
                ignore_query=fault.ignore_query,
                keep_bytes=fault.keep_bytes,
                stall=fault.stall,
            )
        return self._limit(origin, method, operation, now)

    def _add(self, fault: _Fault) -> None:
        if fault.remaining < 1:
            raise ValueError("times must be at least 1")
        self._queue.append(fault)

    def _throttled(self, fault: _Fault, now: float) -> FaultPlan | None:
        if fault.window is None:
            fault.window = (now, now + fault.window_seconds)
            self.throttle_windows.append(fault.window)
        end = fault.window[1]
        if now >= end:
            self._queue.remove(fault)
            return None
        left = max(1, math.ceil(end - now))
        headers = _rate_limit_headers(_RATE_LIMIT_CEILING, 0, left)
        reply = _too_many(str(left), plain_text=False, headers=headers)
        return FaultPlan(reply=reply, fault="throttle")

    def _limit(self, origin: str, method: str, operation: str | None, now: float) -> FaultPlan:
        bucket = self._bucket
        if bucket is None or not bucket.scope.matches(origin, method, operation):
            return FaultPlan()
        bucket.tokens = min(bucket.burst, bucket.tokens + (now - bucket.updated) * bucket.rate)
        bucket.updated = now
        limit = math.ceil(bucket.burst)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            reset = math.ceil((bucket.burst - bucket.tokens) / bucket.rate)
            headers = _rate_limit_headers(limit, math.floor(bucket.tokens), reset)
            return FaultPlan(headers=headers)
        wait = max(1, math.ceil((1 - bucket.tokens) / bucket.rate))
        headers = _rate_limit_headers(limit, 0, wait)
        return FaultPlan(reply=_too_many(str(wait), plain_text=False, headers=headers), fault="rps")


def _as_epoch(key: str, value: str) -> str:
    if not key.lower().endswith("reset") or not value.strip().isdigit():
        return value
    return str(int(time.time()) + int(value))


@functools.lru_cache(maxsize=4)
def _gzip_zeros(size: int) -> bytes:
    packer = zlib.compressobj(1, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    pieces = []
    for start in range(0, size, len(zeros)):
        pieces.append(packer.compress(zeros[: min(len(zeros), size - start)]))
    pieces.append(packer.flush())
    return b"".join(pieces)


def _scope(operation: str | None, method: str | None, origin: str | None) -> Scope:
    if origin not in (None, "api", "artifacts", "storage"):
        raise ValueError(f"unknown origin {origin!r}")
    return Scope(operation, None if method is None else method.upper(), origin)


def _error_reply(
    status: int,
    body: str | bytes | Mapping[str, Any] | None,
    content_type: str | None,
    headers: Mapping[str, str],
) -> Reply:
    phrase = HTTPStatus(status).phrase
    is_json = content_type is not None and "json" in content_type
    if body is None:
        if is_json:
            body = {"message": phrase}
        elif content_type is not None and "html" in content_type:
            body = _BAD_GATEWAY_HTML.format(code=status, phrase=phrase)
        else:
            body = phrase
    if isinstance(body, Mapping):
        payload: Any = dict(body)
        encoded = json.dumps(payload).encode()
    else:
        encoded = body.encode() if isinstance(body, str) else body
        payload = _parse_json(encoded) if is_json else None
    all_headers = dict(headers)
    if content_type is not None:
        sent_type = JSON_TYPE if content_type == "application/json" else content_type
        all_headers.setdefault("Content-Type", sent_type)
    return Reply(status, all_headers, encoded, payload)


def _parse_json(encoded: bytes) -> Any:
    try:
        return json.loads(encoded)
    except ValueError:
        return None
