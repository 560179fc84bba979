"""Workflows and the jobs listed in them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .base import EXPECTED, EXPECTED_LIST, OpenEnum, model

__all__ = [
    "Job",
    "JobStatus",
    "JobType",
    "Workflow",
    "WorkflowRerun",
    "WorkflowStatus",
    "WorkflowTag",
]


class WorkflowStatus(OpenEnum):
    """The status of a workflow; unknown values are kept."""

    SUCCESS = "success"
    RUNNING = "running"
    NOT_RUN = "not_run"
    FAILED = "failed"
    ERROR = "error"
    FAILING = "failing"
    ON_HOLD = "on_hold"
    CANCELED = "canceled"
    UNAUTHORIZED = "unauthorized"


class WorkflowTag(OpenEnum):
    """A workflow's tag: `setup` marks the setup workflow of dynamic configuration."""

    SETUP = "setup"


class JobStatus(OpenEnum):
    """The status of a job; unknown values are kept."""

    SUCCESS = "success"
    RUNNING = "running"
    NOT_RUN = "not_run"
    FAILED = "failed"
    RETRIED = "retried"
    QUEUED = "queued"
    NOT_RUNNING = "not_running"
    INFRASTRUCTURE_FAIL = "infrastructure_fail"
    TIMEDOUT = "timedout"
    ON_HOLD = "on_hold"
    TERMINATED_UNKNOWN = "terminated-unknown"
    BLOCKED = "blocked"
    CANCELED = "canceled"
    UNAUTHORIZED = "unauthorized"


class JobType(OpenEnum):
    """A build job or an approval step."""

    BUILD = "build"
    APPROVAL = "approval"


@model
class Workflow:
    """A workflow (`GET /workflow/{id}` and a pipeline's workflow list)."""

    id: str
    name: str | None = EXPECTED
    status: WorkflowStatus | None = EXPECTED
    pipeline_id: str | None = EXPECTED
    pipeline_number: int | None = EXPECTED
    project_slug: str | None = EXPECTED
    started_by: str | None = EXPECTED
    created_at: datetime | None = EXPECTED
    stopped_at: datetime | None = None
    canceled_by: str | None = None
    errored_by: str | None = None
    tag: WorkflowTag | None = None
    auto_rerun_number: int | None = None
    max_auto_reruns: int | None = None


@model
class Job:
    """A job as a workflow lists it; `started_at` is None until it starts (queued, blocked)."""

    id: str
    name: str | None = EXPECTED
    project_slug: str | None = EXPECTED
    status: JobStatus | None = EXPECTED
    type: JobType | None = EXPECTED
    dependencies: list[str] = EXPECTED_LIST
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    job_number: int | None = None
    canceled_by: str | None = None
    approved_by: str | None = None
    approval_request_id: str | None = None
    requires: dict[str, Any] | None = None


@model
class WorkflowRerun:
    """The answer to rerunning a workflow: the id of the new workflow."""

    workflow_id: str
