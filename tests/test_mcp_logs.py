"""CircleCI's own MCP server gets a failed job's logs from `circleci-async fake serve`.

`@circleci/mcp-server-circleci` (npm) is run over stdio (JSON-RPC, one message a line) with
`CIRCLECI_BASE_URL` pointing at the fake; its `get_build_failure_logs` tool reads v1.1 job
details and the private raw output endpoints. The package is looked for under
`$CIRCLECI_MCP_SERVER_DIR` (default: `.ci/node/` in the repository, gitignored), where
`.ci/run` installs it:

    npm install --prefix .ci/node @circleci/mcp-server-circleci@0.20.0

Without node or the package the test skips, except under `CI=true`, where it fails.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from circleci_async.testing.demo_org import DEMO_PROJECT
from circleci_async.testing.logs import EXIT_LINE

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
PACKAGE = Path("node_modules/@circleci/mcp-server-circleci/dist/index.js")
DEADLINE = 60.0
"""Seconds any one step may take (a bound, not a wait)."""


@pytest.fixture
def mcp_entry() -> Path:
    """The MCP server's entry point; skip (fail under CI=true) without node or the package."""
    folder = Path(os.environ.get("CIRCLECI_MCP_SERVER_DIR", REPO / ".ci" / "node"))
    entry = folder / PACKAGE
    missing = None
    if shutil.which("node") is None:
        missing = "node is not on the PATH"
    elif not entry.is_file():
        package = "@circleci/mcp-server-circleci"
        missing = f"{entry} is missing (npm install --prefix {folder} {package})"
    if missing is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the MCP server: {missing}")
        pytest.skip(missing)
    return entry


@pytest_asyncio.fixture
async def fake_serve() -> AsyncIterator[dict[str, Any]]:
    """`circleci-async fake serve --json`: what it printed; killed after the test."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "circleci_async", "fake", "serve", "--json", "--seed", "1",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    assert process.stdout is not None
    try:
        first = await asyncio.wait_for(process.stdout.readline(), DEADLINE)
        yield json.loads(first)
    finally:
        if process.returncode is None:
            process.terminate()
            await asyncio.wait_for(process.wait(), DEADLINE)


async def _failed_job(base_url: str, token: str) -> tuple[int, str, int, str]:
    """(pipeline number, workflow id, job number, job name) of a failed job of DEMO_PROJECT."""
    headers = {"Circle-Token": token}
    async with aiohttp.ClientSession(headers=headers) as http:

        async def get(path: str) -> Any:
            async with http.get(base_url + path) as response:
                assert response.status == 200
                return await response.json()

        pipelines = await get(f"/project/{DEMO_PROJECT}/pipeline")
        for pipeline in pipelines["items"]:
            for workflow in (await get(f"/pipeline/{pipeline['id']}/workflow"))["items"]:
                if workflow["status"] != "failed":
                    continue
                for job in (await get(f"/workflow/{workflow['id']}/job"))["items"]:
                    if job["status"] == "failed":
                        return pipeline["number"], workflow["id"], job["job_number"], job["name"]
    raise AssertionError("the demo organisation has no failed job on its first page")


class Rpc:
    """A JSON-RPC peer over a process's stdin and stdout, one message a line."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdin is not None
        assert process.stdout is not None
        self._stdin = process.stdin
        self._stdout = process.stdout
        self._next = 0

    async def notify(self, method: str, params: dict[str, Any] | None = None) -> None:
        message = {"jsonrpc": "2.0", "method": method, **({"params": params} if params else {})}
        self._stdin.write(json.dumps(message).encode() + b"\n")
        await self._stdin.drain()

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        self._next += 1
        message = {"jsonrpc": "2.0", "id": self._next, "method": method, "params": params}
        self._stdin.write(json.dumps(message).encode() + b"\n")
        await self._stdin.drain()
        for _ in range(100):
            line = await asyncio.wait_for(self._stdout.readline(), DEADLINE)
            assert line, "the MCP server closed its output"
            answer = json.loads(line)
            if answer.get("id") == self._next:
                assert "error" not in answer, answer
                return answer["result"]
        raise AssertionError("no answer among 100 messages")


async def test_mcp_server_gets_the_failed_steps_logs_from_fake_serve(
    mcp_entry: Path, fake_serve: dict[str, Any], tmp_path: Path
) -> None:
    base_url, token = fake_serve["base_url"], fake_serve["token"]
    pipeline, workflow, job, name = await _failed_job(base_url, token)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "CIRCLECI_TOKEN": token,
        "CIRCLECI_BASE_URL": base_url.removesuffix("/api/v2"),
    }
    with (tmp_path / "mcp.err").open("wb") as errors:
        process = await asyncio.create_subprocess_exec(
            "node", str(mcp_entry),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=errors, env=env,
        )  # fmt: skip
        try:
            rpc = Rpc(process)
            hello = await rpc.call(
                "initialize",
                {
                    "protocolVersion": "2024-11-05",
                    "capabilities": {},
                    "clientInfo": {"name": "circleci-async-tests", "version": "0"},
                },
            )
            assert "tools" in hello["capabilities"]
            await rpc.notify("notifications/initialized")
            url = (
                f"https://app.circleci.com/pipelines/{DEMO_PROJECT}/{pipeline}"
                f"/workflows/{workflow}/jobs/{job}"
            )
            result = await rpc.call(
                "tools/call",
                {"name": "get_build_failure_logs", "arguments": {"params": {"projectURL": url}}},
            )
        finally:
            if process.stdin is not None:
                process.stdin.close()
            if process.returncode is None:
                process.terminate()
            await asyncio.wait_for(process.wait(), DEADLINE)
    assert not result.get("isError"), result
    (content,) = result["content"]
    text = content["text"]
    assert f"Job: {name}" in text
    assert f"Step: make {name}" in text
    logs = json.loads(text.split("Logs: ", 1)[1].split("\n", 1)[0])
    assert logs["output"].endswith(EXIT_LINE)
    assert logs["error"] == f"\x1b[31merror:\x1b[0m make {name} failed\n"
