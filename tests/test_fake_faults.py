"""Fault injection: 429s, throttle windows, rps limiting, errors, disconnects, delays, tokens."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
import pytest_asyncio

from circleci_async.testing import FakeCircleCI

from .clock import SteppingClock
from .conftest import Api, FakeFactory

SLUG = "gh/acme/widgets"
RATE_HEADERS = (
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "X-RateLimit-Limit-Second",
    "X-RateLimit-Remaining-Second",
)


async def test_rate_limit_json_with_headers_then_recovers(fake: FakeCircleCI, api: Api) -> None:
    fake.faults.rate_limit(times=2, retry_after="3")
    for _ in range(2):
        answer = await api.get("/me")
        assert answer.status == 429
        assert answer.json == {"message": "Rate limit exceeded."}
        assert answer.headers["Retry-After"] == "3"
        assert answer.headers["RateLimit-Remaining"] == "0"
        assert answer.headers["RateLimit-Reset"] == "3"
        assert all(name in answer.headers for name in RATE_HEADERS)
    assert (await api.get("/me")).status == 200
    assert [r.fault for r in fake.requests] == ["rate_limit", "rate_limit", None]
    assert fake.faults.pending == 0


async def test_rate_limit_plain_text_with_http_date(fake: FakeCircleCI, api: Api) -> None:
    date = "Wed, 21 Oct 2015 07:28:00 GMT"
    fake.faults.rate_limit(retry_after=date, plain_text=True, headers={"RateLimit-Limit": "7"})
    answer = await api.get("/me")
    assert answer.status == 429
    assert answer.headers["Content-Type"].startswith("text/plain")
    assert answer.body == b"Rate limited."
    assert answer.headers["Retry-After"] == date
    assert answer.headers["RateLimit-Limit"] == "7"
    assert fake.requests[-1].body_json is None


async def test_rate_limit_without_retry_after(fake: FakeCircleCI, api: Api) -> None:
    fake.faults.rate_limit(retry_after=None)
    answer = await api.get("/me")
    assert answer.status == 429
    assert "Retry-After" not in answer.headers


async def test_faults_are_scoped_and_consumed_in_order(fake: FakeCircleCI, api: Api) -> None:
    fake.state.add_project(SLUG)
    fake.faults.rate_limit(operation="getProjectBySlug")
    fake.faults.error(500, method="post")
    fake.faults.error(503, origin="storage")
    assert (await api.get("/me")).status == 200
    assert (await api("POST", f"/project/{SLUG}/pipeline")).status == 500
    assert (await api.get(f"/project/{SLUG}")).status == 429
    assert (await api.get(f"/project/{SLUG}")).status == 200
    assert fake.faults.pending == 1
    fake.faults.clear()
    assert fake.faults.pending == 0


async def test_faults_queue_in_order_for_the_same_scope(fake: FakeCircleCI, api: Api) -> None:
    fake.faults.rate_limit()
    fake.faults.error(500, times=2)
    statuses = [(await api.get("/me")).status for _ in range(4)]
    assert statuses == [429, 500, 500, 200]


@pytest_asyncio.fixture
async def ticking(fake_factory: FakeFactory) -> tuple[FakeCircleCI, SteppingClock]:
    """A fake on a virtual clock: only the test moves its time."""
    clock = SteppingClock()
    return await fake_factory(clock=clock, sleep=clock.sleep), clock


async def test_throttle_window_retry_after_rounds_up(
    ticking: tuple[FakeCircleCI, SteppingClock], http: aiohttp.ClientSession
) -> None:
    fake, clock = ticking
    api = Api(fake, http)
    fake.faults.throttle(1.5)
    first = await api.get("/me")
    clock.now += 0.4
    second = await api.get("/me")
    clock.now += 0.2
    third = await api.get("/me")
    assert (first.status, second.status, third.status) == (429, 429, 429)
    assert first.headers["Retry-After"] == "2"
    assert second.headers["Retry-After"] == "2"
    assert third.headers["Retry-After"] == "1"
    assert fake.faults.throttle_windows == [(1000.0, 1001.5)]
    assert [r.received_at for r in fake.requests] == [1000.0, 1000.4, 1000.6]


async def test_throttle_window_ends(
    ticking: tuple[FakeCircleCI, SteppingClock], http: aiohttp.ClientSession
) -> None:
    fake, clock = ticking
    api = Api(fake, http)
    fake.faults.throttle(0.3, operation="getCurrentUser")
    assert (await api.get("/me")).status == 429
    clock.now += 0.29
    inside = await api.get("/me")
    assert inside.status == 429
    assert inside.headers["Retry-After"] == "1"
    clock.now += 0.01
    assert (await api.get("/me")).status == 200
    assert fake.faults.pending == 0


async def test_rate_limit_rps_token_bucket(
    ticking: tuple[FakeCircleCI, SteppingClock], http: aiohttp.ClientSession
) -> None:
    fake, clock = ticking
    api = Api(fake, http)
    fake.faults.rate_limit_rps(5, burst=3)
    answers = [await api.get("/me") for _ in range(5)]
    assert [a.status for a in answers] == [200, 200, 200, 429, 429]
    assert [a.headers["RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0", "0"]
    assert all(a.headers["RateLimit-Limit"] == "3" for a in answers)
    assert all("RateLimit-Reset" in a.headers for a in answers)
    assert answers[3].headers["Retry-After"] == "1"
    clock.now += 0.19
    assert (await api.get("/me")).status == 429  # 0.95 of a token: not yet
    clock.now += 0.01
    assert (await api.get("/me")).status == 200
    clock.now += 10
    refilled = [await api.get("/me") for _ in range(4)]
    assert [a.status for a in refilled] == [200, 200, 200, 429]  # back to the burst, no more
    fake.faults.rate_limit_rps(None)
    after = await api.get("/me")
    assert after.status == 200
    assert "RateLimit-Limit" not in after.headers


async def test_rate_limit_rps_under_concurrency(
    ticking: tuple[FakeCircleCI, SteppingClock], http: aiohttp.ClientSession
) -> None:
    fake, _ = ticking
    api = Api(fake, http)
    fake.faults.rate_limit_rps(10)
    answers = await asyncio.gather(*(api.get("/me") for _ in range(25)))
    assert sum(a.status == 200 for a in answers) == 10
    assert sum(a.status == 429 for a in answers) == 15


@pytest.mark.parametrize(
    ("status", "options", "body", "content_type"),
    [
        (500, {}, b'{"message": "Internal Server Error"}', "application/json"),
        (502, {"content_type": "text/html"}, b"<title>502 Bad Gateway</title>", "text/html"),
        (503, {"body": ""}, b"", None),
        (504, {"content_type": "text/plain", "body": "upstream timed out"}, b"upstream", "text/"),
        (500, {"body": {"error": "internal server error"}}, b'"error"', "application/json"),
    ],
)
async def test_error_bodies(
    fake: FakeCircleCI,
    api: Api,
    status: int,
    options: dict[str, object],
    body: bytes,
    content_type: str | None,
) -> None:
    fake.faults.error(status, times=2, **options)  # type: ignore[arg-type]
    for _ in range(2):
        answer = await api.get("/me")
        assert answer.status == status
        if body:
            assert body.replace(b" ", b"") in answer.body.replace(b" ", b"")
        else:
            assert answer.body == b""
        if content_type is not None:
            assert answer.headers["Content-Type"].startswith(content_type)
    assert (await api.get("/me")).status == 200


async def test_nested_answers_arrays_in_arrays_then_recovers(fake: FakeCircleCI, api: Api) -> None:
    fake.faults.nested(3, status=404, operation="getCurrentUser")
    answer = await api.get("/me")
    assert (answer.status, answer.body) == (404, b"[[[]]]")
    assert answer.headers["Content-Type"].startswith("application/json")
    assert fake.requests[-1].fault == "nested"
    assert (await api.get("/me")).status == 200


async def test_disconnect_mid_body_is_a_client_payload_error(fake: FakeCircleCI, api: Api) -> None:
    fake.faults.disconnect(after_bytes=20)
    with pytest.raises(aiohttp.ClientPayloadError):
        await api.get("/me")
    record = fake.requests[-1]
    assert (record.status, record.fault, record.body_json) == (200, "disconnect", None)
    assert (await api.get("/me")).status == 200


async def _drain(response: aiohttp.ClientResponse, sink: list[bytes]) -> None:
    async for chunk in response.content.iter_any():
        sink.append(chunk)


async def test_disconnect_sends_full_content_length(
    fake: FakeCircleCI, http: aiohttp.ClientSession
) -> None:
    fake.faults.disconnect(after_bytes=5)
    received: list[bytes] = []
    async with http.get(fake.base_url + "/me", headers={"Circle-Token": fake.token}) as response:
        expected = int(response.headers["Content-Length"])
        with pytest.raises(aiohttp.ClientPayloadError):
            await _drain(response, received)
    assert b"".join(received) == b'{"id"'
    assert expected > 50


async def test_delay_slows_only_the_next_requests(
    ticking: tuple[FakeCircleCI, SteppingClock], http: aiohttp.ClientSession
) -> None:
    fake, clock = ticking
    api = Api(fake, http)
    fake.faults.delay(0.3, times=1)
    assert (await api.get("/me")).status == 200
    await api.get("/me")
    assert clock.sleeps == [0.3]
    slow, fast = fake.requests
    assert slow.answered_at is not None
    assert fast.answered_at is not None
    assert slow.answered_at - slow.received_at == pytest.approx(0.3)
    assert fast.answered_at == fast.received_at


async def test_requests_are_recorded_in_arrival_order(
    fake_factory: FakeFactory, http: aiohttp.ClientSession
) -> None:
    clock = SteppingClock()
    release = asyncio.Event()

    async def held(seconds: float) -> None:
        await release.wait()
        clock.now += seconds

    fake = await fake_factory(clock=clock, sleep=held)
    api = Api(fake, http)
    fake.faults.delay(0.3, operation="getCurrentUser")
    slow = asyncio.create_task(api.get("/me"))
    for _ in range(100_000):  # until the held request has arrived; no timing is judged
        if fake.requests:
            break
        await asyncio.sleep(0.001)
    else:
        pytest.fail("the delayed request never reached the fake")
    assert fake.requests[0].status is None
    clock.now += 0.1
    fast = await api.get("/project/gh/none/here")
    release.set()
    await slow
    first, second = fake.requests
    assert (first.operation_id, second.operation_id) == ("getCurrentUser", "getProjectBySlug")
    assert (first.received_at, second.received_at) == (1000.0, 1000.1)
    assert (second.answered_at, first.answered_at) == (1000.1, 1000.4)
    assert (first.status, second.status, fast.status) == (200, 404, 404)


async def _walk(api: Api, path: str, pages: int) -> list[str | None]:
    tokens: list[str | None] = []
    query: dict[str, str] = {}
    for _ in range(pages):
        answer = await api.get(path, params=query)
        assert answer.status == 200
        token = answer.json["next_page_token"]
        tokens.append(token)
        if token is None:
            break
        query = {"page-token": token}
    return tokens


async def test_rejected_page_tokens_get_400(fake: FakeCircleCI, api: Api) -> None:
    fake.page_size = 2
    for _ in range(7):
        fake.state.add_pipeline(SLUG)
    path = f"/project/{SLUG}/pipeline"
    (token,) = await _walk(api, path, 1)
    assert token is not None
    assert fake.faults.reject_page_tokens() == 1
    rejected = await api.get(path, params={"page-token": token})
    assert rejected.status == 400
    assert "page-token" in rejected.json["message"]
    unknown = await api.get(path, params={"page-token": "made-up"})
    assert unknown.status == 400
    assert (await _walk(api, path, 10))[-1] is None


async def test_cyclic_page_tokens(fake: FakeCircleCI, api: Api) -> None:
    fake.page_size = 2
    for _ in range(20):
        fake.state.add_pipeline(SLUG)
    fake.faults.cycle_page_tokens(after_pages=2, operation="listPipelinesForProject")
    tokens = await _walk(api, f"/project/{SLUG}/pipeline", 6)
    assert tokens[2] == tokens[0]
    assert tokens[3] == tokens[1]
    assert len(set(tokens)) == 2
    fake.faults.clear()
    assert (await _walk(api, f"/project/{SLUG}/pipeline", 20))[-1] is None


def test_fault_arguments_are_checked(fake: FakeCircleCI) -> None:
    with pytest.raises(ValueError, match="times"):
        fake.faults.rate_limit(times=0)
    with pytest.raises(ValueError, match="origin"):
        fake.faults.error(500, origin="elsewhere")
    with pytest.raises(ValueError, match="after_pages"):
        fake.faults.cycle_page_tokens(after_pages=0)
    with pytest.raises(ValueError, match="rate"):
        fake.faults.rate_limit_rps(0)


async def test_the_states_dates_move_with_the_fakes_clock(
    ticking: tuple[FakeCircleCI, SteppingClock],
) -> None:
    fake, clock = ticking
    before = fake.state.now()
    clock.now += 2.5
    assert (fake.state.now() - before).total_seconds() == pytest.approx(2.5)
    assert fake.clock is clock
