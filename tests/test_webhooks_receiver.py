"""The aiohttp receiver over real loopback HTTP: each delivery's answer and what user code sees."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web

from circleci_async import InvalidArgumentError
from circleci_async.webhooks import (
    Event,
    Refusal,
    UnknownEvent,
    WebhookReceiver,
    WorkflowCompleted,
    receiver,
    sign,
)

from .webhook_helpers import SECRET, headers, payload, post, serving


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Served:
    """A receiver mounted on an app served on loopback, with what it refused."""

    def __init__(self, hook: WebhookReceiver, url: str, http: aiohttp.ClientSession) -> None:
        self.hook = hook
        self.url = url
        self.http = http
        self.refused: list[Refusal] = []

    async def send(self, body: bytes, sent: dict[str, str] | None = None) -> tuple[int, str]:
        sent = headers(body) if sent is None else sent
        status, text, _ = await post(self.http, self.url, body, sent)
        return status, text


Serve = Callable[..., Any]


@pytest_asyncio.fixture
async def serve() -> AsyncIterator[Serve]:
    """Build a receiver with options, mount it at /hooks/circleci, serve it; a `Served`."""
    async with aiohttp.ClientSession() as http:
        stack: list[Any] = []

        async def make(**options: Any) -> Served:
            options.setdefault("secret", SECRET)
            refused: list[Refusal] = []
            hook = receiver(path="/hooks/circleci", on_refused=refused.append, **options)
            app = web.Application()
            hook.add_to(app)
            context = serving(app)
            base = await context.__aenter__()
            stack.append(context)
            served = Served(hook, base + "/hooks/circleci", http)
            served.refused = refused
            return served

        yield make
        for context in reversed(stack):
            await context.__aexit__(None, None, None)


async def test_a_signed_delivery_is_answered_202_and_iterated(serve: Serve) -> None:
    served: Served = await serve()
    assert await served.send(payload("e-1")) == (202, "accepted")
    event = await anext(served.hook)
    assert isinstance(event, WorkflowCompleted)
    assert (event.id, event.workflow.id) == ("e-1", "w-1")
    assert served.hook.stats.accepted == 1
    assert served.refused == []


TAMPERED = payload("e-1").replace(b"w-1", b"w-2")


@pytest.mark.parametrize(
    ("case", "body", "sent", "words"),
    [
        ("tampered body", TAMPERED, headers(payload("e-1")), "does not match"),
        ("wrong secret", payload(), headers(payload(), secret="other-secret"), "does not match"),
        ("v2= only", payload(), {"circleci-signature": "v2=" + "a" * 64}, "no v1 signature"),
        ("no header", payload(), headers(payload(), secret=None), "no circleci-signature"),
        ("empty header", payload(), {"circleci-signature": ""}, "empty circleci-signature"),
        ("malformed header", payload(), {"circleci-signature": "v1=zz"}, "64 hex digits"),
        ("garbage header", payload(), {"circleci-signature": "abc"}, "not version=value"),
    ],
)
async def test_a_badly_signed_delivery_is_answered_401_and_never_reaches_user_code(
    serve: Serve, case: str, body: bytes, sent: dict[str, str], words: str
) -> None:
    served: Served = await serve()
    status, text = await served.send(body, sent)
    assert status == 401, case
    assert words in text
    assert [r.status for r in served.refused] == [401]
    assert words in served.refused[0].reason
    assert served.refused[0].remote == "127.0.0.1"
    assert served.hook.pending == 0
    assert served.hook.stats.accepted == 0
    assert SECRET not in text


async def test_a_body_that_is_not_json_is_answered_400(serve: Serve) -> None:
    served: Served = await serve()
    for body, words in ((b"{not json", "not JSON"), (b"[1]", "not an object"), (b"", "empty")):
        status, text = await served.send(body)
        assert (status, words in text) == (400, True)
    assert [r.status for r in served.refused] == [400, 400, 400]
    assert served.hook.pending == 0


async def test_an_oversized_body_is_answered_413_before_it_is_read_whole(serve: Serve) -> None:
    served: Served = await serve(max_body_size=1000)
    big = payload("e-big", padding="x" * 2000)
    assert (await served.send(big))[0] == 413

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(50):
            yield b"x" * 100

    sent = headers(b"whatever")
    async with served.http.post(served.url, data=chunks(), headers=sent) as response:
        assert response.status == 413
        assert "larger than 1000 bytes" in await response.text()
    assert [r.status for r in served.refused] == [413, 413]
    assert (await served.send(payload("e-small")))[0] == 202


async def test_an_unknown_event_type_is_accepted_and_handed_on_raw(serve: Serve) -> None:
    served: Served = await serve()
    body = payload("e-9", kind="deploy-exploded", blast=3)
    assert (await served.send(body, headers(body, kind="deploy-exploded")))[0] == 202
    event = await anext(served.hook)
    assert isinstance(event, UnknownEvent)
    assert event.type == "deploy-exploded"
    assert event.raw["blast"] == 3


async def test_a_repeated_delivery_is_answered_200_and_seen_once_within_the_window(
    serve: Serve,
) -> None:
    clock = Clock()
    served: Served = await serve(dedupe_seconds=60.0, clock=clock)
    assert (await served.send(payload("e-1")))[0] == 202
    assert await served.send(payload("e-1")) == (200, "duplicate")
    clock.now += 59
    assert (await served.send(payload("e-1")))[0] == 200
    assert served.hook.pending == 1
    assert served.hook.stats.duplicates == 2
    clock.now += 1
    assert (await served.send(payload("e-1")))[0] == 202
    assert served.hook.pending == 2


async def test_an_event_without_an_id_cannot_be_deduplicated_and_is_handed_on_each_time(
    serve: Serve,
) -> None:
    served: Served = await serve()
    body = b'{"type": "workflow-completed", "workflow": {"id": "w-1"}}'
    assert (await served.send(body))[0] == 202
    assert (await served.send(body))[0] == 202
    assert [e.id async for e in _take(served.hook, 2)] == [None, None]


async def test_the_window_is_bounded_in_size(serve: Serve) -> None:
    served: Served = await serve(dedupe_size=2)
    for name in ("a", "b", "c", "a"):
        assert (await served.send(payload(name)))[0] == 202
    assert (await served.send(payload("c")))[0] == 200


async def test_a_full_queue_answers_503_at_once_and_the_retry_is_accepted_later(
    serve: Serve,
) -> None:
    served: Served = await serve(max_pending=2, retry_after=7)
    for name in ("a", "b"):
        assert (await served.send(payload(name)))[0] == 202
    body = payload("c")
    status, text, answered = await post(served.http, served.url, body, headers(body))
    assert (status, answered["Retry-After"]) == (503, "7")
    assert "busy" in text
    assert served.hook.stats.busy == 1
    assert [e.id async for e in _take(served.hook, 2)] == ["a", "b"]
    assert (await served.send(body))[0] == 202, "a refused id must not count as seen"
    assert (await anext(served.hook)).id == "c"


async def _take(hook: WebhookReceiver, count: int) -> AsyncIterator[Event]:
    for _ in range(count):
        yield await anext(hook)


async def test_an_unsigned_receiver_must_be_asked_for_and_accepts_unsigned_deliveries(
    serve: Serve,
) -> None:
    with pytest.raises(TypeError):
        WebhookReceiver()  # type: ignore[call-arg]
    with pytest.raises(InvalidArgumentError, match="secret=None"):
        WebhookReceiver(secret="")
    served: Served = await serve(secret=None)
    assert not served.hook.verifies
    body = payload("e-1")
    assert (await served.send(body, headers(body, secret=None)))[0] == 202
    assert (await served.send(payload("e-2"), {"circleci-signature": "v1=junk"}))[0] == 202


async def test_the_answer_comes_before_the_callback_runs(serve: Serve) -> None:
    release = asyncio.Event()
    seen: list[str | None] = []

    async def on_event(event: Event) -> None:
        await release.wait()
        seen.append(event.id)
        if event.id == "boom":
            raise RuntimeError("user code failed")

    served: Served = await serve(on_event=on_event)
    for name in ("a", "boom", "b"):
        assert (await served.send(payload(name)))[0] == 202
    assert seen == []
    release.set()
    await served.hook.close()
    assert seen == ["a", "boom", "b"]
    assert served.hook.stats.failed_callbacks == 1
    with pytest.raises(RuntimeError, match="on_event"):
        await anext(served.hook)


async def test_a_hung_callback_is_cancelled_when_the_drain_time_is_up(serve: Serve) -> None:
    started = asyncio.Event()

    async def on_event(event: Event) -> None:
        started.set()
        await asyncio.Event().wait()

    served: Served = await serve(on_event=on_event)
    assert (await served.send(payload("a")))[0] == 202
    await started.wait()
    await served.hook.close(drain_seconds=0)
    assert served.hook.pending == 0


async def test_after_close_deliveries_get_503_and_iteration_ends(serve: Serve) -> None:
    served: Served = await serve()
    assert (await served.send(payload("a")))[0] == 202
    await served.hook.close()
    assert (await served.send(payload("b")))[0] == 503
    assert [event.id async for event in served.hook] == ["a"]


async def test_only_post_is_served(serve: Serve) -> None:
    served: Served = await serve()
    async with served.http.get(served.url) as response:
        assert response.status == 405


async def test_a_stalled_body_is_answered_408(serve: Serve) -> None:
    served: Served = await serve(read_timeout=0.05)
    host, port = served.url.split("//")[1].split("/")[0].split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b'POST /hooks/circleci HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"id":')
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), 10)
    writer.close()
    assert status_line.startswith(b"HTTP/1.1 408")
    assert served.refused[0].status == 408


async def test_it_mounts_as_a_sub_application() -> None:
    hook = WebhookReceiver(secret=SECRET, path="/circleci")
    app = web.Application()
    app.router.add_get("/health", _ok)
    app.add_subapp("/hooks", hook.app())
    body = json.dumps({"id": "s-1", "type": "job-completed", "job": {"number": 3}}).encode()
    async with serving(app) as base, aiohttp.ClientSession() as http:
        status, _, _ = await post(http, base + "/hooks/circleci", body, headers(body))
        assert status == 202
        async with http.get(base + "/health") as response:
            assert response.status == 200
    event = await anext(hook)
    assert event.id == "s-1"
    assert [e async for e in hook] == [], "cleaning the app up closes the receiver"


async def _ok(request: web.Request) -> web.Response:
    return web.Response(text="ok")


def test_bad_options_are_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="path"):
        WebhookReceiver(secret=SECRET, path="hooks")
    with pytest.raises(InvalidArgumentError, match="at least 1"):
        WebhookReceiver(secret=SECRET, max_pending=0)
    with pytest.raises(InvalidArgumentError, match="read_timeout"):
        WebhookReceiver(secret=SECRET, read_timeout=0)
    assert "hook-secret" not in repr(WebhookReceiver(secret=SECRET))
    assert sign(b"x", SECRET) not in repr(WebhookReceiver(secret=SECRET))
