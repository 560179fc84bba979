"""Shared fixtures: fake CircleCI servers whose every JSON answer is checked against the spec."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from circleci_async.drift import DriftLog
from circleci_async.testing import FakeCircleCI, RecordedRequest

from .redis_helpers import RedisServer, running_redis
from .spec_validation import recorded_violations

FakeFactory = Callable[..., Awaitable[FakeCircleCI]]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "lenient: clients in this test read drift as warnings (not strict)"
    )


@pytest.fixture(scope="session")
def empty_home(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A home folder with no config files in it."""
    return str(tmp_path_factory.mktemp("home"))


@pytest.fixture(autouse=True)
def no_user_config(empty_home: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's config files or CircleCI variables (see cli/config.py)."""
    monkeypatch.setenv("HOME", empty_home)
    for variable in ("CIRCLECI_ASYNC_CONFIG", "XDG_CONFIG_HOME", "CIRCLECI_BASE_URL",
                     "CIRCLECI_CLI_HOST", "CIRCLECI_CLI_TOKEN"):  # fmt: skip
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture(autouse=True)
def strict_decoding(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every client in the tests is strict: an answer that drifts from the spec is an error.

    So neither the fake nor a scripted answer can drift unnoticed; tests of the lenient
    default are marked `lenient`.
    """
    if request.node.get_closest_marker("lenient") is not None:
        return
    original = DriftLog.__init__

    def strict_init(self: DriftLog, *, strict: bool = False) -> None:
        original(self, strict=True)

    monkeypatch.setattr(DriftLog, "__init__", strict_init)


@pytest_asyncio.fixture
async def fake_factory() -> AsyncIterator[FakeFactory]:
    """Start `FakeCircleCI(**options)` servers; at teardown close them and fail the test if any
    JSON response they sent violates the spec (see tests/spec_validation.py).

    The servers' `on_response` feeds that check: chain it rather than replace it.
    """
    answered: list[RecordedRequest] = []
    async with AsyncExitStack() as stack:

        async def make(**options: Any) -> FakeCircleCI:
            server = FakeCircleCI(on_response=answered.append, **options)
            return await stack.enter_async_context(server)

        yield make
    problems = recorded_violations(answered)
    if problems:
        shown = "\n".join(problems[:40])
        more = f"\n... and {len(problems) - 40} more" if len(problems) > 40 else ""
        pytest.fail(f"The fake sent responses that violate the spec:\n{shown}{more}", pytrace=False)


@pytest_asyncio.fixture
async def fake(fake_factory: FakeFactory) -> FakeCircleCI:
    """A started, empty `FakeCircleCI` (just the user), spec-checked at teardown."""
    return await fake_factory()


@pytest.fixture
def circle_token(fake: FakeCircleCI) -> str:
    """The token `fake` accepts."""
    return fake.token


@pytest.fixture
def auth_headers(circle_token: str) -> dict[str, str]:
    """Headers that authenticate to `fake`."""
    return {"Circle-Token": circle_token}


@pytest_asyncio.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp session, closed after the test."""
    async with aiohttp.ClientSession() as session:
        yield session


@dataclass(frozen=True)
class Answer:
    """A response read in full."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    json: Any


class Api:
    """Calls `fake`'s API with a raw aiohttp session; authenticated unless told otherwise."""

    def __init__(self, fake: FakeCircleCI, http: aiohttp.ClientSession) -> None:
        self.fake = fake
        self.http = http

    async def __call__(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        auth: bool = True,
        **kwargs: Any,
    ) -> Answer:
        sent = {"Circle-Token": self.fake.token} if auth else {}
        sent.update(headers or {})
        async with self.http.request(
            method, self.fake.base_url + path, headers=sent, **kwargs
        ) as response:
            body = await response.read()
            parsed = None
            if response.content_type == "application/json" and body:
                parsed = await response.json()
            return Answer(response.status, response.headers, body, parsed)

    async def get(self, path: str, **kwargs: Any) -> Answer:
        return await self("GET", path, **kwargs)


@pytest.fixture
def api(fake: FakeCircleCI, http: aiohttp.ClientSession) -> Api:
    """Call `fake`'s API: `await api.get("/me")`."""
    return Api(fake, http)


@pytest.fixture
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A real `redis-server` on a free loopback port, stopped after the test."""
    with running_redis(tmp_path_factory.mktemp("redis")) as server:
        yield server
