"""The pure wire rules: no server, no event loop."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from circleci_async.wire import (
    Failure,
    RateLimitInfo,
    error_message,
    parse_rate_limit,
    parse_retry_after,
    redact_url,
    should_retry,
)

NOW = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1.0),
        ("0", 0.0),
        (" 2.5 ", 2.5),
        ("-3", 0.0),
        ("Fri, 27 Nov 2026 12:00:30 GMT", 30.0),
        ("Fri, 27 Nov 2026 11:59:00 GMT", 0.0),
        ("soon", None),
        ("", None),
        (None, None),
        ("inf", None),
    ],
)
def test_retry_after_takes_seconds_or_http_dates(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected


def test_rate_limit_headers_take_the_tightest_window() -> None:
    info = parse_rate_limit(
        {
            "RateLimit-Limit": "100",
            "RateLimit-Remaining": "40",
            "RateLimit-Reset": "9",
            "X-RateLimit-Limit-Minute": "60",
            "X-RateLimit-Remaining-Minute": "3",
            "X-RateLimit-Reset-Minute": "20",
        }
    )
    assert info == RateLimitInfo(limit=60, remaining=3, reset=20.0)


def test_no_rate_limit_headers_is_none_and_garbage_is_ignored() -> None:
    assert parse_rate_limit({"Content-Type": "application/json"}) is None
    assert parse_rate_limit({"RateLimit-Remaining": "lots"}) is None


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b'{"message": "Pipeline not found"}', "application/json", "Pipeline not found"),
        (
            b'{"error": "OwnerID: must be a valid UUID."}',
            "application/json",
            "OwnerID: must be a valid UUID.",
        ),
        (b"Rate limited.", "text/plain", "Rate limited."),
        (
            b"<html><head><title>502 Bad Gateway</title></head><body>x</body></html>",
            "text/html",
            "502 Bad Gateway",
        ),
        (
            b"<html><body><h1>Oops</h1><script>var a=1;</script><p>down</p></body></html>",
            "text/html",
            "Oops down",
        ),
        (b"", "application/json", "(empty response body)"),
        (b'{"message": ""}', "application/json", '{"message": ""}'),
        (b"{not json", "application/json", "{not json"),
    ],
)
def test_error_message_from_any_body(body: bytes, content_type: str, expected: str) -> None:
    assert error_message(body, content_type) == expected


def test_error_message_is_clipped() -> None:
    message = error_message(b"x" * 5000, "text/plain")
    assert len(message) == 500
    assert message.endswith("…")


@pytest.mark.parametrize(
    ("method", "failure", "idempotent", "expected"),
    [
        ("GET", Failure.SERVER_ERROR, None, True),
        ("PUT", Failure.AFTER_SEND, None, True),
        ("DELETE", Failure.SERVER_ERROR, None, True),
        ("POST", Failure.RATE_LIMITED, None, True),
        ("POST", Failure.CONNECT, None, True),
        ("POST", Failure.SERVER_ERROR, None, False),
        ("POST", Failure.AFTER_SEND, None, False),
        ("POST", Failure.SERVER_ERROR, True, True),
        ("GET", Failure.SERVER_ERROR, False, False),
        ("GET", Failure.RATE_LIMITED, False, True),
    ],
)
def test_retry_safety(
    method: str, failure: Failure, idempotent: bool | None, expected: bool
) -> None:
    assert should_retry(method, failure, idempotent=idempotent) is expected


def test_redact_url_hides_credentials_and_token_queries() -> None:
    url = "https://user:pw@host/x?circle-token=abc&page=2&X-Amz-Signature=sig"
    assert redact_url(url) == "https://host/x?circle-token=***&page=2&X-Amz-Signature=***"
    signed = "https://s3/b/k?X-Amz-Credential=AK&X-Amz-Security-Token=T&X-Goog-Signature=G&a=1"
    assert redact_url(signed) == (
        "https://s3/b/k?X-Amz-Credential=***&X-Amz-Security-Token=***&X-Goog-Signature=***&a=1"
    )
