"""Soak: many calls against a server with random faults; resources must stay flat.

`python -m benchmarks.soak` (not part of `benchmarks.run` nor the suite) sends `--calls`
(300,000) API calls, `--concurrency` at once, alternating `users.me()` and `jobs.get()`,
to a lean loopback server in its own process that answers at random with a 429
(`Retry-After: 0`), a 500 or 503, or a body cut off mid-way, else the real body (taken once
from the fake). Every `--every` calls it prints this process's RSS, open descriptors (and how
many are sockets), asyncio tasks and the errors seen so far; at the end, the growth from the
first sample after warm-up to the last. `--write` puts the table in RESULTS.md; `--smoke`
runs 400 calls (tests/test_benchmarks_smoke.py).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass

from aiohttp import web

from circleci_async import CircleCI, CircleCIError, RetryPolicy

from .common import Section, spawn, write_sections
from .lean import real_bodies

FAULTS = (("429", 0.002), ("500", 0.01), ("503", 0.01), ("cut", 0.01))
"""Each answer's chance of being this fault instead of the real body."""


def _pick(roll: float) -> str:
    """The fault a roll in [0, 1) falls on, or "" for the real answer."""
    for fault, share in FAULTS:
        if roll < share:
            return fault
        roll -= share
    return ""


async def _user_body() -> tuple[bytes, str, int, bytes, str]:
    slug, number, job_body, _, token = await real_bodies(1)
    user = json.dumps(
        {"id": "5034460f-c7c4-4c43-9457-de07e2029e7b", "login": "soak", "name": "Soak"}
    )
    return user.encode(), slug, number, job_body, token


