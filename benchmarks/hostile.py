"""Figures for a faulty or hostile server (issue 10): one line per case, before and after.

python -m benchmarks.hostile            # every case (about a minute)
python -m benchmarks.hostile gate walk  # only these cases

Each case talks to a scripted loopback server (plain aiohttp.web, so the script also runs
against older versions of the library) or drives the gate on virtual time. Memory cases run
in a child process and report its peak RSS.
"""

from __future__ import annotations

import asyncio
import errno
import heapq
import itertools
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from aiohttp import web

from circleci_async import CircleCI, RetryPolicy
from circleci_async.errors import CircleCIError
from circleci_async.gate import RateLimitGate
from circleci_async.wire import RateLimitInfo, error_message

TOKEN = "hostile-token-0123456789"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Virtual:
    """Virtual time for many tasks (sleepers wake in order)."""

    def __init__(self) -> None:
        self.now = 0.0
        self._heap: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._heap, (self.now + seconds, next(self._order), future))
        await future

    async def run(self, work: Awaitable[Any]) -> Any:
        task = asyncio.ensure_future(work)
        while not task.done():
            for _ in range(50):
                await asyncio.sleep(0)
            if task.done() or not self._heap:
                if not task.done():
                    await asyncio.sleep(0.001)
                continue
            wake, _, future = heapq.heappop(self._heap)
            self.now = max(self.now, wake)
            future.set_result(None)
        return task.result()


@asynccontextmanager
async def serve(handler: Handler) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}/api/v2"
    finally:
        await runner.cleanup()


def me() -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "login": "x", "name": "x"}


async def gate() -> str:
    out = []
    for label, info, success in (
        ("429 Remaining 0 Reset 1", RateLimitInfo(remaining=0, reset=1.0), False),
        (
            "200 Limit 100 Remaining 0 Reset 10",
            RateLimitInfo(limit=100, remaining=0, reset=10.0),
            True,
        ),
    ):
        clock = Virtual()
        g = RateLimitGate(clock=clock, sleep=clock.sleep, random=lambda: 0.0)
        g.observe(info, success=success)

        async def calls(g: RateLimitGate = g) -> None:
            for _ in range(200):
                await g.wait()
                g.finished()
                g.observe(None)

        await clock.run(calls())
        out.append(f"{label}, then 200 headerless calls: {clock.now:.1f} virtual s")
    return "; ".join(out)


async def long_waits() -> str:
    out = []
    count = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal count
        count += 1
        if count == 1:
            return web.json_response(
                {"message": "slow down"}, status=429, headers={"Retry-After": "86400"}
            )
        return web.json_response(me())

    async with serve(handler) as url:
        clock = Virtual()
        async with CircleCI(TOKEN, base_url=url, clock=clock, sleep=clock.sleep) as circle:
            try:
                await clock.run(circle.users.me())
            except CircleCIError as exc:
                out.append(f"first call: {type(exc).__name__}")
            clock.now += 3600
            try:
                await clock.run(circle.users.me())
                out.append("a call 1 h later: ok")
            except CircleCIError as exc:
                out.append(f"a call 1 h later: {type(exc).__name__} (server saw {count} requests)")

    async def paced(request: web.Request) -> web.StreamResponse:
        headers = {
            "X-RateLimit-Limit": "1",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": "86400",
        }
        return web.json_response(me(), headers=headers)

    async with serve(paced) as url:
        clock = Virtual()
        async with CircleCI(TOKEN, base_url=url, clock=clock, sleep=clock.sleep) as circle:
            results = []
            for _ in range(3):
                try:
                    await clock.run(circle.users.me())
                    results.append("ok")
                except CircleCIError as exc:
                    results.append(f"{type(exc).__name__} {getattr(exc, 'status', '')}")
            out.append(f"Limit 1 Remaining 0 Reset 86400 x3: {results}")
    return "; ".join(out)


