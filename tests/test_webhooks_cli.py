"""`circleci-async webhooks listen` as a subprocess: events on stdout, refusals on stderr."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import sys
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio

from circleci_async import CircleCI
from circleci_async.cli.webhooks import event_line
from circleci_async.models import PipelineCreation
from circleci_async.webhooks import parse

from .cli_helpers import run
from .conftest import FakeFactory
from .webhook_helpers import (
    SECRET,
    dribble,
    headers,
    open_descriptors,
    payload,
    post,
    raw_connection,
)

pytestmark = pytest.mark.slow

DEADLINE = 30.0
"""Seconds a line may take to come (a deadline, not a wait)."""


class Listener:
    """A running `webhooks listen` process."""

    def __init__(self, process: asyncio.subprocess.Process, url: str) -> None:
        self.process = process
        self.url = url

    async def out_line(self) -> str:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), DEADLINE)
        return line.decode().rstrip("\n")

    async def err_line(self) -> str:
        assert self.process.stderr is not None
        line = await asyncio.wait_for(self.process.stderr.readline(), DEADLINE)
        return line.decode().rstrip("\n")

    async def stop(self) -> tuple[int, str, str]:
        self.process.send_signal(signal.SIGINT)
        out, err = await asyncio.wait_for(self.process.communicate(), DEADLINE)
        assert self.process.returncode is not None
        return self.process.returncode, out.decode(), err.decode()


async def listen(*args: str, stdin: bytes | None = None) -> Listener:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "circleci_async", "webhooks", "listen", "--port", "0",
        "--path", "/hook", *args,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdin is not None
    if stdin is not None:
        process.stdin.write(stdin)
        await process.stdin.drain()
    process.stdin.close()
    listener = Listener(process, "")
    try:
        first = await listener.err_line()
        assert first.startswith("listening on http://127.0.0.1:"), first
    except BaseException:
        process.kill()
        await process.wait()
        raise
    listener.url = first.split()[2]
    return listener


@pytest_asyncio.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def test_it_prints_verified_events_and_notes_refusals(http: aiohttp.ClientSession) -> None:
    listener = await listen("--secret", SECRET)
    try:
        assert listener.url.endswith("/hook")
        body = payload("e-1", project={"slug": "gh/acme/rocket"}, pipeline={"number": 12})
        assert (await post(http, listener.url, body, headers(body)))[0] == 202
        line = await listener.out_line()
        assert line == event_line(parse(body))
        assert line.split("  ")[1:4] == ["workflow-completed", "gh/acme/rocket", "-"]
        assert (await post(http, listener.url, body, headers(body)))[0] == 200
        bad = payload("e-2")
        status, _, _ = await post(http, listener.url, bad, headers(bad, secret="wrong"))
        assert status == 401
        note = await listener.err_line()
        assert note.startswith("refused 401 from 127.0.0.1: ")
        assert "does not match" in note
        assert (await post(http, listener.url, bad, headers(bad, secret=None)))[0] == 401
        assert "no circleci-signature header" in await listener.err_line()
    finally:
        status, out, err = await listener.stop()
    assert (status, out, err) == (0, "", "stopped\n"), "each event printed once"


async def test_json_lines_and_the_secret_from_stdin(http: aiohttp.ClientSession) -> None:
    listener = await listen("--secret-stdin", "--json", stdin=SECRET.encode() + b"\n")
    try:
        body = payload("e-7", kind="job-completed", job={"name": "test", "number": 4})
        assert (await post(http, listener.url, body, headers(body, kind="job-completed")))[0] == 202
        assert json.loads(await listener.out_line()) == json.loads(body)
    finally:
        status, _, _ = await listener.stop()
    assert status == 0


async def test_no_secret_accepts_unsigned_deliveries(http: aiohttp.ClientSession) -> None:
    listener = await listen("--no-secret")
    try:
        body = payload("e-3", kind="deploy-started")
        assert (await post(http, listener.url, body, headers(body, secret=None)))[0] == 202
        assert "deploy-started" in await listener.out_line()
    finally:
        status, _, _ = await listener.stop()
    assert status == 0


async def test_it_prints_what_the_fake_sends(
    http: aiohttp.ClientSession, fake_factory: FakeFactory
) -> None:
    fake = await fake_factory(job_seconds=0.02)
    project = fake.state.add_project("gh/acme/rocket")
    listener = await listen("--secret", SECRET)
    try:
        async with CircleCI(fake.token, base_url=fake.base_url) as circle:
            await circle.webhooks.create(
                name="cli", url=listener.url, events=["workflow-completed"], verify_tls=False,
                signing_secret=SECRET, scope_id=project.id,
            )  # fmt: skip
            created = await circle.pipelines.trigger("gh/acme/rocket", branch="main")
            assert isinstance(created, PipelineCreation)
        line = await listener.out_line()
    finally:
        await listener.stop()
    fields = line.split("  ")
    assert fields[1:5] == ["workflow-completed", "gh/acme/rocket", "build-and-test", "success"]
    assert fields[5] == f"pipeline {created.number}"


@pytest.mark.parametrize(
    ("args", "stdin", "words"),
    [
        ([], "", "one of the arguments --secret --secret-stdin --no-secret is required"),
        (["--secret", "s", "--no-secret"], "", "not allowed with"),
        (["--secret-stdin"], "\n", "signing secret from stdin is empty"),
        (["--secret", ""], "", "signing secret from --secret is empty"),
    ],
)
async def test_a_missing_or_empty_secret_is_a_usage_error(
    args: list[str], stdin: str, words: str, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    assert await run(["webhooks", "listen", "--port", "0", *args]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert words in err
    assert len(err.splitlines()) == 1


async def test_with_its_stderr_closed_it_still_answers_a_bad_signature_401(
    http: aiohttp.ClientSession,
) -> None:
    read_end, write_end = os.pipe()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "circleci_async", "webhooks", "listen", "--port", "0",
        "--path", "/hook", "--secret", SECRET,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=write_end,
    )  # fmt: skip
    os.close(write_end)
    try:
        with os.fdopen(read_end, "rb") as stderr:
            first = await asyncio.wait_for(asyncio.to_thread(stderr.readline), DEADLINE)
        url = first.decode().split()[2]
        bad = payload("e-1")
        for _ in range(3):
            assert (await post(http, url, bad, headers(bad, secret="wrong")))[0] == 401
        good = payload("e-2")
        assert (await post(http, url, good, headers(good)))[0] == 202
        listener = Listener(process, url)
        assert (await listener.out_line()).endswith("w-1")
    finally:
        process.kill()
        await process.wait()


async def _open_descriptors_settle(pid: int, at_most: int) -> int:
    count = open_descriptors(pid)
    for _ in range(200):
        if count <= at_most:
            break
        await asyncio.sleep(0.01)
        count = open_descriptors(pid)
    return count


async def test_3000_idle_half_requests_hold_at_most_max_connections_descriptors() -> None:
    listener = await listen("--secret", SECRET, "--max-connections", "50",
                            "--header-timeout", "60")  # fmt: skip
    pid = listener.process.pid
    held: list[asyncio.StreamWriter] = []
    try:
        baseline = open_descriptors(pid)
        for _ in range(3000):
            _, writer = await raw_connection(listener.url)
            writer.write(b"POST /hook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Len")
            held.append(writer)
        count = await _open_descriptors_settle(pid, baseline + 50)
        print(f"descriptors: {baseline} before, {count} with 3000 half-requests open")
        assert count <= baseline + 50
        body = payload("after")
        for writer in held[:10]:
            writer.close()
        async with aiohttp.ClientSession() as http:
            for _ in range(200):
                status = (await post(http, listener.url, body, headers(body)))[0]
                if status == 202:
                    break
                await asyncio.sleep(0.01)
        assert status == 202
    finally:
        for writer in held:
            writer.close()
        await listener.stop()


async def test_dribbled_headers_are_cut_off_at_the_header_timeout() -> None:
    listener = await listen("--secret", SECRET, "--header-timeout", "0.5")
    try:
        reader, writer = await raw_connection(listener.url)
        loop = asyncio.get_running_loop()
        started = loop.time()
        writer.write(b"POST /hook HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        with pytest.raises(ConnectionError):
            await dribble(reader, writer, every=0.05, seconds=20)
        elapsed = loop.time() - started
        writer.close()
        assert elapsed < 10
    finally:
        await listener.stop()
