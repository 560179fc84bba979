"""The receiver against hostile peers and hostile callbacks, over real loopback HTTP.

Callbacks that raise, cancel themselves or hang; bodies that pile up unverified; connections
that never finish their headers; hooks that fail; replays; the secret in what can be seen.
"""

from __future__ import annotations

import asyncio
import json
import pickle
import traceback
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web

from circleci_async import InvalidArgumentError
from circleci_async.cli import build_parser
from circleci_async.cli.webhooks import _secret as listen_secret
from circleci_async.secret import Secret
from circleci_async.webhooks import (
    ConnectionLimits,
    Event,
    GuardedSite,
    Refusal,
    SignatureMismatchError,
    SigningKey,
    WebhookReceiver,
    digest,
    runner_options,
    sign,
    verify,
)

from .webhook_helpers import (
    SECRET,
    closed_within,
    dribble,
    headers,
    payload,
    post,
    raw_connection,
    request_head,
    until,
)

DEADLINE = 10.0
"""Seconds an awaited outcome may take (a deadline, not a wait)."""
PATH = "/hooks/circleci"
HAPPENED = "2026-01-01T10:00:00Z"
HAPPENED_UNIX = 1767261600.0


class Served:
    """A receiver on a `GuardedSite` on loopback: its URL, the site, and an HTTP session."""

    def __init__(
        self, hook: WebhookReceiver, site: GuardedSite, url: str, http: aiohttp.ClientSession
    ) -> None:
        self.hook = hook
        self.site = site
        self.url = url
        self.http = http

    async def send(self, body: bytes, sent: dict[str, str] | None = None) -> tuple[int, str]:
        status, text, _ = await post(
            self.http, self.url, body, headers(body) if sent is None else sent
        )
        return status, text


Serve = Callable[..., Any]


@pytest_asyncio.fixture
async def serve() -> AsyncIterator[Serve]:
    """Build a receiver (options) on a `GuardedSite` (`limits=`), serve it; a `Served`."""
    runners: list[web.AppRunner] = []
    async with aiohttp.ClientSession() as http:

        async def make(limits: ConnectionLimits | None = None, **options: Any) -> Served:
            options.setdefault("secret", SECRET)
            hook = WebhookReceiver(path=PATH, **options)
            app = web.Application()
            hook.add_to(app)
            runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5,
                                   **runner_options(limits))  # fmt: skip
            await runner.setup()
            runners.append(runner)
            site = GuardedSite(runner, "127.0.0.1", 0, limits=limits)
            await site.start()
            url = f"http://127.0.0.1:{runner.addresses[0][1]}{PATH}"
            return Served(hook, site, url, http)

        yield make
        for runner in runners:
            await runner.cleanup()


class Seen:
    """What a callback saw; `wait(n)` until `n` events have come."""

    def __init__(self) -> None:
        self.ids: list[str | None] = []
        self._changed = asyncio.Event()

    def add(self, event: Event) -> None:
        self.ids.append(event.id)
        self._changed.set()

    async def wait(self, count: int) -> None:
        async with asyncio.timeout(DEADLINE):
            while len(self.ids) < count:
                self._changed.clear()
                await self._changed.wait()


async def _cancel_self() -> None:
    task = asyncio.current_task()
    assert task is not None
    task.cancel()
    await asyncio.sleep(0)


async def _hang() -> None:
    await asyncio.Event().wait()


async def _raise_cancelled() -> None:
    raise asyncio.CancelledError


async def _raise_error() -> None:
    raise RuntimeError("boom")


# The worker survives any callback -----------------------------------------------------------


@pytest.mark.parametrize(
    "misbehave",
    [_raise_cancelled, _cancel_self, _hang, _raise_error],
    ids=["raises-CancelledError", "cancels-itself", "hangs", "raises-RuntimeError"],
)
async def test_the_worker_survives_any_callback_outcome_and_close_is_clean(
    serve: Serve, misbehave: Callable[[], Any], caplog: pytest.LogCaptureFixture
) -> None:
    seen = Seen()

    async def on_event(event: Event) -> None:
        if event.id == "bad":
            await misbehave()
        seen.add(event)

    served: Served = await serve(on_event=on_event, max_pending=20, callback_timeout=0.2)
    assert (await served.send(payload("bad")))[0] == 202
    statuses = [(await served.send(payload(f"e-{n}")))[0] for n in range(12)]
    await seen.wait(12)
    assert statuses == [202] * 12
    assert seen.ids == [f"e-{n}" for n in range(12)]
    assert served.hook.stats.failed_callbacks == 1
    assert any("on_event" in record.getMessage() for record in caplog.records)
    await served.hook.close()
    assert (await served.send(payload("late")))[0] == 503


