"""Webhook signatures and payloads: the pure functions, with CircleCI's documented vectors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from circleci_async import CircleCIError, InvalidArgumentError
from circleci_async.models import JobStatus, WorkflowStatus
from circleci_async.webhooks import (
    JobCompleted,
    MalformedSignatureError,
    MissingSignatureError,
    PayloadError,
    RecentIds,
    SignatureError,
    SignatureMismatchError,
    UnknownEvent,
    WebhookError,
    WorkflowCompleted,
    digest,
    is_loopback_url,
    parse,
    sign,
    verify,
)

HELLO = "734cc62f32841568f45715aeb9f4d7891324e6d948e4c6c60c0621cdac48623a"


def test_the_documented_vectors() -> None:
    assert sign(b"hello world", "secret") == f"v1={HELLO}"
    assert digest("hello world", b"secret") == HELLO
    foo = digest(b"foo", "secret")
    assert foo.startswith("773ba446")
    assert foo.endswith("2db4")
    assert len(foo) == 64
    verify(b"hello world", f"v1={HELLO}", "secret")
    verify(b"foo", f"v1={foo}", "secret")


def test_a_header_with_later_versions_is_checked_on_v1() -> None:
    verify(b"hello world", f"v1={HELLO},v2=whatever-comes-next", "secret")
    verify(b"hello world", f"v2=abc, v1={HELLO.upper()}", "secret")
    verify(b"hello world", f"v1={'0' * 64},v1={HELLO}", "secret")
    verify(b"hello world", f"t=1700000000,v1={HELLO},v3=later", "secret")


@pytest.mark.parametrize(
    ("body", "header", "secret", "error", "words"),
    [
        (b"hello world!", f"v1={HELLO}", "secret", SignatureMismatchError, "does not match"),
        (b"hello world", f"v1={HELLO}", "wrong", SignatureMismatchError, "wrong secret"),
        (b"hello world", f"v2={HELLO}", "secret", MissingSignatureError, "no v1 signature"),
        (b"hello world", None, "secret", MissingSignatureError, "no circleci-signature header"),
        (b"hello world", "", "secret", MissingSignatureError, "empty"),
        (b"hello world", "  ", "secret", MissingSignatureError, "empty"),
        (b"hello world", HELLO, "secret", MalformedSignatureError, "not version=value"),
        (b"hello world", "v1=", "secret", MalformedSignatureError, "not version=value"),
        (b"hello world", f"v1={HELLO},", "secret", MalformedSignatureError, "version=value"),
        (b"hello world", "sha256=abc", "secret", MissingSignatureError, "no v1 signature"),
        (b"hello world", "v 1=abc", "secret", MalformedSignatureError, "version=value"),
        (b"hello world", "v1=xyz", "secret", MalformedSignatureError, "64 hex digits"),
        (b"hello world", f"v1={HELLO}0", "secret", MalformedSignatureError, "64 hex digits"),
        (b"hello world", "v1=" + "a" * 5000, "secret", MalformedSignatureError, "longer|long"),
    ],
)
def test_bad_signatures_raise_errors_that_say_what_is_wrong(
    body: bytes, header: str | None, secret: str, error: type[SignatureError], words: str
) -> None:
    with pytest.raises(error, match=words):
        verify(body, header, secret)
    assert issubclass(error, SignatureError)
    assert issubclass(error, WebhookError)
    assert issubclass(error, CircleCIError)


def test_the_secret_never_shows_in_an_error() -> None:
    secret = "s3cret-value-1234"
    with pytest.raises(SignatureError) as caught:
        verify(b"x", "v1=" + "0" * 64, secret)
    assert secret not in str(caught.value)
    assert secret not in repr(caught.value)


def test_nonsense_arguments_are_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="secret must not be empty"):
        sign(b"x", "")
    with pytest.raises(InvalidArgumentError, match="body must be bytes or str"):
        sign(123, "secret")  # type: ignore[arg-type]


SAMPLE: dict[str, Any] = {
    "id": "3888f21b-eaa7-38e3-8f3d-75a63bba8895",
    "type": "job-completed",
    "happened_at": "2021-09-01T22:49:34.317Z",
    "webhook": {"id": "cf8c4fdd-0587-4da1-b4ca-4846e9640af9", "name": "Sample Webhook"},
    "project": {"id": "84996744-a854-4f5e-aea3-04e2851dc1d2", "name": "webhook-service",
                "slug": "github/circleci/webhook-service"},
    "organization": {"id": "f22b6566-597d-46d5-ba74-99ef5bb3d85c", "name": "circleci"},
    "workflow": {"id": "fda08377-fe7e-46b1-8992-3a7aaecac9c3", "name": "build-test-deploy",
                 "created_at": "2021-09-01T22:49:03.616Z", "stopped_at": "2021-09-01T22:49:34.170Z",
                 "url": "https://app.circleci.com/pipelines/github/circleci/webhook-service/130/workflows/fda08377",
                 "status": "success"},
    "pipeline": {"id": "1285fe1d-d3a6-44fc-8886-8979558254c4", "number": 130,
                 "created_at": "2021-09-01T22:49:03.544Z", "trigger": {"type": "webhook"},
                 "vcs": {"provider_name": "github", "origin_repository_url": "https://github.com/circleci/webhook-service",
                         "target_repository_url": "https://github.com/circleci/webhook-service",
                         "revision": "1dc6aa69429bff4806ad6afe58d3d8f57e25973e",
                         "commit": {"subject": "Description of change", "body": "More details"},
                         "branch": "main"}},
    "job": {"id": "8bd26027-1471-4c4b-8ff5-2d3093ef5fe0", "number": 4, "name": "test",
            "status": "success", "started_at": "2021-09-01T22:49:28.841Z",
            "stopped_at": "2021-09-01T22:49:34.170Z"},
}  # fmt: skip


def test_a_job_completed_payload_reads_into_typed_fields() -> None:
    event = parse(json.dumps(SAMPLE).encode())
    assert isinstance(event, JobCompleted)
    assert event.id == SAMPLE["id"]
    assert event.happened_at == datetime(2021, 9, 1, 22, 49, 34, 317000, tzinfo=UTC)
    assert event.webhook.name == "Sample Webhook"
    assert event.project.slug == "github/circleci/webhook-service"
    assert event.organization.name == "circleci"
    assert event.workflow.status == WorkflowStatus.SUCCESS
    assert event.job.number == 4
    assert event.job.status == JobStatus.SUCCESS
    assert event.job.started_at is not None
    assert event.pipeline.number == 130
    assert event.pipeline.trigger_type == "webhook"
    assert event.pipeline.vcs is not None
    assert event.pipeline.vcs.branch == "main"
    assert event.pipeline.vcs.commit_subject == "Description of change"
    assert event.raw == SAMPLE


def test_a_workflow_completed_payload_and_the_header_type() -> None:
    payload = {k: v for k, v in SAMPLE.items() if k not in ("job", "type")}
    payload["workflow"] = {**SAMPLE["workflow"], "status": "failed"}
    payload["pipeline"] = {**SAMPLE["pipeline"], "trigger_parameters": {"git": {"branch": "x"}}}
    event = parse(json.dumps(payload), {"Circleci-Event-Type": "workflow-completed"})
    assert isinstance(event, WorkflowCompleted)
    assert event.type == "workflow-completed"
    assert event.workflow.status == WorkflowStatus.FAILED
    assert event.pipeline.trigger_parameters == {"git": {"branch": "x"}}


def test_the_signed_type_wins_over_the_header() -> None:
    event = parse(json.dumps(SAMPLE), {"circleci-event-type": "workflow-completed"})
    assert isinstance(event, JobCompleted)


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"type": "workflow-completed"},
        {"type": "workflow-completed", "workflow": None, "pipeline": None, "project": None},
        {"type": "job-completed", "job": {"number": "four", "status": 7, "started_at": "soon"}},
        {"type": "job-completed", "job": {"number": True}, "happened_at": "2021-09-01T22:49:34"},
        {"type": "workflow-completed", "id": 5, "webhook": [], "organization": "acme"},
        {"type": None, "pipeline": {"vcs": None, "trigger": "api", "number": 1.5}},
    ],
)
def test_missing_fields_nulls_and_wrong_types_never_crash_a_parse(payload: dict[str, Any]) -> None:
    event = parse(json.dumps(payload).encode())
    assert event.raw == payload
    if isinstance(event, JobCompleted):
        assert event.job.number is None
        assert event.job.started_at is None
    if isinstance(event, WorkflowCompleted):
        assert event.workflow.id is None


def test_naive_times_are_taken_as_utc() -> None:
    event = parse(b'{"type": "x", "happened_at": "2021-09-01T22:49:34"}')
    assert event.happened_at == datetime(2021, 9, 1, 22, 49, 34, tzinfo=UTC)


def test_unknown_statuses_are_kept() -> None:
    payload = {**SAMPLE, "job": {"status": "exploded"}, "workflow": {"status": "imploded"}}
    event = parse(json.dumps(payload))
    assert isinstance(event, JobCompleted)
    assert event.job.status == "exploded"
    assert event.workflow.status == "imploded"


def test_an_unknown_type_keeps_the_raw_payload() -> None:
    payload = {"id": "e1", "type": "pipeline-exploded", "blast": {"radius": 3}}
    event = parse(json.dumps(payload))
    assert isinstance(event, UnknownEvent)
    assert event.type == "pipeline-exploded"
    assert event.raw["blast"] == {"radius": 3}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"", "empty"),
        (b"   ", "empty"),
        (b"not json", "not JSON"),
        (b"\xff\xfe{}", "not JSON"),
        (b"[1, 2]", "not an object"),
        (b'"text"', "not an object"),
        (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_payload_error(body: bytes, words: str) -> None:
    with pytest.raises(PayloadError, match=words):
        parse(body)


def test_recent_ids_are_bounded_in_age_and_number() -> None:
    now = [0.0]
    recent = RecentIds(max_size=3, max_age=60.0, clock=lambda: now[0])
    recent.note("a")
    assert recent.seen("a")
    assert not recent.seen("b")
    now[0] = 59.9
    assert recent.seen("a")
    now[0] = 60.0
    assert not recent.seen("a")
    for name in "bcde":
        recent.note(name)
    assert len(recent) == 3
    assert not recent.seen("b")
    assert recent.seen("e")
    with pytest.raises(ValueError, match="max_size"):
        RecentIds(max_size=0)
    with pytest.raises(ValueError, match="max_age"):
        RecentIds(max_age=0)


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8080/hook", True),
        ("https://127.5.0.1/hook", True),
        ("http://[::1]:9000/", True),
        ("http://localhost:1/", True),
        ("http://LOCALHOST./", True),
        ("https://example.com/hook", False),
        ("http://10.0.0.1/", False),
        ("http://127.0.0.1.example.com/", False),
        ("ftp://127.0.0.1/", False),
        ("http://127.0.0.1:99999/", False),
        ("not a url", False),
    ],
)
def test_loopback_urls(url: str, loopback: bool) -> None:
    assert is_loopback_url(url) is loopback
