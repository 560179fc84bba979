"""Harvest: circleci-async's artifact harvester against the guide's curl | wget and raw aiohttp.

python -m benchmarks.harvest                  # 1,000 x 64 KiB and 4 x 128 MiB (a few minutes)
python -m benchmarks.harvest --smoke          # small sizes, seconds; RESULTS.md untouched
python -m benchmarks.harvest --small-count 200 --large-size 33554432 --concurrency 16

The fake CircleCI runs in its own process (`--serve`), so each contestant has this process's
core to itself; every contestant downloads the same files from it over loopback and every
file is checked against its SHA-256. The fake's page size covers a whole job, so the guide's
single `curl` sees every URL (on CircleCI a long list would need more calls).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import shlex
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from circleci_async import CircleCI
from circleci_async.artifacts import ArtifactRef
from circleci_async.models import Artifact
from circleci_async.testing import FakeCircleCI

from .common import Section, ratio, spawn, timed, verdict, write_sections
from .lean_artifacts import LeanArtifacts

MIB = 1 << 20
SLUG = "gh/bench/artifacts"
CHUNK = 256 * 1024


# The fake, in a process of its own ---------------------------------------------------------


async def serve(args: argparse.Namespace) -> None:
    """Hold one job per scenario; answer each stdin line with (and reset) `storage_saw_token`.

    The content and checksums are the fake CircleCI's; the serving is `lean_artifacts`, so
    the server keeps up with every contestant.
    """
    state = FakeCircleCI().state
    server = LeanArtifacts(latency=args.latency, token="lean-benchmark-token")
    await server.start()
    try:
        jobs: dict[str, Any] = {}
        for scenario, count, size in (
            ("small", args.small_count, args.small_size),
            ("large", args.large_count, args.large_size),
        ):
            pipeline = state.add_pipeline(SLUG)
            workflow = state.add_workflow(pipeline.id)
            job = state.add_job(workflow.id, name=scenario)
            assert job.number is not None
            made = [
                state.add_artifact(SLUG, job.number, f"{scenario}/f{index:05d}.bin", size=size)
                for index in range(count)
            ]
            server.add_job(job.number, made)
            files = {artifact.path: artifact.sha256 for artifact in made}
            jobs[scenario] = {"job_number": job.number, "size": size, "files": files}
        base_url = f"http://127.0.0.1:{server.ports['api']}/api/v2"
        print(json.dumps({"base_url": base_url, "token": server.token, "jobs": jobs}), flush=True)
        loop = asyncio.get_running_loop()
        while await loop.run_in_executor(None, sys.stdin.readline):
            saw, server.storage_saw_token = server.storage_saw_token, False
            print(json.dumps(saw), flush=True)
    finally:
        await server.close()


@dataclass
class Remote:
    """The fake process: its URLs, token and jobs, and a line to ask it questions."""

    base_url: str
    token: str
    jobs: dict[str, Any]
    process: asyncio.subprocess.Process

    async def storage_saw_token(self) -> bool:
        """Whether the storage origin got the token since the last question."""
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(b"?\n")
        await self.process.stdin.drain()
        answer: bool = json.loads(await self.process.stdout.readline())
        return answer


@asynccontextmanager
async def remote(args: argparse.Namespace) -> AsyncIterator[Remote]:
    """Start `--serve` with the same sizes; stop it on exit."""
    sizes = ["--small-count", str(args.small_count), "--small-size", str(args.small_size)]
    sizes += ["--large-count", str(args.large_count), "--large-size", str(args.large_size)]
    sizes += ["--latency", str(args.latency)]
    async with spawn("benchmarks.harvest", "--serve", *sizes, limit=64 * MIB) as (process, info):
        yield Remote(**info, process=process)


# The contestants ------------------------------------------------------------------------------


async def ours(fake: Remote, job: int, dest: Path, concurrency: int) -> None:
    """circleci-async: `circle.artifacts.download_job`."""
    async with CircleCI(
        fake.token,
        base_url=fake.base_url,
        artifact_hosts=["localhost"],
        max_concurrency=max(32, concurrency + 8),
    ) as circle:
        report = await circle.artifacts.download_job(SLUG, job, dest, concurrency=concurrency)
    if not report.ok:
        raise RuntimeError(f"circleci-async: {report.summary()}")


async def raw(fake: Remote, job: int, dest: Path, concurrency: int) -> None:
    """aiohttp as most scripts use it: list, then N workers following redirects themselves."""
    headers = {"Circle-Token": fake.token}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        items: list[dict[str, Any]] = []
        token = None
        while True:
            url = f"{fake.base_url}/project/{SLUG}/{job}/artifacts"
            params: dict[str, str] = {"page-token": token} if token else {}
            async with session.get(url, headers=headers, params=params) as response:
                response.raise_for_status()
                page = await response.json()
            items += page["items"]
            token = page["next_page_token"]
            if not token:
                break
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        for item in items:
            queue.put_nowait(item)

        async def worker() -> None:
            while not queue.empty():
                item = queue.get_nowait()
                target = dest / str(item["node_index"]) / item["path"]
                target.parent.mkdir(parents=True, exist_ok=True)
                async with session.get(item["url"], headers=headers) as response:
                    response.raise_for_status()
                    with target.open("wb") as file:
                        async for chunk in response.content.iter_chunked(CHUNK):
                            file.write(chunk)

        await asyncio.gather(*(worker() for _ in range(concurrency)))


GUIDE = (
    'curl -s -H "Circle-Token: $T" "$LIST_URL" '
    "| grep -o 'http://[^\"]*' "
    '| wget -q --header "Circle-Token: $T" -i -'
)
"""The developer guide's pipeline, with `http://` for `https://` since the fake is on loopback."""