async def test_close_still_cancels_a_callback_that_outlives_the_drain(serve: Serve) -> None:
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def on_event(event: Event) -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        finally:
            cancelled.set()

    served: Served = await serve(on_event=on_event, callback_timeout=None)
    assert (await served.send(payload("a")))[0] == 202
    await asyncio.wait_for(started.wait(), DEADLINE)
    await served.hook.close(drain_seconds=0.05)
    assert cancelled.is_set()


# Unverified bodies are bounded in total ------------------------------------------------------


async def test_unverified_bytes_in_flight_are_bounded_across_requests(serve: Serve) -> None:
    served: Served = await serve(max_body_size=1000, max_unverified_bytes=2000)
    held = []
    for _ in range(2):
        reader, writer = await raw_connection(served.url)
        writer.write(request_head(PATH, 1000) + b'{"id":')
        await writer.drain()
        held.append((reader, writer))
    await until(lambda: served.hook.unverified_bytes == 2000, "both bodies reserved")

    body = payload("over").ljust(1000)
    status, text, answer = await post(served.http, served.url, body, headers(body))
    assert (status, answer["Retry-After"]) == (503, "30")
    assert "2000 bytes of unverified bodies" in text

    reader, writer = held[0]
    writer.write(b"x" * (1000 - 6))
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), DEADLINE)
    assert status_line.startswith(b"HTTP/1.1 401")
    await until(lambda: served.hook.unverified_bytes == 1000, "the verified body released")
    assert (await served.send(body))[0] == 202
    for _, writer in held:
        writer.close()


async def test_a_chunked_body_is_counted_as_it_arrives(serve: Serve) -> None:
    served: Served = await serve(max_body_size=1000, max_unverified_bytes=1000)
    reader, writer = await raw_connection(served.url)
    writer.write(request_head(PATH, 900) + b"x" * 900)
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), DEADLINE)
    assert status_line.startswith(b"HTTP/1.1 401")
    writer.close()

    _, held = await raw_connection(served.url)
    held.write(request_head(PATH, 600) + b"x" * 599)
    await held.drain()
    await until(lambda: served.hook.unverified_bytes == 600, "the held body reserved")

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b"y" * 100

    async with served.http.post(served.url, data=chunks(), headers=headers(b"")) as response:
        assert response.status == 503
    held.close()


# Connections: header deadline and cap ------------------------------------------------------


