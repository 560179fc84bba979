"""Decoding JSON into models: aliases, open enums, nulls, and errors that name the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from circleci_async import DecodeError, SchemaDriftWarning
from circleci_async.drift import Deviation
from circleci_async.models import (
    Job,
    JobStatus,
    Pipeline,
    PipelineState,
    User,
    decode,
    encode,
)
from circleci_async.models.base import model, wire

PIPELINE: dict[str, Any] = {
    "id": "5034460f-c7c4-4c43-9457-de07e2029e7b",
    "errors": [],
    "project_slug": "gh/CircleCI-Public/api-preview-docs",
    "updated_at": "2019-08-24T14:15:22Z",
    "number": 12,
    "trigger_parameters": {"deploy": True},
    "state": "created",
    "created_at": "2019-08-24T14:15:22+02:00",
    "trigger": {
        "type": "explicit",
        "received_at": "2019-08-24T14:15:22Z",
        "actor": {"login": "octo", "avatar_url": None},
    },
    "vcs": {
        "provider_name": "GitHub",
        "target_repository_url": "https://github.com/org/repo",
        "origin_repository_url": "https://github.com/org/repo",
        "branch": "main",
        "revision": "f454a02b5d10fcccfd7d9dd7608a76d6493a98b4",
        "commit": {"subject": "Fix", "body": None},
    },
    "brand_new_field": {"ignored": True},
}


def test_pipeline_decodes_with_aware_datetimes_and_ignores_unknown_fields() -> None:
    pipeline = decode(PIPELINE, Pipeline, "getPipelineById")
    assert pipeline.number == 12
    assert pipeline.state is PipelineState.CREATED
    assert pipeline.created_at.utcoffset() == timedelta(hours=2)
    assert pipeline.updated_at == datetime(2019, 8, 24, 14, 15, 22, tzinfo=UTC)
    assert pipeline.vcs is not None
    assert pipeline.vcs.commit is not None
    assert pipeline.vcs.commit.body is None
    assert pipeline.trigger.actor.avatar_url is None


def test_naive_datetimes_are_taken_as_utc() -> None:
    data = {**PIPELINE, "created_at": "2019-08-24T14:15:22"}
    assert decode(data, Pipeline, "op").created_at.tzinfo is UTC


def test_unknown_enum_values_are_kept_and_reported() -> None:
    with pytest.warns(SchemaDriftWarning, match=r"op: body.state: .* 'time-travelling'"):
        pipeline = decode({**PIPELINE, "state": "time-travelling"}, Pipeline, "op")
    assert pipeline.state == "time-travelling"
    assert isinstance(pipeline.state, PipelineState)
    assert pipeline.state.value == "time-travelling"
    assert pipeline.state not in list(PipelineState)


def test_queued_job_may_have_no_start_time() -> None:
    job = decode(
        {
            "id": "52ffb0e1-3cd7-4a2b-b0b5-1b4ae1b8d7f1",
            "name": "deploy",
            "project_slug": "gh/o/r",
            "status": "queued",
            "type": "build",
            "dependencies": [],
            "started_at": None,
        },
        Job,
        "listWorkflowJobs",
    )
    assert job.started_at is None
    assert job.status is JobStatus.QUEUED


@pytest.mark.parametrize(
    ("change", "field"),
    [({"number": "twelve"}, "body.number is a string 'twelve'"), ({"id": None}, "body.id is null")],
)
def test_a_body_without_a_usable_identity_names_the_operation_and_the_field(
    change: dict[str, Any], field: str
) -> None:
    with pytest.raises(DecodeError) as caught:
        decode({**PIPELINE, **change}, Pipeline, "getPipelineById")
    text = str(caught.value)
    assert "getPipelineById" in text
    assert field in text
    assert "a Pipeline cannot be read without it" in text
    assert caught.value.operation == "getPipelineById"


@pytest.mark.parametrize(
    ("change", "field", "expected", "got"),
    [
        ({"created_at": "yesterday"}, "body.created_at", "ISO 8601", "a string 'yesterday'"),
        (
            {"trigger": {"type": "api", "received_at": "2019-08-24T14:15:22Z"}},
            "body.trigger.actor",
            "an object (PipelineActor) (required)",
            "absent",
        ),
        ({"project_slug": None}, "body.project_slug", "a string (required)", "null"),
        ({"errors": [{"type": "config"}]}, "body.errors[].message", "a string", "absent"),
        ({"updated_at": 12}, "body.updated_at", "ISO 8601", "the integer 12"),
        ({"state": ["created"]}, "body.state", "one of", "a list"),
        ({"errors": "none"}, "body.errors", "a list", "a string 'none'"),
        (
            {
                "trigger": {
                    "type": "api",
                    "received_at": "2019-08-24T14:15:22Z",
                    "actor": {"login": "x", "avatar_url": 7},
                }
            },
            "body.trigger.actor.avatar_url",
            "a string",
            "the integer 7",
        ),
    ],
)
def test_drift_keeps_the_rest_and_names_the_operation_the_field_and_both_sides(
    change: dict[str, Any], field: str, expected: str, got: str
) -> None:
    found: list[Deviation] = []
    pipeline = decode(
        {**PIPELINE, **change}, Pipeline, "getPipelineById", report=lambda _, d: found.extend(d)
    )
    assert pipeline.id == PIPELINE["id"]
    assert pipeline.number == 12
    [deviation] = found
    assert deviation.path == field
    assert expected in deviation.expected
    assert deviation.got == got
    text = deviation.describe("getPipelineById")
    assert text.startswith(f"getPipelineById: {field}: the spec says ")


def test_a_body_of_the_wrong_shape_is_a_decode_error() -> None:
    with pytest.raises(DecodeError, match="getCurrentUser"):
        decode(["not", "a", "user"], User, "getCurrentUser")


def test_kebab_case_keys_map_to_python_names() -> None:
    @model
    class Key:
        public_key: str = wire("public-key")
        created_at: datetime = wire("created-at")

    key = decode({"public-key": "ssh-rsa A", "created-at": "2024-01-01T00:00:00Z"}, Key, "op")
    assert key.public_key == "ssh-rsa A"
    assert encode(key) == {"public-key": "ssh-rsa A", "created-at": "2024-01-01T00:00:00+00:00"}
