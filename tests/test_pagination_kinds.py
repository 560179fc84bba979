"""The other ways CircleCI pages: offsets, page sizes, limits, and tokens the spec forgot."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from circleci_async import CircleCI

from .operation_calls import ID, SLUG
from .scripted import scripted_server

LOG = {"id": ID, "decision": {"status": "PASS"}}


def decision_logs(total: int, page_size: int, offsets: list[str | None]) -> Any:
    async def handler(request: web.Request) -> web.Response:
        offsets.append(request.query.get("offset"))
        start = int(request.query.get("offset", "0"))
        count = max(0, min(page_size, total - start))
        return web.json_response([{**LOG, "time_taken_ms": start + i} for i in range(count)])

    return handler


async def test_decision_logs_page_by_offset_until_a_short_page() -> None:
    offsets: list[str | None] = []
    async with (
        scripted_server(decision_logs(5, 2, offsets)) as url,
        CircleCI("t", base_url=url) as circle,
    ):
        logs = await circle.policies.decision_logs(ID, "config").collect()
        pages = [page async for page in circle.policies.decision_logs(ID, "config").pages()]
    assert [log.time_taken_ms for log in logs] == [0, 1, 2, 3, 4]
    assert offsets[:3] == [None, "2", "4"]
    assert [page.next_page_token for page in pages] == ["2", "4", None]


async def test_decision_logs_stop_on_an_empty_page_and_resume_from_an_offset() -> None:
    offsets: list[str | None] = []
    async with (
        scripted_server(decision_logs(4, 2, offsets)) as url,
        CircleCI("t", base_url=url) as circle,
    ):
        assert len(await circle.policies.decision_logs(ID, "config").collect()) == 4
        assert offsets == [None, "2", "4"]
        offsets.clear()
        rest = await circle.policies.decision_logs(ID, "config", offset=2).collect()
        assert [log.time_taken_ms for log in rest] == [2, 3]
        assert offsets == ["2", "4"]


async def test_lists_without_a_declared_page_token_still_send_it() -> None:
    tokens: list[str | None] = []

    async def handler(request: web.Request) -> web.Response:
        token = request.query.get("page-token")
        tokens.append(token)
        item = {"name": "FOO" if token is None else "BAR", "value": "xxxx1234"}
        return web.json_response({"items": [item], "next_page_token": token or "next"})

    async with scripted_server(handler) as url, CircleCI("t", base_url=url) as circle:
        names = [env_var.name for env_var in await circle.projects.env_vars(SLUG).take(2)]
    assert names == ["FOO", "BAR"]
    assert tokens == [None, "next"]


async def test_deploy_lists_send_a_page_size_and_accept_pages_without_items() -> None:
    queries: list[dict[str, str]] = []

    async def handler(request: web.Request) -> web.Response:
        queries.append(dict(request.query))
        if "page-token" in request.query:
            return web.json_response({})
        return web.json_response({"items": [{"id": ID, "name": "prod"}], "next_page_token": "p2"})

    async with scripted_server(handler) as url, CircleCI("t", base_url=url) as circle:
        environments = await circle.deploys.environments(ID).collect()
        await circle.deploys.components(ID, page_size=5).first()
    assert [environment.name for environment in environments] == ["prod"]
    assert queries == [
        {"org-id": ID, "page-size": "20"},
        {"org-id": ID, "page-size": "20", "page-token": "p2"},
        {"org-id": ID, "page-size": "5"},
    ]


async def test_groups_send_their_limit_and_read_past_the_total_count() -> None:
    queries: list[dict[str, str]] = []

    async def handler(request: web.Request) -> web.Response:
        queries.append(dict(request.query))
        group = {"id": ID, "name": "devs", "description": "developers"}
        return web.json_response({"items": [group], "next_page_token": None, "total_count": 1})

    async with scripted_server(handler) as url, CircleCI("t", base_url=url) as circle:
        groups = await circle.groups.list("org-1", limit=50).collect()
    assert [group.name for group in groups] == ["devs"]
    assert queries == [{"limit": "50"}]