async def test_a_half_written_request_is_closed_after_the_header_timeout(serve: Serve) -> None:
    served: Served = await serve(ConnectionLimits(header_timeout=0.2))
    reader, writer = await raw_connection(served.url)
    writer.write(b"POST /hooks/circleci HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    await writer.drain()
    assert await closed_within(reader, DEADLINE)
    writer.close()
    assert served.site.open_connections == 0


async def test_dribbled_headers_do_not_keep_a_connection_open(serve: Serve) -> None:
    served: Served = await serve(ConnectionLimits(header_timeout=0.3))
    reader, writer = await raw_connection(served.url)
    loop = asyncio.get_running_loop()
    started = loop.time()
    writer.write(b"POST /hooks/circleci HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    with pytest.raises(ConnectionError):
        await dribble(reader, writer, every=0.05, seconds=DEADLINE)
    assert loop.time() - started < DEADLINE / 2
    writer.close()


async def test_dribbled_headers_of_a_kept_alive_request_are_cut_off_too(serve: Serve) -> None:
    served: Served = await serve(ConnectionLimits(header_timeout=0.3))
    reader, writer = await raw_connection(served.url)
    body = payload("first")
    signed = headers(body)["circleci-signature"]
    writer.write(request_head(PATH, len(body), signature=signed) + body)
    assert (await asyncio.wait_for(reader.readline(), DEADLINE)).startswith(b"HTTP/1.1 202")
    writer.write(b"POST /hooks/circleci HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    with pytest.raises(ConnectionError):
        await dribble(reader, writer, every=0.05, seconds=DEADLINE)
    writer.close()


async def test_connections_over_the_cap_are_answered_503_and_closed(serve: Serve) -> None:
    served: Served = await serve(ConnectionLimits(max_connections=5, header_timeout=DEADLINE))
    idle = [await raw_connection(served.url) for _ in range(5)]
    await until(lambda: served.site.open_connections == 5, "five connections open")
    extra = [await raw_connection(served.url) for _ in range(20)]
    answers = [await asyncio.wait_for(reader.read(), DEADLINE) for reader, _ in extra]
    assert all(answer.startswith(b"HTTP/1.1 503") for answer in answers)
    assert b"Retry-After: 30" in answers[0]
    assert (served.site.open_connections, served.site.refused_connections) == (5, 20)
    for _, writer in idle[:2]:
        writer.close()
    await until(lambda: served.site.open_connections == 3, "two connections closed")
    assert (await served.send(payload("after")))[0] == 202
    for _, writer in [*idle, *extra]:
        writer.close()


async def test_kept_alive_requests_still_work_through_the_guard(serve: Serve) -> None:
    served: Served = await serve(ConnectionLimits(max_connections=2, header_timeout=5.0))
    statuses = [(await served.send(payload(f"k-{n}")))[0] for n in range(10)]
    assert statuses == [202] * 10
    assert served.site.refused_connections == 0


def test_bad_connection_limits_are_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="max_connections"):
        ConnectionLimits(max_connections=0)
    with pytest.raises(InvalidArgumentError, match="header_timeout"):
        ConnectionLimits(header_timeout=0)


# on_refused never changes the answer ---------------------------------------------------------


async def test_an_on_refused_hook_that_raises_does_not_change_the_401(serve: Serve) -> None:
    def on_refused(refusal: Refusal) -> None:
        raise RuntimeError("the hook broke")

    served: Served = await serve(on_refused=on_refused)
    body = payload()
    assert (await served.send(body, headers(body, secret="wrong")))[0] == 401
    assert served.hook.stats.failed_hooks == 1


async def test_an_async_on_refused_hook_is_awaited(serve: Serve) -> None:
    refused: list[Refusal] = []

    async def on_refused(refusal: Refusal) -> None:
        await asyncio.sleep(0)
        refused.append(refusal)

    served: Served = await serve(on_refused=on_refused)
    body = payload()
    assert (await served.send(body, headers(body, secret="wrong")))[0] == 401
    assert [refusal.status for refusal in refused] == [401]


@pytest.mark.parametrize("outcome", [_hang, _raise_error, _raise_cancelled])
async def test_an_async_on_refused_hook_is_bounded_and_cannot_change_the_answer(
    serve: Serve, outcome: Callable[[], Any]
) -> None:
    async def on_refused(refusal: Refusal) -> None:
        await outcome()

    served: Served = await serve(on_refused=on_refused, hook_timeout=0.1)
    body = payload()
    assert (await served.send(body, headers(body, secret="wrong")))[0] == 401
    assert (await served.send(b"[]", headers(b"[]")))[0] == 400
    assert served.hook.stats.failed_hooks == 2


# Replays -------------------------------------------------------------------------------------


class Clocks:
    """A monotonic clock and a wall clock (Unix seconds), moved on together."""

    def __init__(self, wall: float) -> None:
        self.mono = 100.0
        self.wall = wall

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.wall += seconds


def _timed(event_id: str, happened_at: str | None = HAPPENED) -> bytes:
    extra = {} if happened_at is None else {"happened_at": happened_at}
    return payload(event_id, **extra)


async def test_a_replay_61_minutes_later_is_refused_by_age(serve: Serve) -> None:
    clocks = Clocks(HAPPENED_UNIX + 2)
    served: Served = await serve(
        max_event_age=3600, clock=lambda: clocks.mono, wall_clock=lambda: clocks.wall
    )
    body = _timed("r-1")
    assert (await served.send(body))[0] == 202
    clocks.advance(61 * 60)
    status, text = await served.send(body)
    assert status == 422
    assert "happened 3662 s ago, more than max_event_age (3600 s)" in text


async def test_a_replay_after_more_ids_than_are_kept_is_refused(serve: Serve) -> None:
    clocks = Clocks(HAPPENED_UNIX + 2)
    served: Served = await serve(
        max_event_age=3600, dedupe_size=10,
        clock=lambda: clocks.mono, wall_clock=lambda: clocks.wall,
    )  # fmt: skip
    first = _timed("r-0")
    assert (await served.send(first))[0] == 202
    for n in range(1, 12):
        assert (await served.send(_timed(f"r-{n}", f"2026-01-01T10:00:{n:02}Z")))[0] == 202
    status, text = await served.send(first)
    assert status == 422
    assert "cannot be told from a repeat" in text
    assert (await served.send(_timed("r-new", "2026-01-01T10:00:30Z")))[0] == 202
    assert (await served.send(_timed("r-11", "2026-01-01T10:00:11Z")))[0] == 200


async def test_without_a_time_the_age_cannot_be_checked(serve: Serve) -> None:
    served: Served = await serve(max_event_age=60, wall_clock=lambda: HAPPENED_UNIX)
    status, text = await served.send(_timed("t-1", None))
    assert (status, text) == (422, "no happened_at: the event's age cannot be checked")
    assert (await served.send(_timed("t-2")))[0] == 202


async def test_without_max_event_age_old_events_are_accepted(serve: Serve) -> None:
    served: Served = await serve(wall_clock=lambda: HAPPENED_UNIX + 86400)
    assert (await served.send(_timed("o-1")))[0] == 202


def test_bad_receiver_options_are_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="max_event_age"):
        WebhookReceiver(secret=SECRET, max_event_age=0)
    with pytest.raises(InvalidArgumentError, match="max_unverified_bytes"):
        WebhookReceiver(secret=SECRET, max_body_size=100, max_unverified_bytes=99)


# The secret stays hidden ---------------------------------------------------------------------


def test_the_secret_is_not_in_vars_or_repr_of_the_receiver() -> None:
    for given in (SECRET, SECRET.encode(), Secret(SECRET), SigningKey(SECRET)):
        hook = WebhookReceiver(secret=given)
        shown = repr(vars(hook)) + repr(hook) + str(vars(hook))
        assert SECRET not in shown
        assert "SigningKey('***')" in shown
    with pytest.raises(TypeError):
        pickle.dumps(SigningKey(SECRET))


@pytest.mark.parametrize("given", ["str", "key"])
def test_a_failed_verify_leaves_no_secret_and_no_expected_signature_in_its_locals(
    given: str,
) -> None:
    body = payload()
    secret: object = SECRET if given == "str" else SigningKey(SECRET)
    with pytest.raises(SignatureMismatchError) as caught:
        verify(body, sign(body, "wrong"), secret)  # type: ignore[arg-type]
    shown = "".join(
        traceback.TracebackException.from_exception(caught.value, capture_locals=True).format()
    )
    assert digest(body, SECRET) not in shown
    frames = traceback.walk_tb(caught.value.__traceback__)
    verify_locals = next(f.f_locals for f, _ in frames if f.f_code.co_name == "verify")
    assert "expected" not in verify_locals
    if given == "key":
        assert SECRET not in shown


def test_a_signing_key_signs_like_its_secret() -> None:
    body = json.dumps({"id": "k"}).encode()
    assert sign(body, SigningKey(SECRET)) == sign(body, SECRET) == sign(body, Secret(SECRET))
    assert SigningKey(SECRET) == SigningKey(SECRET.encode())
    with pytest.raises(InvalidArgumentError, match="empty"):
        SigningKey(b"")


def test_webhooks_listen_keeps_only_a_masked_key_of_its_secret() -> None:
    args = build_parser().parse_args(["webhooks", "listen", "--port", "0", "--secret", SECRET])
    key = listen_secret(args)
    assert key == SigningKey(SECRET)
    assert SECRET not in repr(vars(args)) + repr(key)
