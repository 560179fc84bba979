"""CircleCI's own MCP server (`@circleci/mcp-server-circleci`) runs its tools against `fake serve`.

The server is a Node program that reads `CIRCLECI_TOKEN` and `CIRCLECI_BASE_URL` and speaks
JSON-RPC over stdio. Each tool runs in a server process of its own (a tool that fails can take
its process down), against one `circleci-async fake serve`, and its answer is checked. `.ci/run`
installs the package in `.ci/node`; elsewhere the test skips when Node, npm's package or a
recent enough Node is missing (under CI=true it fails instead). The log tool
(`get_build_failure_logs`) is tested with the step logs, in tests/test_mcp_logs.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / ".ci" / "node" / "node_modules" / "@circleci" / "mcp-server-circleci"
STARTUP = 60.0
"""Seconds for `fake serve` to print its address."""
ANSWER = 60.0
"""Seconds for one JSON-RPC answer."""
LINE_LIMIT = 4 * 1024 * 1024
"""The longest JSON-RPC line read from the server."""
SLUG = "gh/acme/api-server"
CONFIG = "version: 2.1\njobs:\n  build:\n    docker:\n      - image: cimg/base:stable\n"


def server_entry() -> Path:
    """The MCP server's entry point, or a skip (a failure under CI) saying what is missing."""
    problem = None
    node = shutil.which("node")
    entry = Path(os.environ.get("CIRCLECI_MCP_SERVER", PACKAGE / "dist" / "index.js"))
    if node is None:
        problem = "node is not on the PATH"
    elif not entry.is_file():
        problem = f"the MCP server is not installed at {entry} (see .ci/run)"
    else:
        manifest = json.loads((entry.parent.parent / "package.json").read_text())
        floor = int(re.sub(r"\D", " ", manifest["engines"]["node"]).split()[0])
        version = subprocess.run(
            [node, "--version"], capture_output=True, text=True, timeout=STARTUP, check=True
        ).stdout.strip()
        if int(version.lstrip("v").split(".")[0]) < floor:
            problem = f"node {version} is older than the package's {manifest['engines']['node']}"
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(problem)
        pytest.skip(problem)
    return entry


@asynccontextmanager
async def fake_serve() -> AsyncIterator[dict[str, Any]]:
    """`circleci-async fake serve --json` in a process of its own; yields its first line."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "circleci_async", "fake", "serve", "--json",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), STARTUP)
        yield json.loads(line)
    finally:
        if process.returncode is None:
            process.terminate()
        await asyncio.wait_for(process.wait(), STARTUP)


class McpServer:
    """One MCP server process, driven over stdio with JSON-RPC."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self._id = 0

    async def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """A request and its answer (`{"crashed": True}` when the process ended instead)."""
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self._id += 1
        message = {"jsonrpc": "2.0", "id": self._id, "method": method, "params": params or {}}
        self.process.stdin.write(json.dumps(message).encode() + b"\n")
        await self.process.stdin.drain()
        while True:
            line = await asyncio.wait_for(self.process.stdout.readline(), ANSWER)
            if not line:
                return {"crashed": True}
            answer: dict[str, Any] = json.loads(line)
            if answer.get("id") == self._id:
                return answer

    async def notify(self, method: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"jsonrpc": "2.0", "method": method}).encode() + b"\n")
        await self.process.stdin.drain()


