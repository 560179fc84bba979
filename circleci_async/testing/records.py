"""The in-memory records the fake serves: users, projects, pipelines, workflows, jobs, ..."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from typing import Any, Literal, get_args

import attrs

from .blobs import Blob

__all__ = [
    "FINISHED_JOB_STATUSES",
    "FINISHED_WORKFLOW_STATUSES",
    "JOB_STATUSES",
    "PIPELINE_STATES",
    "UNSTARTED_JOB_STATUSES",
    "WORKFLOW_STATUSES",
    "ArtifactRecord",
    "CheckoutKeyRecord",
    "Commit",
    "JobRecord",
    "JobStatusValue",
    "JobTypeValue",
    "PipelineRecord",
    "PipelineStateValue",
    "ProjectEnvVar",
    "ProjectRecord",
    "TestResultRecord",
    "TriggerTypeValue",
    "UserRecord",
    "VcsProviderValue",
    "WorkflowRecord",
    "WorkflowStatusValue",
    "default_settings",
]

PipelineStateValue = Literal["created", "errored", "setup-pending", "setup", "pending"]
TriggerTypeValue = Literal["scheduled_pipeline", "explicit", "api", "webhook"]
WorkflowStatusValue = Literal[
    "success", "running", "not_run", "failed", "error", "failing", "on_hold", "canceled",
    "unauthorized",
]  # fmt: skip
JobStatusValue = Literal[
    "success", "running", "not_run", "failed", "retried", "queued", "not_running",
    "infrastructure_fail", "timedout", "on_hold", "terminated-unknown", "blocked", "canceled",
    "unauthorized",
]  # fmt: skip
JobTypeValue = Literal["build", "approval"]
VcsProviderValue = Literal["Bitbucket", "CircleCI", "GitHub"]

PIPELINE_STATES: frozenset[str] = frozenset(get_args(PipelineStateValue))
WORKFLOW_STATUSES: frozenset[str] = frozenset(get_args(WorkflowStatusValue))
JOB_STATUSES: frozenset[str] = frozenset(get_args(JobStatusValue))
UNSTARTED_JOB_STATUSES: frozenset[str] = frozenset(
    {"queued", "blocked", "not_running", "on_hold", "not_run"}
)
"""Statuses of jobs that never started.

The fake's one knowing departure from the spec: for these jobs (and approval jobs) it sends
`started_at: null` in job lists and job details, as CircleCI does, although the spec marks
`started_at` required and not nullable. The project's spec check lists this exception.
"""


FINISHED_WORKFLOW_STATUSES: frozenset[str] = frozenset(
    {"success", "not_run", "failed", "error", "canceled", "unauthorized"}
)
"""Statuses of workflows that have ended."""
FINISHED_JOB_STATUSES: frozenset[str] = frozenset(
    {"success", "failed", "retried", "infrastructure_fail", "timedout", "terminated-unknown",
     "canceled", "unauthorized"}
)  # fmt: skip
"""Statuses of jobs that ran and ended."""


def default_settings(default_branch: str) -> dict[str, Any]:
    """The advanced settings of a new project."""
    return {
        "autocancel_builds": False,
        "build_fork_prs": False,
        "build_prs_only": False,
        "disable_ssh": False,
        "forks_receive_secret_env_vars": False,
        "oss": False,
        "set_github_status": True,
        "setup_workflows": False,
        "write_settings_requires_admin": False,
        "pr_only_branch_overrides": [default_branch],
    }


@attrs.define(kw_only=True)
class UserRecord:
    """The user the fake's token belongs to."""

    id: str
    login: str
    name: str
    avatar_url: str | None = None


@attrs.define(kw_only=True)
class Commit:
    """The head commit of a branch or tag, as the fake's repository knows it."""

    revision: str
    subject: str
    body: str = ""


@attrs.define(kw_only=True)
class ProjectEnvVar:
    """A project environment variable; the API only ever shows its value masked."""

    name: str
    value: str
    created_at: datetime

    @property
    def masked(self) -> str:
        """The value as CircleCI shows it: `xxxx` and the last four characters."""
        return "xxxx" + self.value[-4:]


@attrs.define(kw_only=True)
class CheckoutKeyRecord:
    """An SSH key CircleCI checks a project out with; fingerprints derive from the key."""

    type: Literal["deploy-key", "github-user-key"]
    public_key: str
    created_at: datetime

    @property
    def md5(self) -> str:
        """The MD5 fingerprint (`c9:0b:...`)."""
        digest = hashlib.md5(self._blob(), usedforsecurity=False).hexdigest()
        return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))

    @property
    def sha256(self) -> str:
        """The SHA-256 fingerprint (`SHA256:...`, unpadded base64)."""
        digest = hashlib.sha256(self._blob()).digest()
        return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")

    def _blob(self) -> bytes:
        return base64.b64decode(self.public_key.split()[1])


