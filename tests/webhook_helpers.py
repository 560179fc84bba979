"""Helpers of the webhook tests: serving an aiohttp app on loopback, posting signed bodies."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from circleci_async.webhooks import sign

SECRET = "hook-secret-1234"


@asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[str]:
    """Serve `app` on 127.0.0.1 (a free port); yield its base URL, clean up after."""
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def payload(event_id: str = "e-1", kind: str = "workflow-completed", **extra: Any) -> bytes:
    """A small webhook body."""
    body: dict[str, Any] = {"id": event_id, "type": kind, "workflow": {"id": "w-1"}, **extra}
    return json.dumps(body).encode()


def headers(
    body: bytes, *, secret: str | None = SECRET, kind: str = "workflow-completed"
) -> dict[str, str]:
    """CircleCI's headers for `body`, signed with `secret` (None: unsigned)."""
    sent = {
        "content-type": "application/json",
        "user-agent": "CircleCI-Webhook/1.0",
        "circleci-event-type": kind,
    }
    if secret is not None:
        sent["circleci-signature"] = sign(body, secret)
    return sent


async def post(
    http: aiohttp.ClientSession, url: str, body: bytes, sent: Mapping[str, str]
) -> tuple[int, str, Mapping[str, str]]:
    """POST `body` to `url`; its status, text and headers."""
    async with http.post(url, data=body, headers=dict(sent)) as response:
        return response.status, await response.text(), response.headers


async def raw_connection(url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A plain TCP connection to the host and port of `url`, for half-written requests."""
    where = urlsplit(url)
    assert where.hostname is not None
    assert where.port is not None
    return await asyncio.open_connection(where.hostname, where.port)


def request_head(path: str, length: int, *, signature: str = "v1=" + "0" * 64) -> bytes:
    """A POST's request line and headers, for a body of `length` bytes."""
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"circleci-signature: {signature}\r\nContent-Length: {length}\r\n\r\n"
    ).encode()


async def closed_within(reader: asyncio.StreamReader, seconds: float) -> bool:
    """Whether the server closes the connection within `seconds` (what it sent is dropped)."""
    try:
        async with asyncio.timeout(seconds):
            while await reader.read(65536):
                pass
    except TimeoutError:
        return False
    except ConnectionError:
        return True
    return True


def peak_rss_kib(pid: int) -> int:
    """The peak resident set size of process `pid` (Linux `VmHWM`), in KiB."""
    return _status_field(pid, "VmHWM")


def rss_kib(pid: int) -> int:
    """The resident set size of process `pid` now (Linux `VmRSS`), in KiB."""
    return _status_field(pid, "VmRSS")


def _status_field(pid: int, name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key == name:
            return int(value.split()[0])
    raise AssertionError(f"no {name} in /proc/{pid}/status")


def open_descriptors(pid: int) -> int:
    """How many file descriptors process `pid` has open (Linux)."""
    return len(os.listdir(f"/proc/{pid}/fd"))


async def until(check: Callable[[], bool], what: str, seconds: float = 10.0) -> None:
    """Let the loop run until `check()` holds; fail naming `what` after `seconds` (a deadline)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not check():
        if loop.time() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        await asyncio.sleep(0.001)


async def dribble(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, every: float, seconds: float
) -> None:
    """Send a header byte each `every` seconds (the attack's pace) until the server hangs up;
    `ConnectionError` then, `AssertionError` if it is still open after `seconds`."""
    for _ in range(int(seconds / every)):
        writer.write(b"X")
        await writer.drain()
        await asyncio.sleep(every)
        if reader.at_eof() or reader.exception() is not None:
            raise ConnectionResetError("closed by the server")
    raise AssertionError(f"still open after {seconds} s of dribbled headers")
