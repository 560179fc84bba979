"""`retry.decide`, the one retry decision of the API loop and the downloader, as a table."""

from __future__ import annotations

import pytest

from circleci_async import RetryPolicy
from circleci_async.errors import CircleCIError, RateLimitError, ServerError, TransportError
from circleci_async.retry import Counters, Outcome, decide
from circleci_async.wire import Failure, error_message

POLICY = RetryPolicy(attempts=3, rate_limit_retries=2, budget=100.0, base_delay=1.0, max_delay=8.0)


def server_error() -> CircleCIError:
    return ServerError(503, "busy", method="GET", url="u")


def rate_limited() -> RateLimitError:
    return RateLimitError(429, "slow down", method="GET", url="u")


def transport() -> CircleCIError:
    return TransportError("reset", method="POST", url="u")


S, R, A, C = Failure.SERVER_ERROR, Failure.RATE_LIMITED, Failure.AFTER_SEND, Failure.CONNECT

# id: (failure, method, idempotent, server wait, (failures, 429s) so far, now), (retry, delay)
CASES = {
    "503 Retry-After honoured": ((S, "GET", None, 7.0, (0, 0), 0.0), (True, 7.0)),
    "5xx: jitter of ceiling(1)": ((S, "GET", None, None, (0, 0), 0.0), (True, 0.5)),
    "third failure gives up": ((S, "GET", None, None, (2, 0), 0.0), (False, 0.0)),
    "429 spends no attempts": ((R, "GET", None, 3.0, (2, 0), 0.0), (True, 3.0)),
    "429s counted apart": ((R, "GET", None, 3.0, (0, 2), 0.0), (False, 0.0)),
    "429 no wait: half to all": ((R, "GET", None, None, (0, 0), 0.0), (True, 0.75)),
    "wait past the cap": ((R, "GET", None, 86400.0, (0, 0), 0.0), (False, 0.0)),
    "wait past the deadline": ((S, "GET", None, 30.0, (0, 0), 80.0), (False, 0.0)),
    "POST after sending": ((A, "POST", None, None, (0, 0), 0.0), (False, 0.0)),
    "POST 5xx": ((S, "POST", None, None, (0, 0), 0.0), (False, 0.0)),
    "POST said idempotent": ((S, "POST", True, None, (0, 0), 0.0), (True, 0.5)),
    "POST never connected": ((C, "POST", None, None, (0, 0), 0.0), (True, 0.5)),
    "POST 429": ((R, "POST", None, 1.0, (0, 0), 0.0), (True, 1.0)),
    "no kind (EMFILE, 4xx, cap)": ((None, "GET", None, None, (0, 0), 0.0), (False, 0.0)),
}


@pytest.mark.parametrize(
    ("failure", "method", "idempotent", "wait", "before", "now", "expected"),
    [(*given, expected) for given, expected in CASES.values()],
    ids=list(CASES),
)
def test_decide(
    failure: Failure | None,
    method: str,
    idempotent: bool | None,
    wait: float | None,
    before: tuple[int, int],
    now: float,
    expected: tuple[bool, float],
) -> None:
    error = rate_limited() if failure is Failure.RATE_LIMITED else server_error()
    outcome = Outcome(failure=failure, error=error, method=method, idempotent=idempotent, wait=wait)
    counters = Counters(*before)
    decision = decide(outcome, POLICY, counters, now=now, deadline=100.0, random=lambda: 0.5)
    assert (decision.retry, decision.delay) == expected
    assert decision.error is error


def test_a_wait_past_the_cap_keeps_the_server_figure_on_the_error() -> None:
    error = rate_limited()
    outcome = Outcome(failure=Failure.RATE_LIMITED, error=error, wait=86400.0)
    decision = decide(outcome, POLICY, Counters(), now=0.0, deadline=100.0, random=lambda: 0.5)
    assert not decision.retry
    assert error.retry_after == 86400.0


def test_counters_count_429s_apart() -> None:
    counters = Counters()
    for failure in (Failure.RATE_LIMITED, Failure.SERVER_ERROR, Failure.RATE_LIMITED):
        error = rate_limited() if failure is Failure.RATE_LIMITED else server_error()
        outcome = Outcome(failure=failure, error=error, wait=1.0)
        decide(outcome, POLICY, counters, now=0.0, deadline=100.0, random=lambda: 0.0)
    assert (counters.failures, counters.limited) == (1, 2)


def test_the_policy_curve_is_backoffs_exponential() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=3.0, budget=40.0)
    assert [policy.ceiling(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert policy.guess_pause(2, lambda: 0.0) == 0.5
    assert policy.pause_cap == 40.0
    assert RetryPolicy(max_pause=5.0).pause_cap == 5.0


@pytest.mark.parametrize(
    "page",
    [
        b"<title>" * 150_000,
        b"<" * 1_000_000,
        b"<script>" * 120_000,
        b"<script></script>" * 60_000,
        b"<title></title" * 70_000,
    ],
    ids=["titles", "brackets", "open-scripts", "scripts", "unclosed-titles"],
)
def test_html_message_extraction_inspects_a_bounded_prefix(page: bytes) -> None:
    # Only the first 64 KiB are looked at, in one pass: a 1 MB page costs what 64 KiB does.
    assert isinstance(error_message(page, "text/html"), str)


def test_html_title_and_text_are_still_found() -> None:
    page = b"<html><head><TITLE>502 Bad\n Gateway</TITLE></head><body>x</body></html>"
    assert error_message(page, "text/html") == "502 Bad Gateway"
    scripted = b"<html><script>var a = '<b>';</script><p>Service down</p></html>"
    assert error_message(scripted, "text/html") == "Service down"
    assert error_message(b"<titlex>no</titlex> text", "text/html") == "no text"
