"""A job's details, its artifacts and its test results."""

from __future__ import annotations

from datetime import datetime

from .base import model
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
    """The project a job belongs to."""

    id: str
    slug: str
    name: str
    external_url: str


@model
class JobParallelRun:
    """One parallel node of a job."""

    index: int
    status: str


@model
class JobWorkflow:
    """The newest workflow that ran a job."""

    id: str
    name: str


@model
class JobExecutor:
    """Where a job ran."""

    resource_class: str
    type: str | None = None


@model
class JobPipeline:
    """The pipeline a job belongs to."""

    id: str


@model
class JobMessage:
    """A message attached to a job."""

    type: str
    message: str
    reason: str | None = None


@model
class JobContext:
    """A context a job used."""

    name: str


@model
class JobOrganization:
    """The organization a job belongs to."""

    name: str


@model
class JobDetails:
    """A job in full (`GET /project/{project-slug}/job/{job-number}`)."""

    number: int
    name: str
    status: JobStatus
    web_url: str
    project: JobProject
    organization: JobOrganization
    pipeline: JobPipeline
    latest_workflow: JobWorkflow
    executor: JobExecutor
    parallelism: int
    parallel_runs: list[JobParallelRun]
    contexts: list[JobContext]
    messages: list[JobMessage]
    created_at: datetime
    queued_at: datetime
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

    name: str
    classname: str
    result: str
    run_time: float
    source: str
    file: str | None = None
    message: str | None = None