@asynccontextmanager
async def mcp_server(entry: Path, served: dict[str, Any]) -> AsyncIterator[McpServer]:
    """The MCP server pointed at the fake (the host only, as it expects), initialized."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "CIRCLECI_TOKEN": served["token"],
        "CIRCLECI_BASE_URL": served["base_url"].removesuffix("/api/v2"),
    }
    process = await asyncio.create_subprocess_exec(
        "node", str(entry), env=env, limit=LINE_LIMIT,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    server = McpServer(process)
    try:
        info = {"name": "circleci-async tests", "version": "0"}
        start = {"protocolVersion": "2024-11-05", "capabilities": {}, "clientInfo": info}
        assert "result" in await server.send("initialize", start)
        await server.notify("notifications/initialized")
        yield server
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


async def call_tool(
    entry: Path, served: dict[str, Any], name: str, params: Any
) -> tuple[bool, str]:
    """Run one tool in a fresh server: (whether it answered without error, its text)."""
    async with mcp_server(entry, served) as server:
        answer = await server.send("tools/call", {"name": name, "arguments": {"params": params}})
    if answer.get("crashed"):
        return False, "the server process ended"
    result = answer.get("result", {})
    text = " ".join(part.get("text", "") for part in result.get("content", []))
    return not result.get("isError", False) and "error" not in answer, text


async def finished_workflow(served: dict[str, Any]) -> str:
    """The id of a finished workflow of the demo project (one that can be rerun)."""
    headers = {"Circle-Token": served["token"]}
    base = served["base_url"]  # aiohttp before 3.11 takes no base_url with a path
    async with aiohttp.ClientSession(headers=headers) as http:
        pipelines_url = f"{base}/project/{SLUG}/pipeline"
        async with http.get(pipelines_url, params={"branch": "main"}) as response:
            pipelines = (await response.json())["items"]
        for pipeline in pipelines:
            async with http.get(f"{base}/pipeline/{pipeline['id']}/workflow") as response:
                for workflow in (await response.json())["items"]:
                    if workflow["status"] in ("success", "failed"):
                        return str(workflow["id"])
    raise AssertionError("the demo project has no finished workflow")


TOOLS: list[tuple[str, dict[str, Any], bool, str]] = [
    ("list_followed_projects", {}, True, f"(projectSlug: {SLUG})"),
    (
        "get_latest_pipeline_status",
        {"projectSlug": SLUG, "branch": "main"},
        True,
        "Pipeline Number:",
    ),
    (
        "get_latest_pipeline_status",
        {
            "workspaceRoot": "/tmp",
            "gitRemoteURL": "https://github.com/acme/api-server.git",
            "branch": "main",
        },
        True,
        "Pipeline Number:",
    ),
    ("list_artifacts", {"projectSlug": SLUG, "branch": "main"}, True, "test-results/junit-0.xml"),
    ("rerun_workflow", {"workflowId": "FINISHED"}, True, "New workflowId is"),
    ("config_helper", {"configFile": CONFIG}, True, "Your config is valid!"),
    ("list_component_versions", {"projectSlug": SLUG}, True, "No environments found"),
    ("run_pipeline", {"projectSlug": SLUG, "branch": "main"}, False, "No pipeline definitions"),
    # The fake sends `"message": null` for a passing test, as the spec allows (`x-nullable`)
    # and the recorded answers do (pycircleci's mocks); this server's schema wants a string.
    ("get_job_test_results", {"projectSlug": SLUG, "branch": "main"}, False, "received null"),
    ("find_flaky_tests", {"projectSlug": SLUG}, False, "received null"),
]
"""Each tool, its parameters, whether it succeeds against the fake, and what its answer says."""


async def test_the_mcp_servers_tools_against_fake_serve() -> None:
    entry = server_entry()
    wrong = []
    async with fake_serve() as served:
        workflow = await finished_workflow(served)
        for name, params, succeeds, expected in TOOLS:
            if params.get("workflowId") == "FINISHED":
                params = {**params, "workflowId": workflow}
            ok, text = await call_tool(entry, served, name, params)
            if ok is not succeeds or expected not in text:
                wrong.append(f"{name}: succeeded={ok}, answered {text[:300]!r}")
    assert wrong == []


async def test_the_mcp_server_lists_the_tools_this_test_knows() -> None:
    entry = server_entry()
    async with fake_serve() as served, mcp_server(entry, served) as server:
        answer = await server.send("tools/list")
    names = {tool["name"] for tool in answer["result"]["tools"]}
    assert {name for name, *_ in TOOLS} <= names
