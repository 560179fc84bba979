"""The in-memory records the fake serves: users, projects, pipelines, workflows, jobs, ..."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

import attrs

from .blobs import Blob

__all__ = [
    "JOB_STATUSES",
    "PIPELINE_STATES",
    "UNSTARTED_JOB_STATUSES",
    "WORKFLOW_STATUSES",
    "Artifact",
    "Job",
    "JobStatus",
    "JobType",
    "Pipeline",
    "PipelineState",
    "Project",
    "TestResult",
    "TriggerType",
    "User",
    "VcsProvider",
    "Workflow",
    "WorkflowStatus",
]

PipelineState = Literal["created", "errored", "setup-pending", "setup", "pending"]
TriggerType = Literal["scheduled_pipeline", "explicit", "api", "webhook"]
WorkflowStatus = Literal[
    "success", "running", "not_run", "failed", "error", "failing", "on_hold", "canceled",
    "unauthorized",
]  # fmt: skip
JobStatus = Literal[
    "success", "running", "not_run", "failed", "retried", "queued", "not_running",
    "infrastructure_fail", "timedout", "on_hold", "terminated-unknown", "blocked", "canceled",
    "unauthorized",
]  # fmt: skip
JobType = Literal["build", "approval"]
VcsProvider = Literal["Bitbucket", "CircleCI", "GitHub"]

PIPELINE_STATES: frozenset[str] = frozenset(get_args(PipelineState))
WORKFLOW_STATUSES: frozenset[str] = frozenset(get_args(WorkflowStatus))
JOB_STATUSES: frozenset[str] = frozenset(get_args(JobStatus))
UNSTARTED_JOB_STATUSES: frozenset[str] = frozenset(
    {"queued", "blocked", "not_running", "on_hold", "not_run"}
)
"""Statuses of jobs that never started.

The fake's one knowing departure from the spec: for these jobs (and approval jobs) it sends
`started_at: null` in job lists and job details, as CircleCI does, although the spec marks
`started_at` required and not nullable. The project's spec check lists this exception.
"""


@attrs.define(kw_only=True)
class User:
    """The user the fake's token belongs to."""

    id: str
    login: str
    name: str
    avatar_url: str | None = None


@attrs.define(kw_only=True)
class Project:
    """A followed project; `slug` is `gh/org/repo`, `bb/org/repo` or `circleci/<uuid>/<uuid>`."""

    id: str
    slug: str
    name: str
    organization_name: str
    organization_slug: str
    organization_id: str
    vcs_url: str
    provider: VcsProvider
    default_branch: str = "main"
    pipelines: list[Pipeline] = attrs.field(factory=list, repr=False)
    """Newest first, as CircleCI lists them."""
    jobs_by_number: dict[int, Job] = attrs.field(factory=dict, repr=False)
    next_pipeline_number: int = attrs.field(default=1, repr=False)
    next_job_number: int = attrs.field(default=1, repr=False)


@attrs.define(kw_only=True)
class Pipeline:
    """One pipeline run of a project."""

    id: str
    number: int
    project_slug: str
    created_at: datetime
    updated_at: datetime
    actor: User
    state: PipelineState = "created"
    trigger_type: TriggerType = "webhook"
    branch: str | None = "main"
    tag: str | None = None
    revision: str | None = None
    commit_subject: str | None = None
    commit_body: str | None = None
    parameters: dict[str, Any] = attrs.field(factory=dict)
    errors: list[dict[str, str]] = attrs.field(factory=list)
    """Each `{"type": <spec enum>, "message": str}`."""
    workflows: list[Workflow] = attrs.field(factory=list, repr=False)


@attrs.define(kw_only=True)
class Workflow:
    """One workflow of a pipeline."""

    id: str
    name: str
    status: WorkflowStatus
    pipeline_id: str
    pipeline_number: int
    project_slug: str
    started_by: str
    created_at: datetime
    stopped_at: datetime | None = None
    tag: Literal["setup"] | None = None
    jobs: list[Job] = attrs.field(factory=list, repr=False)


@attrs.define(kw_only=True)
class Job:
    """One job of a workflow; approval jobs have no `number`."""

    id: str
    number: int | None
    name: str
    type: JobType
    status: JobStatus
    project_slug: str
    workflow_id: str
    pipeline_id: str
    created_at: datetime
    queued_at: datetime
    started_at: datetime | None
    stopped_at: datetime | None
    parallelism: int = 1
    resource_class: str = "medium"
    executor_type: str = "docker"
    dependencies: list[str] = attrs.field(factory=list)
    approval_request_id: str | None = None
    artifacts: list[Artifact] = attrs.field(factory=list, repr=False)
    tests: list[TestResult] = attrs.field(factory=list, repr=False)

    @property
    def duration_ms(self) -> int | None:
        """Run time in milliseconds, or None while not finished."""
        if self.started_at is None or self.stopped_at is None:
            return None
        return int((self.stopped_at - self.started_at).total_seconds() * 1000)


@attrs.define(kw_only=True)
class Artifact:
    """A stored artifact of a job; its `path` is kept exactly as given, hostile or not."""

    id: str
    project_slug: str
    job_number: int
    job_id: str
    path: str
    node_index: int
    blob: Blob = attrs.field(repr=False)
    _sha256: str | None = attrs.field(default=None, init=False, repr=False, eq=False)

    @property
    def size(self) -> int:
        """Length of the content in bytes."""
        return self.blob.size

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the content (streamed once, then cached)."""
        if self._sha256 is None:
            self._sha256 = self.blob.sha256()
        return self._sha256

    def read(self) -> bytes:
        """The whole content at once; meant for small artifacts."""
        return self.blob.read()


@attrs.define(kw_only=True)
class TestResult:
    """One test case result reported by a job."""

    __test__ = False

    name: str
    classname: str
    file: str
    result: str
    message: str | None
    run_time: float
    source: str
