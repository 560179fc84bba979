"""`circleci-async api METHOD PATH`: any call through `circle.raw`, JSON out."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from circleci_async.testing import FakeCircleCI

from .cli_helpers import against, json_lines, ok, run
from .conftest import FakeFactory

SLUG = "gh/acme/api-server"


async def test_api_get_prints_the_answer_as_json(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    [me] = json_lines(await ok(fake, capsys, "api", "GET", "/me"))
    assert me["login"] == "fake-user"
    [again] = json_lines(await ok(fake, capsys, "api", "get", "me"))
    assert again == me


async def test_api_fills_placeholders_and_sends_query_fields(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.state.add_pipeline(SLUG, branch="main")
    fake.state.add_pipeline(SLUG, branch="feature")
    args = ["api", "GET", "/project/{project-slug}/pipeline", "-f", f"project-slug={SLUG}"]
    [page] = json_lines(await ok(fake, capsys, *args, "-f", "branch=feature"))
    assert [p["vcs"]["branch"] for p in page["items"]] == ["feature"]
    [request] = [r for r in fake.requests if r.operation_id == "listPipelinesForProject"]
    assert request.query == {"branch": "feature"}


async def test_api_paginate_prints_every_item_of_every_page(
    fake_factory: FakeFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = await fake_factory(page_size=2)
    made = [fake.state.add_pipeline(SLUG) for _ in range(5)]
    out = await ok(fake, capsys, "api", "GET", f"/project/{SLUG}/pipeline", "--paginate")
    assert sorted(item["id"] for item in json_lines(out)) == sorted(p.id for p in made)
    assert sum(1 for r in fake.requests if r.path.endswith("/pipeline")) == 3


async def test_api_post_sends_typed_fields_and_input_as_the_body(
    fake: FakeCircleCI,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake.state.add_project(SLUG)
    body = tmp_path / "body.json"
    body.write_text(json.dumps({"parameters": {"deploy": True}}), encoding="utf-8")
    args = ["api", "POST", f"/project/{SLUG}/pipeline", "--input", str(body)]
    [created] = json_lines(await ok(fake, capsys, *args, "-f", "branch=main"))
    assert created["number"] >= 1
    made = fake.state.pipelines[created["id"]]
    assert (made.branch, made.parameters) == ("main", {"deploy": True})
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"tag": "v1"}'))
    [created] = json_lines(await ok(fake, capsys, *args[:-1], "-"))
    assert fake.state.pipelines[created["id"]].tag == "v1"


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["FETCH", "/me"], "METHOD"),
        (["GET", "/me", "-f", "novalue"], "key=value"),
        (["GET", "/me", "--input", "x.json"], "--input sends a body"),
        (["POST", "/me", "--paginate"], "--paginate needs GET"),
        (["POST", "/me", "--input", "missing.json"], "--input missing.json"),
        (["GET", "/../../health"], "not one path under the API root"),
        (["GET", "/me?x=1"], "not one path under the API root"),
    ],
)
async def test_a_wrong_api_call_is_one_line_and_exit_2(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str], args: list[str], named: str
) -> None:
    status = await run(against(fake, "api", *args))
    err = capsys.readouterr().err
    assert status == 2, err
    assert named in err
    assert err.count("\n") == 1
    assert not fake.requests


async def test_an_api_error_is_exit_1_with_the_servers_message(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    status = await run(against(fake, "api", "GET", "/pipeline/no-such-pipeline"))
    err = capsys.readouterr().err
    assert status == 1
    assert "404" in err
