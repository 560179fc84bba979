"""SIGTERM is handled as Ctrl-C, with its own exit status; `--debug` logs requests, masked."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import pytest

from circleci_async.testing import FakeCircleCI

from .cli_helpers import against, run
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