async def artifact_wait() -> str:
    async def handler(request: web.Request) -> web.StreamResponse:
        if request.path.endswith("/artifacts"):
            base = f"http://{request.host}"
            items = [{"path": "a.txt", "node_index": 0, "url": f"{base}/files/a.txt"}]
            return web.json_response({"items": items, "next_page_token": None})
        if request.path.startswith("/files/"):
            return web.Response(status=503, headers={"Retry-After": "86400"}, text="busy")
        return web.json_response({}, status=404)

    async with serve(handler) as url:
        clock = Virtual()
        with tempfile.TemporaryDirectory() as dest:
            async with CircleCI(
                TOKEN, base_url=url, clock=clock, sleep=clock.sleep, artifact_hosts=["127.0.0.1"]
            ) as circle:
                report = await clock.run(circle.artifacts.download_job("gh/a/b", 1, dest))
        return f"artifact 503 Retry-After 86400: {clock.now:.0f} virtual s slept, ok={report.ok}"


async def walk() -> str:
    out = []
    count = 0

    async def endless(request: web.Request) -> web.StreamResponse:
        nonlocal count
        count += 1
        return web.json_response({"items": [], "next_page_token": uuid.uuid4().hex})

    async with serve(endless) as url, CircleCI(TOKEN, base_url=url) as circle:
        started = time.perf_counter()
        try:
            result = await asyncio.wait_for(circle.pipelines.mine("gh/a/b").first(), 3.0)
            out.append(f"first() on endless empty pages: {result!r}")
        except TimeoutError:
            out.append("first() on endless empty pages: still running after 3 s")
        except CircleCIError as exc:
            out.append(f"first() on endless empty pages: {type(exc).__name__}")
        out.append(f"{count} requests in {time.perf_counter() - started:.2f} s")
    count = 0

    async def ignores_offset(request: web.Request) -> web.StreamResponse:
        nonlocal count
        count += 1
        log = {"created_at": "2024-01-01T00:00:00Z", "decision": {"status": "PASS"}}
        return web.json_response([log] * 5)

    async with serve(ignores_offset) as url, CircleCI(TOKEN, base_url=url) as circle:
        started = time.perf_counter()
        walk = circle.policies.decision_logs("org", "config").collect()
        try:
            await asyncio.wait_for(walk, 3.0)
            out.append("offset ignored: ended")
        except TimeoutError:
            out.append("offset ignored: still running after 3 s")
        except CircleCIError as exc:
            out.append(f"offset ignored: {type(exc).__name__}")
        out.append(f"{count} requests in {time.perf_counter() - started:.2f} s")
    return "; ".join(out)


def html() -> str:
    page = ("<title>" * 20000).encode()[: 137 * 1024]
    started = time.perf_counter()
    error_message(page, "text/html")
    return (
        f"message from {len(page) // 1024} KiB of '<title>': {time.perf_counter() - started:.3f} s"
    )


async def deadline() -> str:
    count = 0

    async def hang(request: web.Request) -> web.StreamResponse:
        nonlocal count
        count += 1
        await asyncio.sleep(30)
        return web.json_response(me())

    async with (
        serve(hang) as url,
        CircleCI(TOKEN, base_url=url, timeout=1.0, retry=RetryPolicy(budget=1.5)) as circle,
    ):
        started = time.perf_counter()
        try:
            await circle.users.me()
        except CircleCIError as exc:
            name = type(exc).__name__
        spent = time.perf_counter() - started
    return f"hung GET, timeout 1 s, budget 1.5 s: {name} after {spent:.2f} s, {count} requests"