@attrs.define(kw_only=True)
class ProjectRecord:
    """A followed project; `slug` is `gh/org/repo`, `bb/org/repo` or `circleci/<uuid>/<uuid>`."""

    id: str
    slug: str
    name: str
    organization_name: str
    organization_slug: str
    organization_id: str
    vcs_url: str
    provider: VcsProviderValue
    default_branch: str = "main"
    pipelines: list[PipelineRecord] = attrs.field(factory=list, repr=False)
    """Newest first, as CircleCI lists them."""
    jobs_by_number: dict[int, JobRecord] = attrs.field(factory=dict, repr=False)
    next_pipeline_number: int = attrs.field(default=1, repr=False)
    next_job_number: int = attrs.field(default=1, repr=False)
    env_vars: dict[str, ProjectEnvVar] = attrs.field(factory=dict, repr=False)
    checkout_keys: list[CheckoutKeyRecord] = attrs.field(factory=list, repr=False)
    settings: dict[str, Any] = attrs.field(factory=dict, repr=False)
    """Advanced settings, by their API names."""
    heads: dict[str, Commit] = attrs.field(factory=dict, repr=False)
    """Head commits by ref: `refs/heads/<branch>` or `refs/tags/<tag>`."""


@attrs.define(kw_only=True)
class PipelineRecord:
    """One pipeline run of a project."""

    id: str
    number: int
    project_slug: str
    created_at: datetime
    updated_at: datetime
    actor: UserRecord
    state: PipelineStateValue = "created"
    trigger_type: TriggerTypeValue = "webhook"
    branch: str | None = "main"
    tag: str | None = None
    revision: str | None = None
    commit_subject: str | None = None
    commit_body: str | None = None
    parameters: dict[str, Any] = attrs.field(factory=dict)
    errors: list[dict[str, str]] = attrs.field(factory=list)
    """Each `{"type": <spec enum>, "message": str}`."""
    config: str | None = None
    """The config as written; None means one outlined from the pipeline's workflows."""
    setup_config: str | None = None
    """The setup config a continued pipeline started from."""
    continuation_key: str | None = None
    """The key that continues a pipeline in its setup phase, until it is used."""
    definition_id: str | None = None
    workflows: list[WorkflowRecord] = attrs.field(factory=list, repr=False)


@attrs.define(kw_only=True)
class WorkflowRecord:
    """One workflow of a pipeline."""

    id: str
    name: str
    status: WorkflowStatusValue
    pipeline_id: str
    pipeline_number: int
    project_slug: str
    started_by: str
    created_at: datetime
    stopped_at: datetime | None = None
    tag: Literal["setup"] | None = None
    canceled_by: str | None = None
    """The id of the user who canceled it."""
    jobs: list[JobRecord] = attrs.field(factory=list, repr=False)


@attrs.define(kw_only=True)
class JobRecord:
    """One job of a workflow; approval jobs have no `number`."""

    id: str
    number: int | None
    name: str
    type: JobTypeValue
    status: JobStatusValue
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
    canceled_by: str | None = None
    """The id of the user who canceled it."""
    approved_by: str | None = None
    """The id of the user who approved it (approval jobs)."""
    artifacts: list[ArtifactRecord] = attrs.field(factory=list, repr=False)
    tests: list[TestResultRecord] = attrs.field(factory=list, repr=False)

    @property
    def duration_ms(self) -> int | None:
        """Run time in milliseconds, or None while not finished."""
        if self.started_at is None or self.stopped_at is None:
            return None
        return int((self.stopped_at - self.started_at).total_seconds() * 1000)


@attrs.define(kw_only=True)
class ArtifactRecord:
    """A stored artifact of a job; its `path` is kept exactly as given, hostile or not."""

    id: str
    project_slug: str
    job_number: int
    job_id: str
    path: str
    node_index: int
    blob: Blob = attrs.field(repr=False)
    revision: int = 0
    """How many times the content was replaced (`Faults.change_artifact`); part of the ETag."""
    _sha256: str | None = attrs.field(default=None, init=False, repr=False, eq=False)

    def replace_content(self, data: bytes) -> None:
        """Serve `data` from now on, under a new ETag."""
        self.blob = Blob(len(data), data, self.blob.seed)
        self.revision += 1
        self._sha256 = None

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
class TestResultRecord:
    """One test case result reported by a job."""

    __test__ = False

    name: str
    classname: str
    file: str
    result: str
    message: str | None
    run_time: float
    source: str
