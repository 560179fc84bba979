"""A lean artifact server for the harvest benchmark, so the server is not what is measured.

It keeps CircleCI's shape: the API lists a job's artifacts (one page), the artifacts origin
(`localhost`) wants the token and answers 302 to a storage origin (`127.0.0.2`) that serves
the bytes with `Range` support and notes whether a token reached it. Content and checksums
come from the fake CircleCI's own blobs; each request waits `latency` seconds first.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from circleci_async.testing.records import ArtifactRecord

_RANGE = re.compile(r"bytes=(\d+)-$")


@dataclass
class LeanArtifacts:
    """The three origins and what they serve."""

    latency: float
    token: str
    artifacts: dict[str, ArtifactRecord] = field(default_factory=dict)
    listings: dict[str, bytes] = field(default_factory=dict)
    storage_saw_token: bool = False
    runners: list[web.AppRunner] = field(default_factory=list)
    ports: dict[str, int] = field(default_factory=dict)

    async def wait(self) -> None:
        if self.latency:
            await asyncio.sleep(self.latency)

    async def listing(self, request: web.Request) -> web.Response:
        await self.wait()
        if request.headers.get("Circle-Token") != self.token:
            return web.json_response({"message": "You must log in first."}, status=401)
        body = self.listings.get(request.match_info["job"])
        if body is None:
            return web.json_response({"message": "Job not found"}, status=404)
        return web.Response(body=body, content_type="application/json")

    async def redirect(self, request: web.Request) -> web.Response:
        await self.wait()
        if request.headers.get("Circle-Token") != self.token:
            return web.Response(status=401, text="You must log in first.")
        key = request.match_info["key"]
        target = f"http://127.0.0.2:{self.ports['storage']}/s/{key}?X-Amz-Signature=lean"
        return web.Response(status=302, headers={"Location": target})

    async def storage(self, request: web.Request) -> web.StreamResponse:
        await self.wait()
        if "Circle-Token" in request.headers or "Authorization" in request.headers:
            self.storage_saw_token = True
        artifact = self.artifacts.get(request.match_info["key"])
        if artifact is None:
            return web.Response(status=404, text="NoSuchKey")
        start = 0
        wanted = _RANGE.match(request.headers.get("Range", ""))
        response = web.StreamResponse()
        if wanted:
            start = int(wanted.group(1))
            response.set_status(206)
            response.headers["Content-Range"] = f"bytes {start}-{artifact.size - 1}/{artifact.size}"
        response.content_length = artifact.size - start
        response.content_type = "application/octet-stream"
        await response.prepare(request)
        for chunk in artifact.blob.chunks(start):
            await response.write(chunk)
        await response.write_eof()
        return response

    async def start(self) -> None:
        """Listen on the API, artifacts and storage origins."""
        for name, host, routes in (
            ("api", "127.0.0.1", [web.get("/api/v2/project/{a}/{b}/{c}/{job}/artifacts",
                                          self.listing)]),
            ("artifacts", "localhost", [web.get("/a/{key}/{path:.*}", self.redirect)]),
            ("storage", "127.0.0.2", [web.get("/s/{key}", self.storage)]),
        ):  # fmt: skip
            app = web.Application()
            app.add_routes(routes)
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, host, 0)
            await site.start()
            self.runners.append(runner)
            self.ports[name] = runner.addresses[0][1]

    async def close(self) -> None:
        """Stop every origin."""
        for runner in self.runners:
            await runner.cleanup()

    def add_job(self, job_number: int, artifacts: list[ArtifactRecord]) -> None:
        """List these artifacts for a job; their URLs point at the artifacts origin."""
        items: list[dict[str, Any]] = []
        for artifact in artifacts:
            key = f"{job_number}-{len(self.artifacts)}"
            self.artifacts[key] = artifact
            url = f"http://localhost:{self.ports['artifacts']}/a/{key}/{artifact.path}"
            items.append({"path": artifact.path, "node_index": 0, "url": url})
        page = {"items": items, "next_page_token": None}
        self.listings[str(job_number)] = json.dumps(page).encode()
