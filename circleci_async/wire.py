"""CircleCI's wire rules as pure functions: no I/O, no event loop.

Everything here is decided from values (headers, bodies, method names), so it is tested
without a server: parsing `Retry-After` and the rate-limit headers, reading the message out
of an error body, redacting URLs, and deciding what may be retried. Checks on a caller's
arguments (project slugs, ids, job numbers) live in `circleci_async.checks`.
"""

from __future__ import annotations

import email.utils
import html
import math
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import Enum
from urllib.parse import urlsplit, urlunsplit

import attrs

from . import jsoncodec

__all__ = [
    "EPOCH_THRESHOLD",
    "INSPECTED_LIMIT",
    "Failure",
    "RateLimitInfo",
    "error_message",
    "parse_rate_limit",
    "parse_retry_after",
    "redact_secret",
    "redact_url",
    "should_retry",
]

_MAX_MESSAGE = 500


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` value (delta-seconds or HTTP-date), or None.

    A date in the past gives 0.0; an unreadable value gives None.
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        if math.isfinite(seconds):
            return max(0.0, seconds)
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now if now is not None else datetime.now(UTC)
    return max(0.0, (when - current).total_seconds())


@attrs.frozen(kw_only=True)
class RateLimitInfo:
    """The tightest rate-limit window CircleCI reported on one response."""

    limit: int | None = None
    remaining: int | None = None
    reset: float | None = None
    """Seconds until the window resets (an epoch time in the header is converted)."""


EPOCH_THRESHOLD = 1e9
"""A reset above this many seconds (about 31 years) is an epoch time, not a delay."""


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip().split(",")[0].split(";")[0])
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


def parse_rate_limit(
    headers: Mapping[str, str], *, now: float | None = None
) -> RateLimitInfo | None:
    """Read `RateLimit-*` and `X-RateLimit-*[-<Window>]` headers; None when there are none.

    CircleCI may send both families with different limits and enforces the lower, so the
    window with the fewest remaining calls wins. A reset above `EPOCH_THRESHOLD` is read as
    a Unix time and turned into seconds from `now` (default: `time.time()`), never negative.
    """
    windows: dict[str, dict[str, float]] = {}
    for key, value in headers.items():
        if key[:1] not in "rRxX":
            continue
        key = key.lower()
        for family in ("ratelimit-", "x-ratelimit-"):
            if not key.startswith(family):
                continue
            rest = key[len(family) :]
            field, _, window = rest.partition("-")
            number = _number(value)
            if field in ("limit", "remaining", "reset") and number is not None:
                windows.setdefault(family + window, {})[field] = number
    if not windows:
        return None

    def tightness(window: dict[str, float]) -> tuple[float, float]:
        return (window.get("remaining", math.inf), -window.get("reset", 0.0))

    best = min(windows.values(), key=tightness)
    limit = best.get("limit")
    remaining = best.get("remaining")
    reset = best.get("reset")
    if reset is not None and reset > EPOCH_THRESHOLD:
        reset = max(0.0, reset - (time.time() if now is None else now))
    return RateLimitInfo(
        limit=int(limit) if limit is not None else None,
        remaining=int(remaining) if remaining is not None else None,
        reset=reset,
    )


INSPECTED_LIMIT = 64 * 1024
"""At most this many bytes of an error body are read for its message."""


def error_message(body: bytes, content_type: str | None, *, reason: str = "") -> str:
    """The human message of an error body: JSON `message`, JSON `error`, HTML title or text.

    Only the first `INSPECTED_LIMIT` bytes are looked at, and the work is linear in them.
    """
    text = body[:INSPECTED_LIMIT].decode("utf-8", errors="replace").strip()
    kind = (content_type or "").lower()
    if text[:1] in ("{", "[") or "json" in kind:
        try:
            data = jsoncodec.loads(text)
        except ValueError:
            # Not JSON, or nested past the bound: the text itself is the message.
            data = None
        if isinstance(data, dict):
            for key in ("message", "error"):
                value = data.get(key)
                if isinstance(value, str) and value.strip():
                    return _clip(value.strip())
    if "html" in kind or text[:1] == "<":
        title = _html_title(text)
        if title:
            return _clip(title)
        text = html.unescape(_strip_tags(_drop_elements(text, ("script", "style"))))
    text = " ".join(text.split())
    if not text:
        return reason or "(empty response body)"
    return _clip(text)


def _html_title(text: str) -> str:
    """The text of the first `<title>` element, or ""; one pass of `str.find`."""
    lower = text.lower()
    start = lower.find("<title")
    while start >= 0:
        after = lower[start + 6 : start + 7]
        if after in (">", " ", "\t", "\n", "\r", "/"):
            break
        start = lower.find("<title", start + 6)
    if start < 0:
        return ""
    opened = lower.find(">", start)
    closed = lower.find("</title", opened + 1) if opened >= 0 else -1
    if closed < 0:
        return ""
    inner = _strip_tags(text[opened + 1 : closed])
    return html.unescape(" ".join(inner.split()))


def _drop_elements(text: str, names: tuple[str, ...]) -> str:
    """`text` without the named elements and their content (`<script>...</script>`)."""
    lower = text.lower()
    kept: list[str] = []
    position = 0
    upcoming = {name: lower.find("<" + name) for name in names}
    while True:
        hits = [(index, name) for name, index in upcoming.items() if index >= 0]
        if not hits:
            break
        index, name = min(hits)
        kept.append(text[position:index])
        end = lower.find("</" + name, index)
        close = lower.find(">", end) if end >= 0 else -1
        position = len(text) if close < 0 else close + 1
        for other, at in upcoming.items():
            if 0 <= at < position:
                upcoming[other] = lower.find("<" + other, position)
    kept.append(text[position:])
    return " ".join(kept)


def _strip_tags(text: str) -> str:
    """`text` with every `<...>` replaced by a space; an unclosed `<` ends the text."""
    kept: list[str] = []
    position = 0
    while True:
        opened = text.find("<", position)
        if opened < 0:
            kept.append(text[position:])
            break
        kept.append(text[position:opened])
        closed = text.find(">", opened + 1)
        if closed < 0:
            break
        position = closed + 1
    return " ".join(kept)


def redact_secret(text: str, secret: str) -> str:
    """`text` with every occurrence of `secret` (a token the server echoed) as `***`."""
    if secret and secret in text:
        return text.replace(secret, "***")
    return text


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


class Failure(Enum):
    """What went wrong with one attempt, as far as retrying is concerned."""

    RATE_LIMITED = "rate_limited"
    """429: the server did not act on the request."""
    SERVER_ERROR = "server_error"
    """5xx: the server may have acted on the request."""
    CONNECT = "connect"
    """The connection failed before the request was sent."""
    AFTER_SEND = "after_send"
    """Timeout or disconnect once the request may have reached the server."""


_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


def should_retry(method: str, failure: Failure, *, idempotent: bool | None = None) -> bool:
    """Whether a failed attempt may be sent again.

    A 429 or a connection that never opened is always safe to retry: the server did not act.
    Other failures (5xx, timeouts, disconnects after sending) are retried only for idempotent
    requests: GET, HEAD, OPTIONS, PUT and DELETE unless `idempotent` says otherwise for a call.
    """
    if failure in (Failure.RATE_LIMITED, Failure.CONNECT):
        return True
    if idempotent is None:
        idempotent = method.upper() in _IDEMPOTENT
    return idempotent


_SECRET_QUERY = frozenset(
    {
        "circle-token",
        "circle_token",
        "token",
        "access_token",
        "signature",
        "sig",
        "x-amz-signature",
        "x-amz-security-token",
        "x-amz-credential",
        "x-goog-signature",
        "x-goog-credential",
    }
)


def redact_url(url: str) -> str:
    """The URL without user info and with token-like query values replaced by `***`."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(unparseable url)"
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = parts.query
    if query:
        pieces = []
        for piece in query.split("&"):
            key, sep, _ = piece.partition("=")
            if sep and key.lower() in _SECRET_QUERY:
                pieces.append(f"{key}=***")
            else:
                pieces.append(piece)
        query = "&".join(pieces)
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
