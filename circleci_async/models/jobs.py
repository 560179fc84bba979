"""A job's details, its artifacts and its test results."""

from __future__ import annotations

from datetime import datetime

from .base import EXPECTED, EXPECTED_LIST, model
from .workflows import JobStatus

__all__ = [
    "Artifact",
    "JobContext",
    "JobDetails",
    "JobExecutor",
    "JobMessage",
    "JobOrganization",
    "JobParallelRun",
    "JobPipeline",
    "JobProject",
    "JobWorkflow",
    "TestResult",
]


@model
class JobProject:
    """The project a job belongs to; `id` is missing from older answers."""

    id: str | None = None
    slug: str | None = EXPECTED
    name: str | None = EXPECTED
    external_url: str | None = EXPECTED


@model
class JobParallelRun:
    """One parallel node of a job."""

    index: int | None = EXPECTED
    status: str | None = EXPECTED


@model
class JobWorkflow:
    """The newest workflow that ran a job."""

    id: str | None = EXPECTED
    name: str | None = EXPECTED


@model
class JobExecutor:
    """Where a job ran."""

    resource_class: str | None = EXPECTED
    type: str | None = None


@model
class JobPipeline:
    """The pipeline a job belongs to."""

    id: str | None = EXPECTED


@model
class JobMessage:
    """A message attached to a job."""

    type: str | None = EXPECTED
    message: str | None = EXPECTED
    reason: str | None = None


@model
class JobContext:
    """A context a job used."""

    name: str | None = EXPECTED


@model
class JobOrganization:
    """The organization a job belongs to."""

    name: str | None = EXPECTED


@model
class JobDetails:
    """A job in full (`GET /project/{project-slug}/job/{job-number}`)."""

    number: int
    name: str | None = EXPECTED
    status: JobStatus | None = None
    web_url: str | None = EXPECTED
    project: JobProject | None = EXPECTED
    organization: JobOrganization | None = EXPECTED
    pipeline: JobPipeline | None = EXPECTED
    latest_workflow: JobWorkflow | None = EXPECTED
    executor: JobExecutor | None = EXPECTED
    parallelism: int | None = EXPECTED
    parallel_runs: list[JobParallelRun] = EXPECTED_LIST
    contexts: list[JobContext] = EXPECTED_LIST
    messages: list[JobMessage] = EXPECTED_LIST
    created_at: datetime | None = EXPECTED
    queued_at: datetime | None = EXPECTED
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    duration: int | None = None


@model
class Artifact:
    """A file a job stored; `url` is where to download it (it needs the token)."""

    path: str
    node_index: int
    url: str


@model
class TestResult:
    """One test case a job reported."""

    __test__ = False

    name: str | None = EXPECTED
    classname: str | None = EXPECTED
    result: str | None = EXPECTED
    run_time: float | None = EXPECTED
    source: str | None = EXPECTED
    file: str | None = None
    message: str | None = None