async def two_loops() -> str:
    out = []
    count = 0

    async def busy(request: web.Request) -> web.StreamResponse:
        nonlocal count
        count += 1
        if count == 1:
            return web.Response(status=503, headers={"Retry-After": "7"}, text="busy")
        return web.json_response(me())

    async with serve(busy) as url:
        clock = Virtual()
        async with CircleCI(TOKEN, base_url=url, clock=clock, sleep=clock.sleep) as circle:
            await clock.run(circle.users.me())
        out.append(f"API 503 Retry-After 7: retried after {clock.now:.2f} virtual s")

    limited = 0

    async def files(request: web.Request) -> web.StreamResponse:
        nonlocal limited
        if request.path.endswith("/artifacts"):
            base = f"http://{request.host}"
            items = [{"path": "a.txt", "node_index": 0, "url": f"{base}/files/a.txt"}]
            return web.json_response({"items": items, "next_page_token": None})
        limited += 1
        if limited <= 5:
            return web.Response(status=429, headers={"Retry-After": "1"}, text="slow")
        return web.Response(body=b"hello")

    async with serve(files) as url:
        clock = Virtual()
        with tempfile.TemporaryDirectory() as dest:
            async with CircleCI(
                TOKEN, base_url=url, clock=clock, sleep=clock.sleep, artifact_hosts=["127.0.0.1"]
            ) as circle:
                report = await clock.run(circle.artifacts.download_job("gh/a/b", 1, dest))
        out.append(f"download answered five 429s (policy: 8 allowed): ok={report.ok}")

    class Exhausted(aiohttp.ClientSession):
        sent = 0

        def _request(self, *args: Any, **kwargs: Any) -> Any:
            Exhausted.sent += 1
            raise OSError(errno.EMFILE, "Too many open files")

    async with serve(busy) as url:
        clock = Virtual()
        session = Exhausted()
        async with CircleCI(
            TOKEN, base_url=url, session=session, clock=clock, sleep=clock.sleep
        ) as circle:
            try:
                await clock.run(circle.users.me())
            except CircleCIError as exc:
                out.append(f"EMFILE: {type(exc).__name__} after {Exhausted.sent} sends")
        await session.close()
    return "; ".join(out)


_CHILD = r"""
import asyncio, resource, sys, zlib
from aiohttp import web
from circleci_async import CircleCI
from circleci_async.errors import CircleCIError
KIND, SIZE = sys.argv[1], int(sys.argv[2])
packer = zlib.compressobj(1, zlib.DEFLATED, 31)
ZEROS = bytes(1 << 20)
BOMB = b"".join([packer.compress(ZEROS) for _ in range(SIZE if KIND == "bomb" else 0)])
BOMB += packer.flush()
async def main():
    async def handler(request):
        if KIND == "big":
            response = web.StreamResponse(headers={"Content-Type": "application/json"})
            await response.prepare(request)
            await response.write(b'{"login": "' )
            chunk = b"x" * (1 << 20)
            for _ in range(SIZE):
                await response.write(chunk)
            await response.write(b'"}')
            return response
        if KIND == "bomb":
            headers = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
            return web.Response(body=BOMB, headers=headers)
        response = web.StreamResponse(status=404, headers={"Content-Type": "text/plain"})
        await response.prepare(request)
        chunk = b"n" * (1 << 20)
        for _ in range(SIZE):
            await response.write(chunk)
        return response
    app = web.Application(); app.router.add_route("*", "/{t:.*}", handler)
    runner = web.AppRunner(app, access_log=None); await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0); await site.start()
    host, port = runner.addresses[0][:2]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    async with CircleCI("t" * 20, base_url=f"http://{host}:{port}/api/v2") as circle:
        try:
            await circle.users.me(); outcome = "decoded"
        except CircleCIError as exc:
            outcome = type(exc).__name__
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{outcome}, peak RSS {peak // 1024} MiB (+{(peak - before) // 1024} MiB)")
    await runner.cleanup()
asyncio.run(main())
"""


def memory() -> str:
    out = []
    for kind, size, label in (
        ("big", 256, "256 MiB JSON answer"),
        ("bomb", 512, "gzip bomb inflating to 512 MiB"),
        ("error", 256, "256 MiB 404 body"),
    ):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, kind, str(size)],
            capture_output=True,
            text=True,
            check=False,
        )
        text = done.stdout.strip() or done.stderr.strip().splitlines()[-1]
        out.append(f"{label}: {text} in {time.perf_counter() - started:.1f} s")
    return "; ".join(out)


CASES: dict[str, Callable[[], Any]] = {
    "gate": gate,
    "waits": long_waits,
    "artifact_wait": artifact_wait,
    "walk": walk,
    "memory": memory,
    "html": html,
    "deadline": deadline,
    "loops": two_loops,
}


async def main(names: list[str]) -> None:
    for name in names or list(CASES):
        result = CASES[name]()
        if asyncio.iscoroutine(result):
            result = await result
        print(f"{name}: {result}", flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
