"""Walks decode items one at a time, and look one page ahead only in long walks."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest
from aiohttp import web

from circleci_async import CircleCI, InvalidArgumentError
from circleci_async.testing import FakeCircleCI

from .scripted import scripted_server


def api_requests(fake: FakeCircleCI) -> int:
    return sum(1 for r in fake.requests if r.origin == "api")


async def test_first_and_take_request_no_page_they_do_not_read(fake: FakeCircleCI) -> None:
    project = fake.state.add_project("gh/acme/app")
    for _ in range(10):
        fake.state.add_pipeline(project.slug)
    fake.page_size = 3
    async with CircleCI(fake.token, base_url=fake.base_url) as circle:
        listing = circle.pipelines.list(project.slug)
        assert await listing.first() is not None
        assert api_requests(fake) == 1
        assert len(await listing.take(7)) == 7
        assert api_requests(fake) == 1 + 3


async def test_a_long_walk_reads_every_page_once_in_order(fake: FakeCircleCI) -> None:
    project = fake.state.add_project("gh/acme/app")
    for _ in range(10):
        fake.state.add_pipeline(project.slug)
    fake.page_size = 3
    async with CircleCI(fake.token, base_url=fake.base_url) as circle:
        listing = circle.pipelines.list(project.slug)
        walked = [pipeline.number async for pipeline in listing]
        assert api_requests(fake) == 4
        assert walked == sorted(walked, reverse=True)
        assert len(set(walked)) == 10
        assert [p.number for p in await listing.collect()] == walked


async def test_an_abandoned_walk_asks_for_one_page_ahead_at_most(fake: FakeCircleCI) -> None:
    project = fake.state.add_project("gh/acme/app")
    for _ in range(12):
        fake.state.add_pipeline(project.slug)
    fake.page_size = 3
    async with CircleCI(fake.token, base_url=fake.base_url) as circle:
        seen = 0
        async for _ in circle.pipelines.list(project.slug):
            seen += 1
            if seen == 4:  # the first item of page 2
                break
        gc.collect()
        ahead = await circle.pipelines.list(project.slug).take(1)
    assert ahead
    assert api_requests(fake) in (2 + 1, 3 + 1)  # pages 1-2 (+ page 3 ahead), then take


async def test_a_limited_stream_reads_ahead_only_pages_it_needs(fake: FakeCircleCI) -> None:
    project = fake.state.add_project("gh/acme/app")
    for _ in range(12):
        fake.state.add_pipeline(project.slug)
    fake.page_size = 3
    async with CircleCI(fake.token, base_url=fake.base_url) as circle:
        listing = circle.pipelines.list(project.slug)
        streamed = [p.number async for p in listing.items(7)]
        assert len(streamed) == 7
        assert api_requests(fake) == 3
        assert [p.number async for p in listing.items(6)] == streamed[:6]
        assert api_requests(fake) == 3 + 2
        assert [p async for p in listing.items(0)] == []
        assert api_requests(fake) == 5
        with pytest.raises(InvalidArgumentError, match="limit"):
            listing.items(-1)


async def test_an_abandoned_walk_whose_next_page_failed_logs_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def page(token: str, following: str | None) -> dict[str, Any]:
        job: dict[str, Any] = {
            "id": token,
            "name": "j",
            "project_slug": "gh/o/r",
            "status": "success",
            "type": "build",
            "dependencies": [],
            "started_at": None,
        }
        return {"items": [job, {**job, "id": token + "-2"}], "next_page_token": following}

    async def handler(request: web.Request) -> web.Response:
        token = request.query.get("page-token")
        if token == "p3":
            return web.json_response({"message": "Gone"}, status=404)
        return web.json_response(page("p2", "p3") if token == "p2" else page("p1", "p2"))

    async with scripted_server(handler) as url, CircleCI("t", base_url=url) as circle:
        walk = circle.workflows.jobs("wf").__aiter__()
        assert [(await anext(walk)).id for _ in range(3)] == ["p1", "p1-2", "p2"]
        ahead = walk._next  # type: ignore[attr-defined]
        assert ahead is not None
        await asyncio.wait([ahead])
        assert ahead.done()
        assert not ahead.cancelled()  # it failed: page p3 answered 404
        del walk, ahead
        gc.collect()
    assert "never retrieved" not in caplog.text
