"""No token in a traceback's locals, a repr or `vars()` of the client, its core or its errors.

Formatting a traceback with locals (`capture_locals=True`, as Sentry-like reporters and
`traceback.TracebackException` do) of a failed `CircleCI(...)` must work, half-built object
and all, and must not print the token; nor may the locals of a failed call over loopback.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest

from circleci_async import CircleCI, CircleCIError, ConfigurationError, NotFoundError
from circleci_async.secret import Secret
from circleci_async.testing import FakeCircleCI

TOKEN = "tok-1f2e3d4c5b6a79880123456789abcdef"
WITH_SPACE = "tok-1f2e3d4c 5b6a79880123456789abcdef"


def formatted(exc: BaseException) -> str:
    """The traceback of `exc` with the locals of the library's frames, as a reporter prints it.

    The test's own frames (which hold the token, to compare) are left out.
    """
    report = traceback.TracebackException.from_exception(exc, capture_locals=True)
    for shown_exc in (report, report.__cause__, report.__context__):
        if shown_exc is not None:
            frames = [f for f in shown_exc.stack if "/circleci_async/" in f.filename]
            shown_exc.stack = traceback.StackSummary.from_list(frames)
    return "".join(report.format())


FAILURES: dict[str, Callable[[], object]] = {
    "bad base_url": lambda: CircleCI(TOKEN, base_url="ftp://example.com"),
    "bad max_concurrency": lambda: CircleCI(TOKEN, max_concurrency=0),
    "bad auth": lambda: CircleCI(TOKEN, auth="basic"),
    "bad timeout": lambda: CircleCI(TOKEN, timeout=-1),
    "bad max_response_bytes": lambda: CircleCI(TOKEN, max_response_bytes=0),
    "token with a space": lambda: CircleCI(WITH_SPACE),
    "token of bytes": lambda: CircleCI(TOKEN.encode()),  # type: ignore[arg-type]
}


@pytest.mark.parametrize("failure", sorted(FAILURES))
def test_a_failed_construction_formats_with_locals_and_hides_the_token(failure: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        FAILURES[failure]()
    text = formatted(caught.value)
    assert "ConfigurationError" in text
    for secret in (TOKEN, WITH_SPACE, TOKEN[4:20], "5b6a7988"):
        assert secret not in text, failure


def test_a_half_built_client_has_a_repr() -> None:
    half = CircleCI.__new__(CircleCI)
    assert "CircleCI" in repr(half)
    assert "token=***" in repr(half)


def test_the_token_is_a_secret_and_a_secret_can_be_passed() -> None:
    circle = CircleCI(Secret(TOKEN))
    assert circle.core.token == Secret(TOKEN)
    assert circle.core.auth_headers() == {"Circle-Token": TOKEN}


def shown(value: object, seen: set[int] | None = None, depth: int = 0) -> str:
    """repr and vars() of `value` and of the objects it holds, a few levels down.

    Slots are not walked: `vars()` cannot read them (a `Secret` keeps its value in one).
    """
    seen = set() if seen is None else seen
    if id(value) in seen or depth > 4:
        return ""
    seen.add(id(value))
    parts = [repr(value)]
    held: Any = getattr(value, "__dict__", None)
    if isinstance(value, dict):
        held = value
    if isinstance(held, dict):
        parts.extend(shown(item, seen, depth + 1) for item in held.values())
    return "\n".join(parts)


async def test_no_token_in_vars_or_repr_of_the_client_core_services_and_errors(
    fake: FakeCircleCI,
) -> None:
    async with CircleCI(fake.token, base_url=fake.base_url) as circle:
        with pytest.raises(NotFoundError) as caught:
            await circle.projects.get("gh/acme/missing")
        text = shown(circle) + shown(circle.core) + shown(caught.value)
        assert fake.token not in text
        assert fake.token not in formatted(caught.value)


async def test_no_token_in_the_locals_of_a_call_that_could_not_connect() -> None:
    async with aiohttp.ClientSession() as http:
        circle = CircleCI(TOKEN, base_url="http://127.0.0.1:9", session=http)
        async with circle:
            with pytest.raises(CircleCIError) as caught:
                await circle.users.me()
    assert TOKEN not in formatted(caught.value)


def test_a_secret_never_shows_its_value_but_copies() -> None:
    import copy
    import pickle

    secret = Secret(TOKEN)
    for text in (repr(secret), str(secret), f"{secret}", f"{secret!r}", repr([secret])):
        assert TOKEN not in text
    with pytest.raises(TypeError):
        vars(secret)
    with pytest.raises(TypeError):
        pickle.dumps(secret)
    assert copy.deepcopy({"token": secret})["token"].reveal() == TOKEN
