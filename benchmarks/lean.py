"""A lean loopback server with precomputed bodies, so the server is never the bottleneck.

The bodies are real ones: fetched once from the fake CircleCI at start-up. Then job details
and pipeline pages are served from bytes, with an optional latency per request.
"""

from __future__ import annotations

import asyncio
import json

import aiohttp
from aiohttp import web

from circleci_async.testing import FakeCircleCI


async def real_bodies(page_size: int) -> tuple[str, int, bytes, bytes, str]:
    """A job's details, a page of pipelines and a user, as the fake sends them."""
    async with FakeCircleCI(page_size=page_size) as fake:
        project = fake.state.add_project("gh/bench/app")
        for _ in range(page_size):
            pipeline = fake.state.add_pipeline(project.slug)
        job = fake.state.add_job(fake.state.add_workflow(pipeline.id).id, name="build")
        assert job.number is not None
        headers = {"Circle-Token": fake.token}
        async with aiohttp.ClientSession(headers=headers) as session:
            base = fake.base_url
            async with session.get(f"{base}/project/{project.slug}/job/{job.number}") as got:
                job_body = await got.read()
            async with session.get(f"{base}/project/{project.slug}/pipeline") as got:
                items = json.dumps((await got.json())["items"]).encode()
        return project.slug, job.number, job_body, items, fake.token


async def start_lean(
    *, latency: float, pipelines: int, page_size: int
) -> tuple[web.AppRunner, dict[str, object]]:
    """Start the lean server; return its runner and the line that describes it."""
    slug, job_number, job_body, items, token = await real_bodies(page_size)
    pages = max(1, -(-pipelines // page_size))

    def authorized(request: web.Request) -> bool:
        return request.headers.get("Circle-Token") == token

    async def job(request: web.Request) -> web.Response:
        if not authorized(request):
            return web.json_response({"message": "You must log in first."}, status=401)
        if latency:
            await asyncio.sleep(latency)
        return web.Response(body=job_body, content_type="application/json")

    async def pipeline_page(request: web.Request) -> web.Response:
        if not authorized(request):
            return web.json_response({"message": "You must log in first."}, status=401)
        if latency:
            await asyncio.sleep(latency)
        number = int(request.query.get("page-token") or 0)
        following = f'"{number + 1}"'.encode() if number + 1 < pages else b"null"
        body = b'{"items":' + items + b',"next_page_token":' + following + b"}"
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    for spelled in (slug, slug.replace("gh/", "github/", 1)):
        app.router.add_get(f"/api/v2/project/{spelled}/job/{job_number}", job)
        app.router.add_get(f"/api/v2/project/{spelled}/pipeline", pipeline_page)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    line: dict[str, object] = {
        "base_url": f"http://{host}:{port}/api/v2",
        "token": token,
        "slug": slug,
        "job_number": job_number,
        "items": pages * page_size,
    }
    return runner, line
