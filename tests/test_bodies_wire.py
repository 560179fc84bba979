"""Bodies that do not fit, and the token's absence from everything a user can see."""

from __future__ import annotations

import logging
import pickle

import pytest
from aiohttp import web

from circleci_async import CircleCI, DecodeError, RetryPolicy, ServerError
from circleci_async.testing import FakeCircleCI

from .clock import SteppingClock
from .scripted import scripted_server


async def test_json_that_does_not_fit_names_operation_and_field() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response({"id": "x", "number": "seven", "project_slug": "gh/o/r"})

    async with scripted_server(handler) as url, CircleCI("t", base_url=url) as circle:
        with pytest.raises(DecodeError) as caught:
            await circle.pipelines.get("x")
    message = str(caught.value)
    assert caught.value.operation == "getPipelineById"
    assert "body.number is a string 'seven'" in message
    assert "a Pipeline cannot be read without it" in message


async def test_a_success_body_that_is_not_json_is_a_decode_error() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(text="<html>maintenance</html>", content_type="text/html")

    async with scripted_server(handler) as url, CircleCI("t", base_url=url) as circle:
        with pytest.raises(DecodeError, match=r"getCurrentUser \(HTTP 200\): the body is not JSON"):
            await circle.users.me()


async def test_a_page_that_is_not_a_listing_is_a_decode_error() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response([1, 2, 3])

    async with scripted_server(handler) as url, CircleCI("t", base_url=url) as circle:
        with pytest.raises(DecodeError, match="listWorkflowJobs"):
            await circle.workflows.jobs("wf").collect()


async def test_the_token_is_in_no_log_record_error_or_repr(
    fake: FakeCircleCI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.faults.error(500, times=5)
    fake.faults.rate_limit(1, retry_after="1")
    clock = SteppingClock()
    token = fake.token
    async with CircleCI(
        token, base_url=fake.base_url, clock=clock, sleep=clock.sleep, retry=RetryPolicy(attempts=3)
    ) as circle:
        with pytest.raises(ServerError) as caught:
            await circle.users.me()
        seen = [
            repr(circle),
            repr(circle.users),
            repr(circle.core.token),
            str(caught.value),
            repr(caught.value),
            repr(caught.value.args),
            caught.value.url,
        ]
    seen += [record.getMessage() for record in caplog.records]
    seen += [str(record.args) for record in caplog.records]
    assert any("retrying" in text for text in seen), "nothing was logged"
    assert all(token not in text for text in seen)
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(circle.core.token)
