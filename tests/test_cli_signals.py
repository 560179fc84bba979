"""SIGTERM is handled as Ctrl-C, with its own exit status; `--debug` logs requests, masked."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import pytest

from circleci_async.testing import FakeCircleCI

from .cli_helpers import against, closed_port, run
from .conftest import FakeFactory


@pytest.mark.slow
async def test_sigterm_stops_a_watch_with_143_and_a_message(fake_factory: FakeFactory) -> None:
    fake = await fake_factory(job_seconds=100_000)
    fake.state.add_project("gh/acme/rocket")
    pipeline = fake.state.add_pipeline("gh/acme/rocket", trigger_type="api", state="pending")
    env = {**os.environ, "CIRCLECI_TOKEN": fake.token}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "circleci_async", "pipelines", "watch", pipeline.id,
        "--base-url", fake.base_url,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
    )  # fmt: skip
    assert process.stdout is not None
    first = await asyncio.wait_for(process.stdout.readline(), timeout=60)
    assert first.startswith(b"pipeline "), first
    process.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 143
    assert err.decode() == "circleci-async: error: terminated (SIGTERM)\n"


async def test_debug_logs_each_request_to_stderr_without_the_token(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    status = await run(against(fake, "me", "--debug"))
    out, err = capsys.readouterr()
    assert status == 0
    assert "fake-user" in out
    assert f"debug: GET {fake.base_url}/me -> 200" in err
    assert fake.token not in err


async def test_without_debug_nothing_is_logged(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run(against(fake, "me")) == 0
    assert capsys.readouterr().err == ""


async def test_a_404_on_an_api_root_without_api_v2_suggests_it(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    root = fake.base_url.removesuffix("/api/v2")
    assert await run(["me", "--base-url", root, "--token", fake.token]) == 1
    err = capsys.readouterr().err
    assert f"did you mean --base-url {fake.base_url}?" in err
    assert err.count("\n") == 1


async def test_a_refused_connection_names_host_port_and_reason(
    capsys: pytest.CaptureFixture[str],
) -> None:
    port = closed_port()
    assert (
        await run(["me", "--base-url", f"http://127.0.0.1:{port}/api/v2", "--token", "t0ken"]) == 1
    )
    err = capsys.readouterr().err
    assert f"cannot connect to 127.0.0.1 port {port}: Connection refused" in err
    assert "ssl:default" not in err
