"""Processes that share one token: each runs calls through its own client, phase by phase.

python -m benchmarks.gate_worker      # reads one JSON phase a line, answers one JSON line

A worker prints `ready`, then for every line `{"base_url", "gate_url", "calls", "tasks"}` on
its standard input makes `calls` calls of `users.me()` from `tasks` tasks with a new client
(token from CIRCLECI_TOKEN; `gate_url` null for the in-process gate) and prints
`{"seconds", "limited", "shared"}`; a phase may carry its own `token`. `run_phase` drives
several workers so that they start every phase together.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from circleci_async import CircleCI, RetryPolicy
from circleci_async.redis_gate import RedisGate

Process = asyncio.subprocess.Process
ROOT = Path(__file__).resolve().parent.parent


async def phase(
    base_url: str, gate_url: str | None, calls: int, tasks: int, token: str | None = None
) -> dict[str, Any]:
    """Make the calls of one phase; this process's figures."""
    policy = RetryPolicy(rate_limit_retries=1000, budget=600)
    async with CircleCI(
        token, base_url=base_url, gate_url=gate_url, retry=policy, max_concurrency=tasks
    ) as circle:
        started = time.perf_counter()

        async def task(count: int) -> None:
            for _ in range(count):
                await circle.users.me()

        shares = [calls // tasks + (1 if i < calls % tasks else 0) for i in range(tasks)]
        await asyncio.gather(*(task(n) for n in shares))
        seconds = time.perf_counter() - started
        gate = circle.core.gate
        shared = isinstance(gate, RedisGate) and gate.shared
        return {"seconds": seconds, "limited": gate.pauses, "shared": shared}


async def serve() -> None:
    """The worker's loop: one phase per line of standard input, until it closes."""
    loop = asyncio.get_running_loop()
    print("ready", flush=True)
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        spec = json.loads(line)
        figures = await phase(
            spec["base_url"], spec["gate_url"], spec["calls"], spec["tasks"], spec.get("token")
        )
        print(json.dumps(figures), flush=True)


@asynccontextmanager
async def workers(count: int, token: str) -> AsyncIterator[list[Process]]:
    """Start `count` worker processes with `token`; end them on exit."""
    env = {**os.environ, "CIRCLECI_TOKEN": token}
    env.pop("CIRCLECI_GATE_URL", None)
    started: list[Process] = []
    try:
        for _ in range(count):
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "benchmarks.gate_worker",
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=env, cwd=ROOT,
            )  # fmt: skip
            started.append(process)
        for process in started:
            assert process.stdout is not None
            line = await asyncio.wait_for(process.stdout.readline(), timeout=120)
            if line.strip() != b"ready":
                raise RuntimeError(f"a gate worker did not start: {line!r}")
        yield started
    finally:
        for process in started:
            if process.stdin is not None:
                process.stdin.close()
            try:
                await asyncio.wait_for(process.wait(), timeout=10)
            except TimeoutError:
                process.kill()
                await process.wait()


async def run_phase(
    processes: list[Process],
    *,
    base_url: str,
    gate_url: str | None,
    calls: int,
    tasks: int,
    token: str | None = None,
) -> list[dict[str, Any]]:
    """Start one phase in every worker at once; each one's figures (`token`: else the env's)."""
    spec = {"base_url": base_url, "gate_url": gate_url, "calls": calls, "tasks": tasks}
    line = json.dumps({**spec, "token": token})
    for process in processes:
        assert process.stdin is not None
        process.stdin.write(line.encode() + b"\n")
    await asyncio.gather(*(p.stdin.drain() for p in processes if p.stdin is not None))
    figures = []
    for process in processes:
        assert process.stdout is not None
        answer = await asyncio.wait_for(process.stdout.readline(), timeout=300)
        if not answer:
            raise RuntimeError("a gate worker ended before answering")
        figures.append(json.loads(answer))
    return figures


if __name__ == "__main__":
    asyncio.run(serve())
