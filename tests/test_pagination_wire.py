"""Paging cases scripted by hand over loopback: empty middle pages, deprecations, resumption."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

from circleci_async import APIDeprecationWarning, CircleCI, PaginationError

from .scripted import scripted_server

JOB = {
    "id": "0c6d9a43-0000-4000-8000-000000000000",
    "name": "build",
    "project_slug": "gh/o/r",
    "status": "success",
    "type": "build",
    "dependencies": [],
    "started_at": "2024-01-01T00:00:00Z",
}

PAGES: dict[str | None, tuple[list[str], str | None]] = {
    None: (["a", "b"], "t1"),
    "t1": ([], "t2"),
    "t2": ([], "t3"),
    "t3": (["c"], "t4"),
    "t4": ([], None),
}


async def paged_jobs(request: web.Request) -> web.Response:
    token = request.query.get("page-token")
    names, next_token = PAGES[token]
    return web.json_response(
        {"items": [{**JOB, "name": name} for name in names], "next_page_token": next_token}
    )


async def test_empty_pages_in_the_middle_do_not_end_the_walk() -> None:
    async with scripted_server(paged_jobs) as url, CircleCI("t", base_url=url) as circle:
        names = [job.name async for job in circle.workflows.jobs("wf")]
        assert names == ["a", "b", "c"]
        pages = [page async for page in circle.workflows.jobs("wf").pages()]
        assert [len(page.items) for page in pages] == [2, 0, 0, 1, 0]
        assert [page.next_page_token for page in pages] == ["t1", "t2", "t3", "t4", None]


async def test_a_walk_resumes_from_a_page_token() -> None:
    async with scripted_server(paged_jobs) as url, CircleCI("t", base_url=url) as circle:
        rest = await circle.workflows.jobs("wf", page_token="t3").collect()
        assert [job.name for job in rest] == ["c"]


async def test_first_and_take_stop_early() -> None:
    calls: list[str | None] = []

    async def counting(request: web.Request) -> web.Response:
        calls.append(request.query.get("page-token"))
        return await paged_jobs(request)

    async with scripted_server(counting) as url, CircleCI("t", base_url=url) as circle:
        first = await circle.workflows.jobs("wf").first()
        assert first is not None
        assert first.name == "a"
        assert calls == [None]
        taken = await circle.workflows.jobs("wf").take(3)
        assert [job.name for job in taken] == ["a", "b", "c"]
        assert calls == [None, None, "t1", "t2", "t3"]
        assert await circle.workflows.jobs("wf").take(0) == []


async def test_collect_limit_guards_against_huge_lists() -> None:
    async with scripted_server(paged_jobs) as url, CircleCI("t", base_url=url) as circle:
        with pytest.raises(PaginationError, match="more than the limit of 2"):
            await circle.workflows.jobs("wf").collect(limit=2)


async def test_deprecation_headers_warn_once_per_endpoint() -> None:
    async def deprecated(request: web.Request) -> web.Response:
        return web.json_response(
            {"id": "u", "login": "l", "name": "n", "avatar_url": None},
            headers={"Deprecation": "true", "Sunset": "Sat, 01 May 2027 00:00:00 GMT"},
        )

    async with scripted_server(deprecated) as url, CircleCI("t", base_url=url) as circle:
        with pytest.warns(APIDeprecationWarning, match="getCurrentUser.*Sunset") as caught:
            await asyncio.gather(circle.users.me(), circle.users.me(), circle.users.me())
        assert len(caught) == 1
