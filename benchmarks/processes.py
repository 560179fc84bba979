"""Beyond one process: a rate-limit gate shared through Redis, and a harvest on Dask.

python -m benchmarks.run --only sharedgate --only dask     # the figures, into RESULTS.md
python -m benchmarks.run --smoke --only sharedgate         # seconds; RESULTS.md untouched

Shared gate: several processes make calls on one token against the fake's token bucket,
first each with its own in-process gate, then all through one Redis gate (a redis-server on
a free loopback port, started here). Dask: a plan of many small files downloaded by one
process, and by a `distributed.LocalCluster` of 2 worker processes.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from circleci_async import CircleCI

from .common import Section, ratio, remote_fake, seconds, verdict
from .gate_worker import run_phase, workers
from .harvest import SLUG, check, parse, remote


@asynccontextmanager
async def redis_server() -> AsyncIterator[str]:
    """A throwaway `redis-server` on a free loopback port; its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (Debian: apt-get install redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with tempfile.TemporaryDirectory() as folder:
        process = await asyncio.create_subprocess_exec(
            binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", folder,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 15
            while True:
                try:
                    _, writer = await asyncio.open_connection("127.0.0.1", port)
                    writer.close()
                    await writer.wait_closed()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("redis-server did not start") from None
                    await asyncio.sleep(0.05)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            await process.wait()


async def run_gate(*, smoke: bool) -> Section:
    """Shared gate vs per-process gates vs the ideal; the Markdown section."""
    count, calls, rate, tasks = (2, 30, 40, 4) if smoke else (4, 250, 100, 16)
    rows: dict[str, tuple[float, int]] = {}
    async with redis_server() as url, workers(count, "unused") as processes:
        for name, gate_url in (("per-process gates", None), ("one Redis gate", url)):
            async with remote_fake(rps=rate) as fake:
                started = time.perf_counter()
                figures = await run_phase(
                    processes, base_url=fake.base_url, gate_url=gate_url, calls=calls,
                    tasks=tasks, token=fake.token,
                )  # fmt: skip
                took = time.perf_counter() - started
            if gate_url is not None and not all(f["shared"] for f in figures):
                raise RuntimeError("a process fell back to its local gate")
            rows[name] = (took, sum(int(f["limited"]) for f in figures))
    requests = count * calls
    ideal = requests / rate
    section = Section(
        title="Shared rate-limit gate",
        setup=(
            f"{count} processes × {calls} calls of `users.me()` ({tasks} tasks each) on one token; "
            f"the fake (its own process) allows {rate} requests/s (token bucket, burst {rate}) "
            f"and answers 429 with Retry-After beyond. Seconds from the common start to the last "
            f"process's end; 429s counted by the clients."
        ),
        header=["gates", "seconds", "vs ideal", "429s received"],
    )
    section.rows.append(["ideal (requests ÷ rate)", seconds(ideal), "1.00×", "0"])
    for name, (took, limited) in rows.items():
        section.rows.append([name, seconds(took), ratio(took, ideal), str(limited)])
    shared_s, shared_429 = rows["one Redis gate"]
    _, own_429 = rows["per-process gates"]
    section.verdicts = [
        verdict(shared_s <= 1.25 * ideal, f"within 1.25× of the ideal ({shared_s / ideal:.2f}×)"),
        verdict(
            shared_429 * 10 <= max(own_429, 1),
            f"429s at most a tenth of the per-process gates' ({shared_429} vs {own_429})",
        ),
    ]
    return section


async def run_dask(*, smoke: bool) -> Section:
    """One process vs a 2-worker LocalCluster on the same plan; the Markdown section."""
    import distributed

    from circleci_async.dask import WorkerClient, harvest

    count, size, concurrency = (40, 1024, 8) if smoke else (2000, 1024, 32)
    args = parse(["--small-count", str(count), "--small-size", str(size), "--large-count", "0"])
    results: dict[str, float] = {}
    async with remote(args) as fake:
        job = fake.jobs["small"]["job_number"]
        files = fake.jobs["small"]["files"]
        hosts = ["localhost"]
        async with CircleCI(fake.token, base_url=fake.base_url, artifact_hosts=hosts) as circle:
            plan = await circle.artifacts.plan_job(SLUG, job)
            for label, width in (("one process", concurrency), ("one process", 2 * concurrency)):
                with tempfile.TemporaryDirectory() as folder:
                    started = time.perf_counter()
                    report = await circle.artifacts.download(plan, folder, concurrency=width)
                    results[f"{label}, {width} files at once"] = time.perf_counter() - started
                    if not report.ok:
                        raise RuntimeError(report.summary())
                    check(Path(folder), files, by_name=False)
        os.environ["CIRCLECI_TOKEN"] = fake.token
        started = time.perf_counter()
        cluster = await asyncio.to_thread(
            distributed.LocalCluster,
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        )  # fmt: skip
        client = await asyncio.to_thread(distributed.Client, cluster)
        startup = time.perf_counter() - started
        try:
            settings = WorkerClient(base_url=fake.base_url, artifact_hosts=hosts)
            timings = []
            for _ in range(1 if smoke else 3):
                with tempfile.TemporaryDirectory() as folder:
                    started = time.perf_counter()
                    report = await asyncio.to_thread(
                        harvest, client, plan, folder, workers=settings, timeout=600,
                        concurrency=concurrency,
                    )  # fmt: skip
                    timings.append(time.perf_counter() - started)
                    if not report.ok:
                        raise RuntimeError(report.summary())
                    check(Path(folder), files, by_name=False)
            results[f"Dask, 2 workers × {concurrency} files at once"] = statistics.median(timings)
        finally:
            await asyncio.to_thread(client.close)
            await asyncio.to_thread(cluster.close)
    baseline = next(iter(results.values()))
    section = Section(
        title="Harvest on Dask",
        setup=(
            f"A plan of {count} files of {size} B (one job), listed once; the lean artifact "
            f"server of the Harvest section in its own process, {args.latency * 1000:.0f} ms "
            f"added to every request (artifact and storage origins, so 20 ms per file); every "
            f"file checked by SHA-256. The Dask row is the median of its runs and excludes "
            f"starting the cluster ({startup:.1f} s). This machine has {os.cpu_count()} cores, "
            f"shared by the server, the client and the workers, so 2 workers cannot reach "
            f"2× here: the gain is bounded by the cores, and a real cluster's gain comes from "
            f"machines with their own network and disks."
        ),
        header=["harvest", "seconds", "files/s", "time vs one process"],
    )
    for name, took in results.items():
        section.rows.append([name, f"{took:.2f}", f"{count / took:.0f}", ratio(took, baseline)])
    return section
