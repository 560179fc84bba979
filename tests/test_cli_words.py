"""The smaller conventions: negative-looking values, one date format, help and hints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from circleci_async.testing import FakeCircleCI

from .artifacts_helpers import add_job
from .cli_helpers import against, assert_table, ok, run

SLUG = "gh/acme/api-server"
TABLE_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ")


async def test_a_negative_shard_is_named_not_taken_for_a_flag(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["artifacts", "download", "--pipeline", "p", "--dest", "d", "--shard", "-1/2"]
    assert await run(against(fake, *args)) == 2
    err = capsys.readouterr().err
    assert "argument --shard: shard -1/2 is outside 0 <= I < N" in err
    assert "expected one argument" not in err


async def test_envvars_list_shows_dates_as_every_other_table(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.state.add_project(SLUG)
    assert await run(against(fake, "envvars", "set", SLUG, "API_KEY", "battery")) == 0
    capsys.readouterr()
    [row] = assert_table(
        await ok(fake, capsys, "envvars", "list", SLUG), ["NAME", "VALUE", "CREATED"]
    )
    assert TABLE_TIME.search(row), row
    assert "joda" not in row


def test_help_of_the_client_names_every_service() -> None:
    import pydoc

    from circleci_async import CircleCI

    shown = pydoc.render_doc(CircleCI, renderer=pydoc.TextDoc())
    services = [name for name in CircleCI.__annotations__ if not name.startswith("_")]
    assert len(services) >= 20
    for name in services:
        assert f"`{name}`" in shown, name


async def test_awaiting_a_paginator_says_how_to_read_it(fake: FakeCircleCI) -> None:
    from circleci_async import CircleCI

    async with CircleCI(fake.token, base_url=fake.base_url) as circle:
        with pytest.raises(TypeError, match=r"await paginator.collect\(\)"):
            await circle.pipelines.list(SLUG)


def test_a_slug_with_accents_says_names_are_ascii() -> None:
    from circleci_async.checks import validate_project_slug
    from circleci_async.errors import InvalidArgumentError

    with pytest.raises(InvalidArgumentError, match="only ASCII letters"):
        validate_project_slug("gh/acmé/ápi")


async def test_a_host_refused_for_want_of_the_token_is_named_with_the_flag(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    number = add_job(fake, slug=SLUG)
    for i in range(3):
        fake.state.add_artifact(SLUG, number, f"out/{i}.txt", b"data")
    args = ["artifacts", "download", SLUG, "--job", str(number), "--dest", str(tmp_path)]
    assert await run(against(fake, *args)) == 1
    err = capsys.readouterr().err
    hint = "the token was held back from localhost, which is not a trusted artifact host"
    assert err.count(hint) == 1
    assert "trust it with --artifact-host localhost" in err
    assert fake.token not in err
