"""`GuardedSite`: an aiohttp TCP site whose connections are bounded in number and in header time.

aiohttp's server waits for a request's headers without a deadline of its own (3.10; later
versions close after `keepalive_timeout`, 75 s by default), so a peer that opens a connection
and dribbles headers, or sends half a request and goes quiet, holds a descriptor for as long
as it likes. `GuardedSite` wraps each connection:

- at most `max_connections` are open at once; one more is answered 503 with `Retry-After`
  and closed, without reaching aiohttp;
- each connection must complete the headers of its first request within `header_timeout`
  seconds, or it is closed. Later requests on a kept-alive connection are bounded by the
  runner's `keepalive_timeout`, and what aiohttp buffers per connection by its
  `read_bufsize`: build the `AppRunner` with `runner_options(limits)` for both.

Bodies are bounded by the handler (`WebhookReceiver(read_timeout=..., max_body_size=...)`).

    runner = web.AppRunner(app, **webhooks.runner_options())
    await runner.setup()
    await webhooks.GuardedSite(runner, "0.0.0.0", 8080).start()
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from ssl import SSLContext
from typing import Any

import attrs
from aiohttp import web

from ..errors import InvalidArgumentError

__all__ = ["ConnectionLimits", "GuardedSite", "runner_options"]

_END_OF_HEADERS = b"\r\n\r\n"


def _positive(_instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not value > 0:
        raise InvalidArgumentError(f"{attribute.name} must be positive, got {value!r}")


@attrs.frozen(kw_only=True)
class ConnectionLimits:
    """How many connections a `GuardedSite` holds at once, and how long headers may take."""

    max_connections: int = attrs.field(default=128, validator=_positive)
    """Open connections at most; one more is answered 503 and closed."""
    header_timeout: float = attrs.field(default=10.0, validator=_positive)
    """Seconds from the connection's opening to the end of its first request's headers."""
    read_bufsize: int = attrs.field(default=16 * 1024, validator=_positive)
    """Bytes aiohttp buffers per connection before it stops reading (its default is 64 KiB)."""
    retry_after: int = 30
    """The `Retry-After` of the 503 sent over `max_connections`."""


def runner_options(limits: ConnectionLimits | None = None) -> dict[str, Any]:
    """`AppRunner` keyword arguments for `limits`.

    Kept-alive connections wait for their next request's headers no longer than
    `header_timeout`, and aiohttp buffers `read_bufsize` bytes per connection.
    """
    limits = ConnectionLimits() if limits is None else limits
    return {"keepalive_timeout": limits.header_timeout, "read_bufsize": limits.read_bufsize}


class _Guard:
    """Makes the protocol of each connection, and counts the open ones."""

    def __init__(self, factory: Callable[[], asyncio.Protocol], limits: ConnectionLimits) -> None:
        self.factory = factory
        self.limits = limits
        self.open = 0
        self.refused = 0

    def __call__(self) -> asyncio.Protocol:
        return _GuardedConnection(self)

    def busy_answer(self) -> bytes:
        text = b"busy: too many open connections"
        return (
            b"HTTP/1.1 503 Service Unavailable\r\n"
            b"Content-Type: text/plain; charset=utf-8\r\n"
            b"Retry-After: %d\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s"
            % (self.limits.retry_after, len(text), text)
        )


class _GuardedConnection(asyncio.Protocol):
    """One connection: refused over the cap, else aiohttp's protocol under a header deadline."""

    def __init__(self, guard: _Guard) -> None:
        self._guard = guard
        self._inner: asyncio.Protocol | None = None
        self._transport: asyncio.Transport | None = None
        self._deadline: asyncio.TimerHandle | None = None
        self._tail = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        guard = self._guard
        if guard.open >= guard.limits.max_connections:
            guard.refused += 1
            transport.write(guard.busy_answer())
            transport.close()
            return
        guard.open += 1
        self._transport = transport
        self._deadline = asyncio.get_running_loop().call_later(
            guard.limits.header_timeout, transport.abort
        )
        self._inner = guard.factory()
        self._inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self._inner is None:
            return
        if self._deadline is not None:
            seen = self._tail + data
            if _END_OF_HEADERS in seen:
                self._deadline.cancel()
                self._deadline = None
                self._tail = b""
            else:
                self._tail = seen[-(len(_END_OF_HEADERS) - 1) :]
        self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return None if self._inner is None else self._inner.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        if self._inner is None:
            return
        inner, self._inner = self._inner, None
        self._guard.open -= 1
        inner.connection_lost(exc)

    def pause_writing(self) -> None:
        if self._inner is not None:
            self._inner.pause_writing()

    def resume_writing(self) -> None:
        if self._inner is not None:
            self._inner.resume_writing()


class GuardedSite(web.BaseSite):
    """A TCP site like `web.TCPSite(runner, host, port)`, its connections under `limits`."""

    def __init__(
        self,
        runner: web.BaseRunner,
        host: str,
        port: int,
        *,
        limits: ConnectionLimits | None = None,
        ssl_context: SSLContext | None = None,
        backlog: int = 128,
    ) -> None:
        super().__init__(runner, ssl_context=ssl_context, backlog=backlog)
        self.host = host
        self.port = port
        self.limits = ConnectionLimits() if limits is None else limits
        self._guard: _Guard | None = None

    @property
    def name(self) -> str:
        """The site's URL, as aiohttp names sites."""
        scheme = "https" if self._ssl_context else "http"
        return f"{scheme}://{self.host}:{self.port}"

    @property
    def open_connections(self) -> int:
        """Connections open now (admitted ones)."""
        return 0 if self._guard is None else self._guard.open

    @property
    def refused_connections(self) -> int:
        """Connections answered 503 because `max_connections` were open."""
        return 0 if self._guard is None else self._guard.refused

    async def start(self) -> None:
        """Listen on `host` and `port`."""
        await super().start()
        server = self._runner.server
        assert server is not None
        self._guard = _Guard(server, self.limits)
        self._server = await asyncio.get_running_loop().create_server(
            self._guard, self.host, self.port, ssl=self._ssl_context, backlog=self._backlog
        )
