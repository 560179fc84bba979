"""Logs: a 1 GiB generated step log saved by circleci-async against raw aiohttp.

python -m benchmarks.run --only logs     # 1 GiB (about a minute); writes RESULTS.md
python -m benchmarks.logs --size 67108864 # any size, printed only

The fake CircleCI runs in its own process (`--serve`) and generates the log on the fly (a
JSON array of `{message, time, type}` lines, never held). The contestants, one after the
other in this process: raw aiohttp streaming the output URL's bytes to a file (the floor:
no parsing), `circle.jobs.output(...).save()` (streamed JSON to text), and the harvester
(`artifacts.download_job(logs="all", logs_only=True)`, every step of the job). RSS growth is
sampled every 10 ms above the level at the start of each run.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

from circleci_async import CircleCI

from .common import Section, ratio, spawn, timed, verdict, write_sections
from .harvest import peak_rss

MIB = 1 << 20
GIB = 1 << 30
SLUG = "gh/bench/logs"
STEP = 102
RSS_LIMIT = 100 * MIB


async def serve(args: argparse.Namespace) -> None:
    """A failed job whose step 102 answers a generated log of `--size` bytes."""
    from circleci_async.testing import FakeCircleCI
    from circleci_async.testing.log_output import GeneratedLog

    async with FakeCircleCI(record=False) as fake:
        pipeline = fake.state.add_pipeline(SLUG)
        workflow = fake.state.add_workflow(pipeline.id, status="failed")
        job = fake.state.add_job(workflow.id, name="test", status="failed")
        fake.logs.set_output(job, STEP, size=args.size)
        action = fake.logs.action(job, STEP, 0)
        assert action is not None
        log = GeneratedLog.of_size(args.size, action.start_time)
        first = json.loads(b"".join(GeneratedLog.of_size(1, action.start_time).chunks()))[0]
        width = len(json.dumps(first, separators=(",", ":"))) + 1
        count = (log.length - 1) // width
        line = {
            "base_url": fake.base_url,
            "token": fake.token,
            "job_number": job.number,
            "json_bytes": log.length,
            "text_bytes": count * len(first["message"].encode()),
        }
        print(json.dumps(line), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


Contestant = Callable[[dict[str, Any], Path], Awaitable[int]]


async def raw_aiohttp(info: dict[str, Any], dest: Path) -> int:
    """GET the v1.1 details, then stream the output URL's bytes to a file as they come."""
    root = info["base_url"].removesuffix("/api/v2")
    url = f"{root}/api/v1.1/project/github/bench/logs/{info['job_number']}"
    async with aiohttp.ClientSession() as http:
        async with http.get(url, headers={"Circle-Token": info["token"]}) as response:
            details = await response.json()
        action = next(a for step in details["steps"] for a in step["actions"] if a["step"] == STEP)
        size = 0
        async with http.get(action["output_url"]) as response:
            with (dest / "raw.json").open("wb") as file:
                async for chunk in response.content.iter_chunked(256 * 1024):
                    file.write(chunk)
                    size += len(chunk)
    return size


async def library_save(info: dict[str, Any], dest: Path) -> int:
    """`circle.jobs.output(slug, n, step=102).save(path)`: JSON streamed to text."""
    async with CircleCI(info["token"], base_url=info["base_url"]) as circle:
        return await circle.jobs.output(SLUG, info["job_number"], step=STEP).save(dest / "step.log")


async def harvester(info: dict[str, Any], dest: Path) -> int:
    """`artifacts.download_job(logs="all", logs_only=True)`: every step of the job."""
    async with CircleCI(info["token"], base_url=info["base_url"]) as circle:
        report = await circle.artifacts.download_job(
            SLUG, info["job_number"], dest / "harvest", logs="all", logs_only=True
        )
    assert report.ok, report.summary()
    return report.bytes


CONTESTANTS: tuple[tuple[str, Contestant], ...] = (
    ("raw aiohttp, bytes to a file (no parsing)", raw_aiohttp),
    ("circleci-async `jobs.output(...).save()`", library_save),
    ("circleci-async harvester, `logs_only=True`", harvester),
)


async def run(*, smoke: bool = False, size: int | None = None) -> Section:
    """The section for RESULTS.md."""
    size = size or (8 * MIB if smoke else GIB)
    rows: list[list[str]] = []
    peaks: dict[str, float] = {}
    walls: dict[str, float] = {}
    sizes: dict[str, int] = {}
    async with spawn("benchmarks.logs", "--serve", f"--size={size}") as (_, info):
        for name, contestant in CONTESTANTS:
            folder = Path(tempfile.mkdtemp(prefix="bench-logs-"))
            try:
                async with peak_rss() as grown:
                    written, took = await timed(functools.partial(contestant, info, folder))
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            walls[name], peaks[name], sizes[name] = took.wall, grown[0] / MIB, written
            rows.append(
                [
                    name,
                    f"{info['json_bytes'] / MIB:.0f}",
                    f"{written / MIB:.0f}",
                    f"{took.wall:.2f}",
                    f"{info['json_bytes'] / MIB / took.wall:.0f}",
                    f"{grown[0] / MIB:.1f}",
                ]
            )
    raw = walls[CONTESTANTS[0][0]]
    for row, (name, _) in zip(rows, CONTESTANTS, strict=True):
        row.append(ratio(walls[name], raw))
    ours = [peaks[name] for name, _ in CONTESTANTS[1:]]
    exact = sizes[CONTESTANTS[0][0]] == info["json_bytes"]
    exact = exact and sizes[CONTESTANTS[1][0]] == info["text_bytes"]
    return Section(
        title="Logs",
        setup=(
            f"One step's output of {size / MIB:.0f} MiB, generated on the fly by the fake "
            "CircleCI in its own process (a JSON array of `{message, time, type}` lines) and "
            "saved over loopback. MiB/s counts the JSON bytes on the wire; saved is what "
            "reached disk (the text of the lines for ours, the raw JSON for aiohttp). Peak is "
            "MiB of RSS above the start of the run, sampled every 10 ms."
        ),
        header=[
            "contestant",
            "JSON MiB",
            "saved MiB",
            "seconds",
            "MiB/s",
            "peak MiB",
            "time vs raw",
        ],
        rows=rows,
        verdicts=[
            verdict(
                exact,
                "every byte arrived: the raw JSON whole, the saved text exactly the lines' text",
            ),
            verdict(
                max(ours) * MIB < RSS_LIMIT,
                f"saving the log grew RSS by under {RSS_LIMIT // MIB} MiB "
                f"(at most {max(ours):.1f} MiB)",
            ),
        ],
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, default=GIB, help="bytes of the log (1 GiB)")
    parser.add_argument("--smoke", action="store_true", help="8 MiB")
    parser.add_argument("--write", action="store_true", help="write the section to RESULTS.md")
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args))
        return 0
    section = asyncio.run(run(smoke=args.smoke, size=None if args.smoke else args.size))
    print(section.markdown())
    if args.write:
        write_sections([section], f"python -m benchmarks.logs --size {args.size}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
