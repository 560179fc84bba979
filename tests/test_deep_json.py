"""Deeply nested JSON from the server: a `DecodeError` or a text message, never `RecursionError`.

Every test runs with orjson and with the stdlib parser (orjson hidden), over loopback
against the fake's `nested` fault: 100,000 arrays in one another.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from circleci_async import (
    CircleCI,
    DecodeError,
    NotFoundError,
    RetryPolicy,
    ServerError,
    jsoncodec,
)
from circleci_async.testing import FakeCircleCI

from .artifacts_helpers import SLUG, add_job, client

DEEP = 100_000


@pytest.fixture(params=["orjson", "json"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The JSON parser in use: orjson (when installed) or the stdlib."""
    if request.param == "orjson":
        pytest.importorskip("orjson")
    else:
        monkeypatch.setitem(sys.modules, "orjson", None)
    importlib.reload(jsoncodec)
    assert request.param == jsoncodec.BACKEND
    yield request.param
    monkeypatch.undo()
    importlib.reload(jsoncodec)


def quick(fake: FakeCircleCI) -> CircleCI:
    retry = RetryPolicy(attempts=2, base_delay=0.0, max_delay=0.0)
    return CircleCI(fake.token, base_url=fake.base_url, retry=retry)


async def test_a_deep_answer_is_a_decode_error(fake: FakeCircleCI, backend: str) -> None:
    fake.faults.nested(DEEP, operation="getCurrentUser", times=2)
    async with quick(fake) as circle:
        with pytest.raises(DecodeError, match="not JSON"):
            await circle.users.me()
        with pytest.raises(DecodeError, match="not JSON"):
            await circle.raw.get("/me")


async def test_the_stdlib_refuses_past_its_bound_and_reads_up_to_it(
    fake: FakeCircleCI, backend: str
) -> None:
    deepest = jsoncodec.MAX_DEPTH if backend == "json" else jsoncodec.ORJSON_MAX_DEPTH
    fake.faults.nested(deepest, operation="getCurrentUser")
    fake.faults.nested(deepest + 1, operation="getCurrentUser")
    async with quick(fake) as circle:
        answer = await circle.raw.get("/me")
        with pytest.raises(DecodeError, match=r"nested|depth"):
            await circle.raw.get("/me")
    depth, value = 0, answer.data
    while isinstance(value, list):
        depth, value = depth + 1, value[0] if value else None
    assert depth == deepest


@pytest.mark.parametrize(("status", "error"), [(500, ServerError), (404, NotFoundError)])
async def test_a_deep_error_body_gives_a_text_excerpt(
    fake: FakeCircleCI, backend: str, status: int, error: type[Exception]
) -> None:
    fake.faults.nested(DEEP, status=status, operation="getCurrentUser", times=2)
    async with quick(fake) as circle:
        with pytest.raises(error) as caught:
            await circle.users.me()
    message = getattr(caught.value, "message", "")
    assert message.startswith("[[[[")
    assert len(message) < 1000


async def test_a_deep_page_of_a_harvest_listing_is_reported(
    fake: FakeCircleCI, backend: str, tmp_path: Path
) -> None:
    number = add_job(fake)
    fake.state.add_artifact(SLUG, number, "a.txt", b"a")
    fake.faults.nested(DEEP, operation="getJobArtifacts", times=5)
    async with client(fake) as circle:
        report = await circle.artifacts.download_job(SLUG, number, tmp_path)
    assert not report.ok
    (failure,) = report.listing_failures
    assert isinstance(failure.error, DecodeError)
    assert "not JSON" in str(failure.error)
