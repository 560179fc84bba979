"""Shared pieces of the benchmarks: the fake in a subprocess, timing, and RESULTS.md."""

from __future__ import annotations

import asyncio
import json
import platform
import re
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

RESULTS = Path(__file__).with_name("RESULTS.md")
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Remote:
    """Where the fake in the subprocess listens, and what it holds."""

    base_url: str
    token: str
    slug: str
    job_number: int
    items: int


@asynccontextmanager
async def spawn(
    module: str, *args: str, limit: int = 2**16
) -> AsyncIterator[tuple[asyncio.subprocess.Process, dict[str, Any]]]:
    """Run `python -m module args` as a server; yield it and the JSON line it prints first.

    The server serves until its standard input closes, which happens on exit.
    """
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", module, *args,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, cwd=ROOT, limit=limit,
    )  # fmt: skip
    assert process.stdout is not None
    assert process.stdin is not None
    try:
        line = await asyncio.wait_for(process.stdout.readline(), timeout=300)
        if not line:
            raise RuntimeError(f"the benchmark server {module} did not start")
        yield process, json.loads(line)
    finally:
        process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), timeout=10)
        except TimeoutError:
            process.kill()
            await process.wait()


@asynccontextmanager
async def remote_fake(**options: float | int) -> AsyncIterator[Remote]:
    """Start `benchmarks.serve` with `--option value` flags; stop it on exit."""
    flags = [f"--{key.replace('_', '-')}={value}" for key, value in options.items()]
    async with spawn("benchmarks.serve", *flags) as (_, info):
        yield Remote(**info)


@dataclass
class Timed:
    """Wall and CPU seconds of one measured run."""

    wall: float
    cpu: float


async def timed(work: Callable[[], Awaitable[T]]) -> tuple[T, Timed]:
    """Run `work()` once, timing wall clock and this process's CPU."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = await work()
    return result, Timed(time.perf_counter() - wall, time.process_time() - cpu)


async def best_of(runs: int, work: Callable[[], Awaitable[T]]) -> tuple[T, Timed]:
    """The fastest of `runs` runs (by wall time): the least disturbed by a noisy machine."""
    best: tuple[T, Timed] | None = None
    for _ in range(runs):
        outcome = await timed(work)
        if best is None or outcome[1].wall < best[1].wall:
            best = outcome
    assert best is not None
    return best


@dataclass
class Section:
    """One scenario's figures, rendered as a Markdown section of RESULTS.md."""

    title: str
    setup: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    verdicts: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        lines = [f"## {self.title}", "", self.setup, ""]
        lines.append("| " + " | ".join(self.header) + " |")
        lines.append("|" + "---|" * len(self.header))
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        if self.verdicts:
            lines += ["", *[f"- {verdict}" for verdict in self.verdicts]]
        return "\n".join(lines) + "\n"


def machine() -> str:
    """A line describing where the figures were measured."""
    import os

    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )


def write_sections(sections: list[Section], command: str) -> None:
    """Replace these sections of RESULTS.md (keeping the others) and stamp the run."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    for section in sections:
        body = section.markdown() + f"\nMeasured on {machine()} with `{command}`.\n"
        pattern = re.compile(rf"^## {re.escape(section.title)}\n.*?(?=^## |\Z)", re.M | re.S)
        if pattern.search(text):
            text = pattern.sub(body.replace("\\", "\\\\") + "\n", text)
        else:
            text = text.rstrip("\n") + "\n\n" + body
    RESULTS.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def ratio(numerator: float, denominator: float) -> str:
    """`a / b` as `1.23×`."""
    return f"{numerator / denominator:.2f}×" if denominator else "n/a"


def verdict(ok: bool, text: str) -> str:
    """A target line: `holds` or `MISSED`."""
    return f"{'holds' if ok else 'MISSED'}: {text}"


def seconds(value: float) -> str:
    """Seconds with sensible precision."""
    return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"