async def serve(seed: int) -> None:
    """The faulty server: print its JSON line, serve until standard input closes."""
    user, slug, number, job_body, token = await _user_body()
    chance = random.Random(seed)

    async def answer(request: web.Request, body: bytes) -> web.StreamResponse:
        if request.headers.get("Circle-Token") != token:
            return web.json_response({"message": "You must log in first."}, status=401)
        fault = _pick(chance.random())
        if fault == "429":
            headers = {"Retry-After": "0"}
            return web.json_response(
                {"message": "Rate limit exceeded."}, status=429, headers=headers
            )
        if fault in ("500", "503"):
            return web.json_response({"message": "Internal server error."}, status=int(fault))
        if fault == "cut":
            response = web.StreamResponse(headers={"Content-Type": "application/json"})
            response.content_length = len(body)
            await response.prepare(request)
            await response.write(body[: len(body) // 2])
            if request.transport is not None:
                request.transport.close()
            return response
        return web.Response(body=body, content_type="application/json")

    async def me(request: web.Request) -> web.StreamResponse:
        return await answer(request, user)

    async def job(request: web.Request) -> web.StreamResponse:
        return await answer(request, job_body)

    app = web.Application()
    app.router.add_get("/api/v2/me", me)
    app.router.add_get(f"/api/v2/project/{slug}/job/{number}", job)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    line = {"base_url": f"http://{host}:{port}/api/v2", "token": token}
    print(json.dumps({**line, "slug": slug, "job_number": number}), flush=True)
    try:
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    finally:
        await runner.cleanup()


@dataclass
class Sample:
    """One look at this process's resources."""

    calls: int
    seconds: float
    rss_kib: int
    descriptors: int
    sockets: int
    tasks: int


def sample(calls: int, started: float) -> Sample:
    """RSS (after a collection), descriptors, sockets among them, and asyncio tasks now."""
    gc.collect()
    rss = 0
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    sockets = 0
    names = os.listdir("/proc/self/fd")
    for name in names:
        with contextlib.suppress(OSError):
            sockets += os.readlink(f"/proc/self/fd/{name}").startswith("socket:")
    return Sample(
        calls, time.perf_counter() - started, rss, len(names), sockets, len(asyncio.all_tasks())
    )


async def soak(calls: int, concurrency: int, every: int, seed: int) -> list[Sample]:
    """Run the soak against a fresh server process; print and return the samples."""
    async with spawn("benchmarks.soak", "--serve", f"--seed={seed}") as (_, info):
        retry = RetryPolicy(attempts=4, base_delay=0.001, max_delay=0.01)
        errors: Counter[str] = Counter()
        done = 0
        samples: list[Sample] = []
        started = time.perf_counter()
        async with CircleCI(
            info["token"], base_url=info["base_url"], retry=retry, max_concurrency=concurrency
        ) as circle:

            async def worker() -> None:
                nonlocal done
                while done < calls:
                    done += 1
                    nth = done
                    try:
                        if nth % 2:
                            await circle.users.me()
                        else:
                            await circle.jobs.get(info["slug"], info["job_number"])
                    except CircleCIError as error:
                        errors[type(error).__name__] += 1
                    if nth % every == 0:
                        samples.append(sample(nth, started))
                        print(row(samples[-1], errors), flush=True)

            samples.append(sample(0, started))
            print(row(samples[-1], errors), flush=True)
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            sent = circle.core.requests_sent
        after = sample(calls, started)
        print(f"requests sent (retries included): {sent:,}; errors after retries: {dict(errors)}")
        print(f"closed: {after.descriptors} fds, {after.sockets} sockets, {after.tasks} tasks")
        samples.append(after)
        return samples


def row(now: Sample, errors: Counter[str]) -> str:
    failed = sum(errors.values())
    return (
        f"{now.calls:>9,} calls {now.seconds:8.1f} s  RSS {now.rss_kib / 1024:7.1f} MiB  "
        f"fds {now.descriptors:4d} (sockets {now.sockets:3d})  tasks {now.tasks:4d}  "
        f"failed {failed}"
    )


def section(samples: list[Sample], calls: int, concurrency: int) -> Section:
    """The samples as a RESULTS.md section, with the growth after warm-up."""
    *running, closed = samples
    running.sort(key=lambda point: point.calls)
    warm = running[min(2, len(running) - 1)]
    last = running[-1]
    ending = last.calls - concurrency
    during = [point.tasks for point in running if warm.calls <= point.calls <= ending]
    shown = running if len(running) <= 12 else [*running[:: max(1, len(running) // 10)], last]
    shown = sorted({point.calls: point for point in shown}.values(), key=lambda p: p.calls)
    result = Section(
        "Soak: resources under random faults (issue 16)",
        f"{calls:,} calls ({concurrency} at once, `users.me()` and `jobs.get()` in turn) to a "
        "lean server in its own process that answers 0.2% 429 (`Retry-After: 0`), 1% 500, "
        "1% 503 and 1% a body cut off mid-way. Figures of the client's process; RSS after "
        "`gc.collect()`.",
        ["calls", "seconds", "RSS MiB", "descriptors", "sockets", "asyncio tasks"],
    )
    for point in shown:
        result.rows.append(
            [
                f"{point.calls:,}",
                f"{point.seconds:.1f}",
                f"{point.rss_kib / 1024:.1f}",
                str(point.descriptors),
                str(point.sockets),
                str(point.tasks),
            ]
        )
    growth = (last.rss_kib - warm.rss_kib) / 1024
    result.verdicts.append(
        f"from {warm.calls:,} to {last.calls:,} calls: RSS {growth:+.1f} MiB, descriptors "
        f"{last.descriptors - warm.descriptors:+d}, sockets {last.sockets - warm.sockets:+d}; "
        f"asyncio tasks {min(during or [warm.tasks])}-{max(during or [warm.tasks])} up to "
        f"{ending:,} calls (then the workers end one by one)"
    )
    result.verdicts.append(
        f"after the client closed: {closed.descriptors} descriptors, {closed.sockets} sockets, "
        f"{closed.tasks} asyncio task (the soak's own)"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=300_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--every", type=int, default=0, help="calls between samples")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--smoke", action="store_true", help="400 calls")
    parser.add_argument("--write", action="store_true", help="record the table in RESULTS.md")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.seed))
        return
    calls = 400 if args.smoke else args.calls
    every = args.every or max(1, calls // 20)
    samples = asyncio.run(soak(calls, args.concurrency, every, args.seed))
    result = section(samples, calls, args.concurrency)
    print(result.markdown())
    if args.write:
        command = " ".join(["python -m benchmarks.soak", *sys.argv[1:]])
        write_sections([result], command)


if __name__ == "__main__":
    main()
