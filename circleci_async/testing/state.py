"""`FakeState`: the fake's in-memory data, and the factory methods that fill it."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from .blobs import Blob
from .demo import populate
from .records import (
    JOB_STATUSES,
    PIPELINE_STATES,
    UNSTARTED_JOB_STATUSES,
    WORKFLOW_STATUSES,
    Artifact,
    Job,
    JobStatus,
    JobType,
    Pipeline,
    PipelineState,
    Project,
    TestResult,
    TriggerType,
    User,
    VcsProvider,
    Workflow,
    WorkflowStatus,
)
from .urls import artifact_url_path, canonical, lookup_keys

__all__ = ["DEFAULT_ARTIFACT_SIZE", "FakeState", "canonical_slug"]

DEFAULT_ARTIFACT_SIZE = 1024
"""Size of the generated content of an artifact created without `data` or `size`."""

_VCS_ALIASES = {"github": "gh", "bitbucket": "bb"}
_PROVIDERS: dict[str, VcsProvider] = {"gh": "GitHub", "bb": "Bitbucket", "circleci": "CircleCI"}
_REPO_HOSTS = {"gh": "https://github.com", "bb": "https://bitbucket.org"}
_FINISHED_WORKFLOW = frozenset(
    {"success", "not_run", "failed", "error", "canceled", "unauthorized"}
)
_FINISHED_JOB = frozenset(
    {"success", "failed", "retried", "infrastructure_fail", "timedout", "terminated-unknown",
     "canceled", "unauthorized"}
)  # fmt: skip


def canonical_slug(slug: str) -> str:
    """`github/org/repo` → `gh/org/repo`, `bitbucket/...` → `bb/...`; others unchanged."""
    vcs, sep, rest = slug.partition("/")
    return f"{_VCS_ALIASES.get(vcs, vcs)}{sep}{rest}"


class FakeState:
    """In-memory CircleCI data: one user from the start, then whatever the factories add.

    Ids come from a random generator seeded with `seed`, so a seeded state is reproducible.
    Records are mutable attrs objects; change them freely between requests.
    """

    def __init__(
        self, *, seed: int | None = None, clock: Callable[[], datetime] | None = None
    ) -> None:
        self._rng = random.Random(seed)
        self._clock = clock or (lambda: datetime.now(UTC))
        self.projects: dict[str, Project] = {}
        """Projects by slug."""
        self.pipelines: dict[str, Pipeline] = {}
        """Pipelines by id."""
        self.workflows: dict[str, Workflow] = {}
        """Workflows by id."""
        self.jobs: dict[str, Job] = {}
        """Jobs by id."""
        self.artifacts: dict[str, Artifact] = {}
        """Artifacts by their (storage) id."""
        self._artifacts_by_url_path: dict[str, Artifact] = {}
        self._org_ids: dict[str, str] = {}
        self.user = User(
            id=self.new_id(),
            login="fake-user",
            name="Fake User",
            avatar_url="https://avatars.githubusercontent.com/u/1000001?v=4",
        )
        """The user every accepted token belongs to."""

    def new_id(self) -> str:
        """A fresh version-4 UUID string from the state's generator."""
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def now(self) -> datetime:
        """The state's clock (timezone-aware UTC)."""
        return self._clock()

    @contextmanager
    def _reseeded(self, seed: int) -> Iterator[random.Random]:
        saved = self._rng
        self._rng = random.Random(f"circleci-async-demo:{seed}")
        try:
            yield self._rng
        finally:
            self._rng = saved

    # Lookups ------------------------------------------------------------------------------

    def project(self, slug: str) -> Project | None:
        """The project with this slug (`github/` and `bitbucket/` prefixes accepted)."""
        return self.projects.get(canonical_slug(slug))

    def job(self, project_slug: str, job_number: int) -> Job | None:
        """The job with this number in the project."""
        project = self.project(project_slug)
        return None if project is None else project.jobs_by_number.get(job_number)

    def artifact_at(self, url_path: str) -> Artifact | None:
        """The artifact whose URL path (on the artifacts origin) is `url_path`."""
        return self._artifacts_by_url_path.get(canonical(url_path))

    # Factories ----------------------------------------------------------------------------

    def add_project(
        self,
        slug: str,
        *,
        name: str | None = None,
        organization_name: str | None = None,
        default_branch: str = "main",
        vcs_url: str | None = None,
    ) -> Project:
        """Create a project; `slug` is `gh/org/repo`, `bb/org/repo` or `circleci/<id>/<id>`."""
        slug = canonical_slug(slug)
        parts = slug.split("/")
        if len(parts) != 3 or not all(parts) or parts[0] not in _PROVIDERS:
            raise ValueError(f"not a project slug: {slug!r}")
        if slug in self.projects:
            raise ValueError(f"project {slug!r} already exists")
        vcs, org, repo = parts
        if vcs == "circleci":
            name = name or f"project-{repo[:8]}"
            organization_name = organization_name or f"org-{org[:8]}"
            vcs_url = vcs_url or f"https://github.com/{organization_name}/{name}"
        else:
            name = name or repo
            organization_name = organization_name or org
            vcs_url = vcs_url or f"{_REPO_HOSTS[vcs]}/{org}/{repo}"
        organization_slug = f"{vcs}/{org}"
        project = Project(
            id=self.new_id(),
            slug=slug,
            name=name,
            organization_name=organization_name,
            organization_slug=organization_slug,
            organization_id=self._org_ids.setdefault(organization_slug, self.new_id()),
            vcs_url=vcs_url,
            provider=_PROVIDERS[vcs],
            default_branch=default_branch,
        )
        self.projects[slug] = project
        return project

    def add_pipeline(
        self,
        project_slug: str,
        *,
        branch: str | None = None,
        tag: str | None = None,
        state: PipelineState = "created",
        trigger_type: TriggerType = "webhook",
        created_at: datetime | None = None,
        revision: str | None = None,
        commit_subject: str | None = "Update dependencies",
        commit_body: str | None = "",
        parameters: Mapping[str, Any] | None = None,
        errors: Iterable[Mapping[str, str]] = (),
    ) -> Pipeline:
        """Create a pipeline, listed first from now on; creates the project if it is new.

        `branch` defaults to the project's default branch unless a `tag` is given.
        """
        _check(state, PIPELINE_STATES, "pipeline state")
        project = self.project(project_slug) or self.add_project(project_slug)
        if branch is None and tag is None:
            branch = project.default_branch
        created_at = created_at or self.now()
        pipeline = Pipeline(
            id=self.new_id(),
            number=project.next_pipeline_number,
            project_slug=project.slug,
            created_at=created_at,
            updated_at=created_at,
            actor=self.user,
            state=state,
            trigger_type=trigger_type,
            branch=branch,
            tag=tag,
            revision=revision or f"{self._rng.getrandbits(160):040x}",
            commit_subject=commit_subject,
            commit_body=commit_body,
            parameters=dict(parameters or {}),
            errors=[dict(error) for error in errors],
        )
        project.next_pipeline_number += 1
        project.pipelines.insert(0, pipeline)
        self.pipelines[pipeline.id] = pipeline
        return pipeline

    def add_workflow(
        self,
        pipeline_id: str,
        *,
        name: str = "build-and-test",
        status: WorkflowStatus = "success",
        created_at: datetime | None = None,
        tag: Literal["setup"] | None = None,
    ) -> Workflow:
        """Create a workflow in a pipeline; finished statuses get a `stopped_at`."""
        _check(status, WORKFLOW_STATUSES, "workflow status")
        pipeline = self.pipelines[pipeline_id]
        created_at = created_at or pipeline.created_at + timedelta(seconds=2)
        stopped_at = None
        if status in _FINISHED_WORKFLOW:
            stopped_at = created_at + timedelta(seconds=self._rng.randint(30, 900))
        workflow = Workflow(
            id=self.new_id(),
            name=name,
            status=status,
            pipeline_id=pipeline.id,
            pipeline_number=pipeline.number,
            project_slug=pipeline.project_slug,
            started_by=pipeline.actor.id,
            created_at=created_at,
            stopped_at=stopped_at,
            tag=tag,
        )
        pipeline.workflows.append(workflow)
        self.workflows[workflow.id] = workflow
        return workflow

    def add_job(
        self,
        workflow_id: str,
        *,
        name: str = "build",
        status: JobStatus = "success",
        started: bool | None = None,
        type: JobType = "build",
        parallelism: int = 1,
        dependencies: Iterable[str] = (),
        resource_class: str = "medium",
        executor_type: str = "docker",
        created_at: datetime | None = None,
    ) -> Job:
        """Create a job in a workflow; build jobs get the project's next job number.

        `started` defaults to whether `status` implies the job ran: queued, blocked, on-hold,
        not-running and not-run jobs (and approval jobs) have `started_at = None`.
        """
        _check(status, JOB_STATUSES, "job status")
        workflow = self.workflows[workflow_id]
        project = self.projects[workflow.project_slug]
        if started is None:
            started = type == "build" and status not in UNSTARTED_JOB_STATUSES
        created_at = created_at or workflow.created_at + timedelta(seconds=len(workflow.jobs))
        queued_at = created_at + timedelta(milliseconds=self._rng.randint(100, 3000))
        started_at = queued_at + timedelta(seconds=self._rng.randint(1, 20)) if started else None
        stopped_at = None
        if started_at is not None and status in _FINISHED_JOB:
            stopped_at = started_at + timedelta(seconds=self._rng.randint(5, 600))
        job_id = self.new_id()
        number = None
        if type == "build":
            number = project.next_job_number
            project.next_job_number += 1
        job = Job(
            id=job_id,
            number=number,
            name=name,
            type=type,
            status=status,
            project_slug=project.slug,
            workflow_id=workflow.id,
            pipeline_id=workflow.pipeline_id,
            created_at=created_at,
            queued_at=queued_at,
            started_at=started_at,
            stopped_at=stopped_at,
            parallelism=parallelism,
            resource_class=resource_class,
            executor_type=executor_type,
            dependencies=list(dependencies),
            approval_request_id=job_id if type == "approval" else None,
        )
        if number is not None:
            project.jobs_by_number[number] = job
        workflow.jobs.append(job)
        self.jobs[job.id] = job
        return job

    def add_artifact(
        self,
        project_slug: str,
        job_number: int,
        path: str,
        data: bytes | None = None,
        *,
        size: int | None = None,
        node_index: int = 0,
    ) -> Artifact:
        """Attach an artifact to a job; `path` is stored verbatim, however hostile.

        Give `data` to serve those bytes, or only `size` to serve that many deterministic
        pseudo-random bytes generated on the fly (never held in memory). With neither,
        `DEFAULT_ARTIFACT_SIZE` generated bytes. `artifact.sha256` is the expected digest.
        """
        job = self._require_job(project_slug, job_number)
        if data is None:
            blob_size = DEFAULT_ARTIFACT_SIZE if size is None else size
        else:
            blob_size = len(data) if size is None else size
        artifact_id = self.new_id()
        artifact = Artifact(
            id=artifact_id,
            project_slug=job.project_slug,
            job_number=job_number,
            job_id=job.id,
            path=path,
            node_index=node_index,
            blob=Blob(blob_size, data, artifact_id.encode()),
        )
        job.artifacts.append(artifact)
        self.artifacts[artifact.id] = artifact
        for key in lookup_keys(artifact_url_path(job.id, node_index, path)):
            self._artifacts_by_url_path.setdefault(key, artifact)
        return artifact

    def add_test(
        self,
        project_slug: str,
        job_number: int,
        *,
        name: str,
        result: str = "success",
        classname: str = "tests.test_app",
        file: str = "tests/test_app.py",
        message: str | None = None,
        run_time: float = 0.05,
        source: str = "junit",
    ) -> TestResult:
        """Attach a test result (`result`: success, failure, skipped, ...) to a job."""
        job = self._require_job(project_slug, job_number)
        test = TestResult(
            name=name,
            classname=classname,
            file=file,
            result=result,
            message=message,
            run_time=run_time,
            source=source,
        )
        job.tests.append(test)
        return test

    def seed_demo(
        self, seed: int = 0, *, projects: int = 2, pipelines_per_project: int = 15
    ) -> list[Project]:
        """Add a small, realistic organisation generated deterministically from `seed`.

        Each project gets `pipelines_per_project` pipelines on a few branches, with workflows,
        jobs in mixed states, test results and artifacts (small, generated on demand).
        """
        with self._reseeded(seed) as rng:
            return populate(self, rng, projects=projects, pipelines=pipelines_per_project)

    def _require_job(self, project_slug: str, job_number: int) -> Job:
        job = self.job(project_slug, job_number)
        if job is None:
            raise KeyError(f"no job {job_number} in project {project_slug!r}")
        return job


def _check(value: str, allowed: frozenset[str], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"{what} {value!r} is not one of {sorted(allowed)}")
