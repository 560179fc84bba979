"""`Reply`: a response the fake is about to send, and the one function that sends it."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any, Protocol

import attrs
from aiohttp import web

__all__ = ["JSON_TYPE", "Chunked", "Reply", "send"]

JSON_TYPE = "application/json; charset=utf-8"


class Chunked(Protocol):
    """A streamed body: its length, and its bytes in pieces (`BlobSlice`, generated logs)."""

    @property
    def length(self) -> int:
        """Number of bytes."""
        ...

    def chunks(self) -> Iterator[bytes]:
        """The bytes in pieces."""
        ...


@attrs.frozen
class _Clipped:
    body: bytes | Chunked
    length: int

    def chunks(self) -> Iterator[bytes]:
        left = self.length
        pieces = [self.body] if isinstance(self.body, bytes) else self.body.chunks()
        for piece in pieces:
            if left <= 0:
                return
            yield piece[:left]
            left -= len(piece[:left])


@attrs.frozen
class Reply:
    """Status, headers and body of one response; `body_json` is the object a JSON body encodes."""

    status: int
    headers: Mapping[str, str] = attrs.field(factory=dict)
    body: bytes | Chunked = b""
    body_json: Any = None

    @classmethod
    def json(cls, status: int, payload: Any, headers: Mapping[str, str] | None = None) -> Reply:
        """A JSON response."""
        encoded = json.dumps(payload, separators=(",", ":")).encode()
        return cls(status, {"Content-Type": JSON_TYPE, **(headers or {})}, encoded, payload)

    @classmethod
    def message(cls, status: int, message: str) -> Reply:
        """CircleCI's usual error shape: `{"message": ...}`."""
        return cls.json(status, {"message": message})

    @property
    def length(self) -> int:
        """Length of the body in bytes."""
        return len(self.body) if isinstance(self.body, bytes) else self.body.length

    def chunks(self) -> Iterator[bytes]:
        """The body in pieces."""
        if isinstance(self.body, bytes):
            if self.body:
                yield self.body
        else:
            yield from self.body.chunks()

    def clipped(self, length: int) -> Reply:
        """A copy whose body is only its first `length` bytes, sent as a whole answer."""
        if length >= self.length:
            return self
        return attrs.evolve(self, body=_Clipped(self.body, max(length, 0)), body_json=None)

    def with_headers(self, extra: Mapping[str, str]) -> Reply:
        """A copy with `extra` headers added (existing ones win)."""
        if not extra:
            return self
        return attrs.evolve(self, headers={**extra, **self.headers})


async def send(
    request: web.BaseRequest,
    reply: Reply,
    *,
    cut_after: int | None = None,
    stall_after: int | None = None,
    stall: Callable[[], Awaitable[object]] | None = None,
) -> web.StreamResponse:
    """Write `reply` with its full `Content-Length`.

    With `cut_after`, only that many body bytes are written before the connection is closed,
    so the client sees a truncated body. With `stall_after`, `stall()` is awaited once that
    many body bytes are out (a body that stops arriving), then the rest is written.
    """
    response = web.StreamResponse(status=reply.status, headers=reply.headers)
    response.content_length = reply.length
    await response.prepare(request)
    if request.method == "HEAD":
        await response.write_eof()
        return response
    written = 0
    for chunk in _split(reply.chunks(), stall_after):
        if stall is not None and stall_after is not None and written == stall_after:
            await stall()
            stall = None
        if cut_after is not None and written + len(chunk) >= cut_after:
            await response.write(chunk[: cut_after - written])
            if request.transport is not None:
                request.transport.close()
            return response
        await response.write(chunk)
        written += len(chunk)
    if cut_after is not None and request.transport is not None:
        request.transport.close()
        return response
    await response.write_eof()
    return response


def _split(chunks: Iterator[bytes], at: int | None) -> Iterator[bytes]:
    """The same bytes, with a piece boundary at offset `at`."""
    offset = 0
    for chunk in chunks:
        if at is not None and offset < at < offset + len(chunk):
            yield chunk[: at - offset]
            yield chunk[at - offset :]
        else:
            yield chunk
        offset += len(chunk)
