"""`circleci-async fake serve` as a subprocess: read its URL, call it, stop it with a signal."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from circleci_async import CircleCI
from circleci_async.testing.demo_org import DEMO_BRANCH, DEMO_PROJECT

from .cli_helpers import closed_port, json_lines, run

pytestmark = pytest.mark.slow

STARTUP = 30.0
"""Seconds a server may take to print its URL (a deadline, not a wait)."""


class Served:
    """A running `fake serve` process and what it printed."""

    def __init__(self, process: asyncio.subprocess.Process, printed: list[str]) -> None:
        self.process = process
        self.printed = printed

    def field(self, name: str) -> str:
        line = next(line for line in self.printed if line.startswith(f"{name}:"))
        return line.partition(":")[2].strip()

    async def stop(self, signum: int = signal.SIGINT) -> tuple[int, str, str]:
        self.process.send_signal(signum)
        out, err = await asyncio.wait_for(self.process.communicate(), STARTUP)
        assert self.process.returncode is not None
        return self.process.returncode, out.decode(), err.decode()


async def serve(*args: str, until: str) -> Served:
    """Start `fake serve` with `args`; return once it printed a line starting with `until`."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "circleci_async", "fake", "serve", *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    printed: list[str] = []
    try:
        while not printed or not printed[-1].startswith(until):
            line = await asyncio.wait_for(process.stdout.readline(), STARTUP)
            assert line, f"fake serve ended early: {printed}"
            printed.append(line.decode().rstrip("\n"))
    except BaseException:
        process.kill()
        await process.wait()
        raise
    return Served(process, printed)


@pytest_asyncio.fixture
async def served() -> AsyncIterator[Served]:
    """`fake serve --seed 2 --page-size 7`, killed after the test if it still runs."""
    server = await serve("--seed", "2", "--page-size", "7", until="serving until Ctrl-C")
    yield server
    if server.process.returncode is None:
        server.process.kill()
        await server.process.wait()


async def test_it_prints_url_token_and_hosts_serves_the_library_and_stops_on_ctrl_c(
    served: Served, tmp_path: Path
) -> None:
    base_url, token = served.field("base URL"), served.field("token")
    assert base_url.startswith("http://127.0.0.1:")
    assert base_url.endswith("/api/v2")
    assert token.startswith("fake-")
    host = served.field("artifact host").split()[0]
    assert host == "localhost"
    assert DEMO_PROJECT in served.field("projects")
    assert int(served.field("pipelines")) > 100

    async with CircleCI(token, base_url=base_url, artifact_hosts=[host]) as circle:
        assert (await circle.users.me()).login == "fake-user"
        first = await anext(circle.pipelines.list(DEMO_PROJECT, branch=DEMO_BRANCH).pages())
        assert len(first.items) == 7
        assert first.next_page_token is not None
        finished = next(p for p in first.items if p.state == "created")
        report = await circle.artifacts.download_pipeline(finished.id, tmp_path)
        assert report.ok
        assert report.downloaded > 0

    status, out, err = await served.stop(signal.SIGINT)
    assert status == 0
    assert out == ""
    assert err == "stopped\n"


async def test_commands_work_against_it(served: Served, capsys: pytest.CaptureFixture[str]) -> None:
    options = ["--base-url", served.field("base URL"), "--token", served.field("token")]
    assert await run(["pipelines", "list", DEMO_PROJECT, "--json", "--limit", "10", *options]) == 0
    items = json_lines(capsys.readouterr().out)
    assert len(items) == 10
    numbers = [item["number"] for item in items]
    assert numbers == sorted(numbers, reverse=True)
    status, _, err = await served.stop(signal.SIGTERM)
    assert (status, err) == (0, "stopped\n")


async def test_json_and_a_fixed_port() -> None:
    port = closed_port()
    server = await serve("--json", "--port", str(port), "--rate-limit", "5", until="{")
    try:
        [line] = json_lines(server.printed[-1])
        assert line["base_url"] == f"http://127.0.0.1:{port}/api/v2"
        assert line["artifact_hosts"] == ["localhost"]
        assert line["pipelines"] > 100
        async with CircleCI(line["token"], base_url=line["base_url"]) as circle:
            await circle.users.me()
            assert circle.core.gate.pauses == 0
    finally:
        status, out, _ = await server.stop()
    assert status == 0
    assert out == ""
    assert json.loads(server.printed[-1])["token"] == line["token"]


async def test_a_port_in_use_fails_with_one_line(served: Served) -> None:
    port = served.field("base URL").split(":")[2].split("/")[0]
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "circleci_async", "fake", "serve", "--port", port,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), STARTUP)
    assert process.returncode == 1
    assert out == b""
    lines = err.decode().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("circleci-async: error: ")
    assert "in use" in lines[0]