async def guide(fake: Remote, job: int, dest: Path, concurrency: int) -> None:
    """The guide's `curl | grep | wget`, one file at a time (its concurrency is always 1)."""
    env = {
        **os.environ,
        "T": fake.token,
        "LIST_URL": f"{fake.base_url}/project/{SLUG}/{job}/artifacts",
    }
    process = await asyncio.create_subprocess_exec(
        "bash", "-o", "pipefail", "-c", GUIDE, cwd=dest, env=env
    )
    if await process.wait() != 0:
        raise RuntimeError(f"the guide's pipeline failed with status {process.returncode}")


Contestant = Callable[[Remote, int, Path, int], Awaitable[None]]


# Measuring ------------------------------------------------------------------------------------


def rss() -> int:
    """This process's resident memory in bytes (Linux `/proc/self/status`)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


@asynccontextmanager
async def peak_rss() -> AsyncIterator[list[int]]:
    """Sample RSS every 10 ms while the block runs; yields `[peak above start]`, set at exit."""
    start = rss()
    peak = [start]
    done = asyncio.Event()

    async def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss())
            with suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), timeout=0.01)

    result = [0]
    sampler = asyncio.create_task(sample())
    try:
        yield result
    finally:
        done.set()
        await sampler
        result[0] = max(peak[0], rss()) - start


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(MIB):
            digest.update(chunk)
    return digest.hexdigest()


def check(dest: Path, files: dict[str, str], by_name: bool) -> None:
    """Every expected file is there, byte-exact; wget keeps only the last path part."""
    for path, digest in files.items():
        where = dest / Path(path).name if by_name else dest / "0" / path
        if sha256(where) != digest:
            raise RuntimeError(f"{where} differs from the artifact")


@dataclass
class Result:
    name: str
    concurrency: int
    seconds: float
    peak_mib: float | None
    """RSS growth of this process while it ran (None for the guide's separate processes)."""
    leaked: bool
    """Whether the storage origin got the token during this contestant's run."""


async def measure(
    name: str, contestant: Contestant, fake: Remote, scenario: str, args: argparse.Namespace
) -> Result:
    job = fake.jobs[scenario]
    concurrency = 1 if contestant is guide else args.concurrency
    dest = Path(tempfile.mkdtemp(prefix=f"harvest-{scenario}-", dir=args.workdir))
    try:
        async with peak_rss() as grown:
            _, took = await timed(lambda: contestant(fake, job["job_number"], dest, concurrency))
        check(dest, job["files"], by_name=contestant is guide)
    finally:
        shutil.rmtree(dest, ignore_errors=True)
    peak = None if contestant is guide else grown[0] / MIB
    return Result(name, concurrency, took.wall, peak, await fake.storage_saw_token())


async def flat_memory(count: int, workdir: str | None) -> tuple[float, float]:
    """Seconds and RSS growth (MiB) of listing `count` files that are all present already.

    Each present file costs a one-byte size check, served here by an in-process fake that
    keeps no record of requests.
    """
    dest = Path(tempfile.mkdtemp(prefix="harvest-flat-", dir=workdir))
    (dest / "0").mkdir()
    (dest / "0" / "same.bin").write_bytes(b"present")
    try:
        async with FakeCircleCI(record=False, artifact_redirects=False) as fake:
            pipeline = fake.state.add_pipeline(SLUG)
            job = fake.state.add_job(fake.state.add_workflow(pipeline.id).id, name="flat")
            assert job.number is not None
            stored = fake.state.add_artifact(SLUG, job.number, "same.bin", b"present")
            artifact = Artifact(path="same.bin", node_index=0, url=fake.artifact_url(stored))

            def refs() -> Iterator[ArtifactRef]:
                for number in range(count):
                    yield ArtifactRef(artifact, SLUG, number)

            circle = CircleCI(fake.token, base_url=fake.base_url, artifact_hosts=["localhost"])
            async with circle, peak_rss() as grown:
                report, took = await timed(
                    lambda: circle.artifacts.download(refs(), dest, by_job=False, keep="failed")
                )
        assert report.skipped == count
    finally:
        shutil.rmtree(dest, ignore_errors=True)
    return took.wall, grown[0] / MIB


# The section ----------------------------------------------------------------------------------

CONTESTANTS: dict[str, Contestant] = {
    "circleci-async `download_job`": ours,
    "raw aiohttp, same concurrency": raw,
    "the guide's curl, grep and wget": guide,
}


async def run(*, smoke: bool = False, args: argparse.Namespace | None = None) -> Section:
    """Measure every contestant on both scenarios; the Markdown section."""
    args = args or parse([])
    if smoke:
        args.small_count, args.small_size = 50, 16 * 1024
        args.large_count, args.large_size = 2, 4 * MIB
        args.flat_count = 300
    results: dict[str, list[Result]] = {}
    async with remote(args) as fake:
        for scenario in ("small", "large"):
            results[scenario] = [
                await measure(name, contestant, fake, scenario, args)
                for name, contestant in CONTESTANTS.items()
            ]
    flat_seconds, flat_growth = await flat_memory(args.flat_count, args.workdir)

    section = Section(
        title="Harvest",
        setup=(
            f"One job of {args.small_count} × {args.small_size // 1024} KiB files and one of "
            f"{args.large_count} × {args.large_size // MIB} MiB, listed in one page and served "
            f"by a lean server in its own process (content from the fake; artifacts on localhost "
            f"answer 302 to a storage origin on 127.0.0.2; {args.latency * 1000:.0f} ms added to "
            f"every request); every file checked by SHA-256. Peak is MiB of RSS above the start of "
            f"the run, sampled every 10 ms (not measured for the guide's own processes). "
            f"The guide's pipeline is `{GUIDE}` with `http` for `https`; wget fetches one "
            f"file at a time and follows redirects with the token."
        ),
        header=["job", "contestant", "files at once", "seconds", "MiB/s", "time vs ours",
                "peak MiB", "token reached storage"],
    )  # fmt: skip
    for scenario, rows in results.items():
        total = fake.jobs[scenario]["size"] * len(fake.jobs[scenario]["files"]) / MIB
        baseline = rows[0].seconds
        for result in rows:
            section.rows.append(
                [
                    f"{len(fake.jobs[scenario]['files'])} × {scenario}",
                    result.name,
                    str(result.concurrency),
                    f"{result.seconds:.2f}",
                    f"{total / result.seconds:.0f}",
                    ratio(result.seconds, baseline),
                    "–" if result.peak_mib is None else f"{result.peak_mib:.0f}",
                    "yes" if result.leaked else "no",
                ]
            )
    large_peak = results["large"][0].peak_mib
    assert large_peak is not None
    small_ours, _, small_guide = (r.seconds for r in results["small"])
    large_ours, large_raw, _ = (r.seconds for r in results["large"])
    section.verdicts += [
        verdict(small_guide >= 20 * small_ours,
                f"at least 20× the guide's pipeline on the small files "
                f"({small_guide / small_ours:.1f}×)"),
        verdict(large_raw / large_ours >= 0.8,
                f"at least 0.8× raw aiohttp's bytes per second on the large files "
                f"({large_raw / large_ours:.2f}×)"),
        verdict(large_peak < 100, f"harvesting the large files grew RSS by {large_peak:.0f} MiB "
                "(target: under 100 MiB)"),
        verdict(not any(r[0].leaked for r in results.values()),
                "circleci-async never sent the token to the storage origin"),
        f"listing {args.flat_count:,} files that are all present (each kept after a one-byte "
        f"size check, "
        f"`keep=\"failed\"`): {flat_seconds:.1f} s, RSS grew {flat_growth:.1f} MiB",
    ]  # fmt: skip
    return section


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes; RESULTS.md untouched")
    parser.add_argument("--small-count", type=int, default=1000)
    parser.add_argument("--small-size", type=int, default=64 * 1024, help="bytes")
    parser.add_argument("--large-count", type=int, default=4)
    parser.add_argument("--large-size", type=int, default=128 * MIB, help="bytes")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--latency", type=float, default=0.01, help="seconds added per request")
    parser.add_argument("--flat-count", type=int, default=20_000, help="files for the memory line")
    parser.add_argument("--workdir", default=None, help="where files are written (default: temp)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.serve:
        asyncio.run(serve(args))
        return 0
    section = asyncio.run(run(smoke=args.smoke, args=args))
    print(section.markdown(), flush=True)
    if not (args.no_write or args.smoke):
        given = sys.argv[1:] if argv is None else argv
        write_sections([section], shlex.join(["python", "-m", "benchmarks.harvest", *given]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
