"""Helpers of the webhook tests: serving an aiohttp app on loopback, posting signed bodies."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

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
