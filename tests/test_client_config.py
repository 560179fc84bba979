"""Setting a client up: tokens, headers, sessions, and what is refused before sending."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest
from aiohttp import web

from circleci_async import (
    APIError,
    CircleCI,
    CircleCIError,
    ConfigurationError,
    InvalidArgumentError,
    __version__,
)

from .scripted import scripted_server

SECRET = "s3cr3t-token-value"
USER = {"id": "7e5bd5a5-0000-4000-8000-000000000001", "login": "l", "name": "n", "avatar_url": None}


@pytest.fixture
def no_env_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CIRCLECI_TOKEN", raising=False)
    monkeypatch.delenv("CIRCLE_TOKEN", raising=False)


@pytest.mark.usefixtures("no_env_token")
def test_no_token_anywhere_is_a_clear_error() -> None:
    with pytest.raises(
        ConfigurationError, match=r"set CIRCLECI_TOKEN \(or CIRCLE_TOKEN, CIRCLECI_CLI_TOKEN\)"
    ):
        CircleCI()


@pytest.mark.usefixtures("no_env_token")
def test_token_comes_from_argument_then_circleci_token_then_circle_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CIRCLE_TOKEN", "from-circle")
    assert CircleCI().core.token.reveal() == "from-circle"
    monkeypatch.setenv("CIRCLECI_TOKEN", "from-circleci")
    assert CircleCI().core.token.reveal() == "from-circleci"
    assert CircleCI("from-arg").core.token.reveal() == "from-arg"


@pytest.mark.usefixtures("no_env_token")
@pytest.mark.parametrize(
    ("token", "problem"), [("", "empty"), ("ab cd", "spaces"), ("ab\ncd", "control")]
)
def test_unusable_tokens_are_refused(token: str, problem: str) -> None:
    with pytest.raises(ConfigurationError, match=problem):
        CircleCI(token)


@pytest.mark.parametrize(
    "base_url",
    ["ftp://x/api/v2", "circleci.com/api/v2", "https://u:p@h/api/v2", "https://h/api/v2?x=1"],
)
def test_bad_base_urls_are_refused(base_url: str) -> None:
    with pytest.raises(ConfigurationError, match="base_url"):
        CircleCI("t", base_url=base_url)


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="auth must be one of"):
        CircleCI("t", auth="basic")
    with pytest.raises(ConfigurationError, match="max_concurrency"):
        CircleCI("t", max_concurrency=0)
    with pytest.raises(ConfigurationError, match="timeout"):
        CircleCI("t", timeout=0)


def test_repr_never_shows_the_token() -> None:
    circle = CircleCI(SECRET)
    assert SECRET not in repr(circle)
    assert SECRET not in repr(circle.core.token)
    assert SECRET not in str(circle.core.token)
    assert "token=***" in repr(circle)


async def test_headers_sent_with_each_request() -> None:
    app_headers: list[dict[str, str]] = []

    async def handler(request: web.Request) -> web.Response:
        app_headers.append(dict(request.headers))
        return web.json_response(USER)

    async with scripted_server(handler) as url:
        async with CircleCI(SECRET, base_url=url) as circle:
            user = await circle.users.me()
            assert user.login == "l"
        async with CircleCI(SECRET, base_url=url, auth="bearer") as circle:
            await circle.users.me()
    default, bearer = app_headers
    assert default["Circle-Token"] == SECRET
    assert "Authorization" not in default
    assert default["Accept"] == "application/json"
    assert default["User-Agent"].startswith(f"circleci-async/{__version__} ")
    assert bearer["Authorization"] == f"Bearer {SECRET}"
    assert "Circle-Token" not in bearer


async def test_a_callers_session_is_used_and_left_open() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response(USER)

    async with scripted_server(handler) as url, aiohttp.ClientSession() as session:
        async with CircleCI("t", base_url=url, session=session) as circle:
            await circle.users.me()
        assert not session.closed
        with pytest.raises(CircleCIError, match="closed"):
            await circle.users.me()


async def test_invalid_arguments_fail_before_any_request() -> None:
    seen: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(request.path)
        return web.json_response({})

    async with scripted_server(handler) as url, CircleCI("t", base_url=url) as circle:
        with pytest.raises(InvalidArgumentError, match="malformed project slug"):
            circle.pipelines.list("gitlab/o/r")
        with pytest.raises(InvalidArgumentError, match="job_number must be an integer"):
            await circle.jobs.get("gh/o/r", "12b")  # type: ignore[arg-type]
        with pytest.raises(InvalidArgumentError, match="pass branch or tag, not both"):
            await circle.pipelines.trigger("gh/o/r", branch="main", tag="v1")
        with pytest.raises(InvalidArgumentError, match="parameter 'x' must be a string, number"):
            await circle.pipelines.trigger("gh/o/r", parameters={"x": [1]})
        with pytest.raises(InvalidArgumentError, match="pipeline_id must be a string"):
            await circle.pipelines.get(42)  # type: ignore[arg-type]
    assert seen == []


async def test_a_redirect_is_not_followed_with_the_token(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="circleci_async")
    elsewhere: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        if request.path.endswith("/me"):
            raise web.HTTPFound(location="http://127.0.0.1:9/elsewhere")
        elsewhere.append(request.path)
        return web.json_response(USER)

    async with scripted_server(handler) as url, CircleCI(SECRET, base_url=url) as circle:
        with pytest.raises(APIError, match="unexpected redirect") as caught:
            await circle.users.me()
    assert caught.value.status == 302
    assert elsewhere == []
    assert SECRET not in str(caught.value) + repr(caught.value)
    assert caplog.records
    assert all(SECRET not in record.getMessage() for record in caplog.records)


async def test_max_concurrency_bounds_requests_in_flight() -> None:
    in_flight = 0
    peak = 0
    release = asyncio.Event()

    async def handler(request: web.Request) -> web.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        if peak >= 5:
            release.set()
        await release.wait()
        in_flight -= 1
        return web.json_response(USER)

    async with scripted_server(handler) as url, CircleCI("t", base_url=url, max_concurrency=5) as c:
        users = await asyncio.gather(*(c.users.me() for _ in range(40)))
    assert len(users) == 40
    assert peak == 5


def test_api_calls_get_one_timer_and_downloads_a_per_read_timeout() -> None:
    from circleci_async.artifacts.service import _download_timeout

    api = CircleCI("t").core.timeout
    assert (api.total, api.sock_read, api.sock_connect) == (60, None, 15)
    download = _download_timeout(api)
    assert download.total is None
    assert download.sock_read == 60
    custom = CircleCI("t", timeout=5).core.timeout
    assert custom.total == 5
