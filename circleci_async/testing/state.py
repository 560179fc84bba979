"""`FakeState`: the fake's data; on top of `OrgState`, projects and their builds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Literal

from .blobs import Blob
from .demo_org import DemoOrg, seed_demo_org
from .org_records import OrganizationRecord
from .org_state import OrgState
from .records import (
    FINISHED_JOB_STATUSES,
    FINISHED_WORKFLOW_STATUSES,
    JOB_STATUSES,
    PIPELINE_STATES,
    UNSTARTED_JOB_STATUSES,
    WORKFLOW_STATUSES,
    ArtifactRecord,
    Commit,
    JobRecord,
    JobStatusValue,
    JobTypeValue,
    PipelineRecord,
    PipelineStateValue,
    ProjectRecord,
    TestResultRecord,
    TriggerTypeValue,
    UserRecord,
    VcsProviderValue,
    WorkflowRecord,
    WorkflowStatusValue,
    default_settings,
)
from .store import canonical_slug, is_uuid
from .urls import artifact_url_path, canonical, lookup_keys

__all__ = ["DEFAULT_ARTIFACT_SIZE", "FakeState", "canonical_slug"]

DEFAULT_ARTIFACT_SIZE = 1024
"""Size of the generated content of an artifact created without `data` or `size`."""

_PROVIDERS: dict[str, VcsProviderValue] = {
    "gh": "GitHub",
    "bb": "Bitbucket",
    "circleci": "CircleCI",
}
_REPO_HOSTS = {"gh": "https://github.com", "bb": "https://bitbucket.org"}


class FakeState(OrgState):
    """In-memory CircleCI data: one user from the start, then whatever the factories add.

    Ids come from a random generator seeded with `seed`, so a seeded state is reproducible.
    Records are mutable attrs objects; change them freely between requests.
    """

    # Lookups ------------------------------------------------------------------------------

    def project(self, slug: str) -> ProjectRecord | None:
        """The project with this slug (`github/` and `bitbucket/` prefixes accepted)."""
        return self.projects.get(canonical_slug(slug))

    def job(self, project_slug: str, job_number: int) -> JobRecord | None:
        """The job with this number in the project."""
        project = self.project(project_slug)
        return None if project is None else project.jobs_by_number.get(job_number)

    def artifact_at(self, url_path: str) -> ArtifactRecord | None:
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
    ) -> ProjectRecord:
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
        project_id = self.new_id()
        organization = self._organization_for(vcs, org, organization_name)
        project = ProjectRecord(
            id=repo if vcs == "circleci" and is_uuid(repo) else project_id,
            slug=slug,
            name=name,
            organization_name=organization_name,
            organization_slug=organization.slug,
            organization_id=organization.id,
            vcs_url=vcs_url,
            provider=_PROVIDERS[vcs],
            default_branch=default_branch,
            settings=default_settings(default_branch),
        )
        self.projects[slug] = project
        return project

    def add_pipeline(
        self,
        project_slug: str,
        *,
        branch: str | None = None,
        tag: str | None = None,
        state: PipelineStateValue = "created",
        trigger_type: TriggerTypeValue = "webhook",
        created_at: datetime | None = None,
        revision: str | None = None,
        commit_subject: str | None = "Update dependencies",
        commit_body: str | None = "",
        parameters: Mapping[str, Any] | None = None,
        errors: Iterable[Mapping[str, str]] = (),
        actor: UserRecord | None = None,
    ) -> PipelineRecord:
        """Create a pipeline, listed first from now on; creates the project if it is new.

        `branch` defaults to the project's default branch unless a `tag` is given; `actor`
        (who triggered it) defaults to the token's user.
        """
        _check(state, PIPELINE_STATES, "pipeline state")
        project = self.project(project_slug) or self.add_project(project_slug)
        if branch is None and tag is None:
            branch = project.default_branch
        created_at = created_at or self.now()
        pipeline = PipelineRecord(
            id=self.new_id(),
            number=project.next_pipeline_number,
            project_slug=project.slug,
            created_at=created_at,
            updated_at=created_at,
            actor=actor or self.user,
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
        status: WorkflowStatusValue = "success",
        created_at: datetime | None = None,
        tag: Literal["setup"] | None = None,
    ) -> WorkflowRecord:
        """Create a workflow in a pipeline; finished statuses get a `stopped_at`.

        A `setup` workflow puts its pipeline in its setup phase, with a continuation key.
        """
        _check(status, WORKFLOW_STATUSES, "workflow status")
        pipeline = self.pipelines[pipeline_id]
        created_at = created_at or pipeline.created_at + timedelta(seconds=2)
        stopped_at = None
        if status in FINISHED_WORKFLOW_STATUSES:
            stopped_at = created_at + timedelta(seconds=self._rng.randint(30, 900))
        workflow = WorkflowRecord(
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
        if tag == "setup" and pipeline.continuation_key is None:
            pipeline.continuation_key = self.new_id()
            if pipeline.state in ("created", "pending"):
                pipeline.state = "setup"
        return workflow

    def add_job(
        self,
        workflow_id: str,
        *,
        name: str = "build",
        status: JobStatusValue = "success",
        started: bool | None = None,
        type: JobTypeValue = "build",
        parallelism: int = 1,
        dependencies: Iterable[str] = (),
        resource_class: str = "medium",
        executor_type: str = "docker",
        created_at: datetime | None = None,
    ) -> JobRecord:
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
        if started_at is not None and status in FINISHED_JOB_STATUSES:
            stopped_at = started_at + timedelta(seconds=self._rng.randint(5, 600))
        job_id = self.new_id()
        number = None
        if type == "build":
            number = project.next_job_number
            project.next_job_number += 1
        job = JobRecord(
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
    ) -> ArtifactRecord:
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
        artifact = ArtifactRecord(
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
    ) -> TestResultRecord:
        """Attach a test result (`result`: success, failure, skipped, ...) to a job."""
        job = self._require_job(project_slug, job_number)
        test = TestResultRecord(
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

    def seed_demo(self, seed: int = 0, *, pipelines: int = 30) -> DemoOrg:
        """Add the demo organisation `acme` (`demo_org.seed_demo_org`), drawn from `seed`.

        Four projects share about `pipelines` pipelines, with workflows, jobs in mixed states,
        test results and artifacts (generated on demand, never held in memory).
        """
        return seed_demo_org(self, seed, pipelines=pipelines)

    def push_commit(
        self,
        project_slug: str,
        subject: str,
        *,
        branch: str | None = None,
        tag: str | None = None,
        body: str = "",
    ) -> Commit:
        """Make a new commit the head of a branch (the default branch unless given) or tag.

        Pipelines triggered by `pipelines.run()` build the head commit of their checkout ref.
        """
        project = self._require_project(project_slug)
        commit = Commit(revision=f"{self._rng.getrandbits(160):040x}", subject=subject, body=body)
        project.heads[_ref(project, branch, tag)] = commit
        return commit

    def head_commit(
        self, project: ProjectRecord, *, branch: str | None = None, tag: str | None = None
    ) -> Commit:
        """The head commit of a branch or tag: the last pushed, else the last built, else new."""
        ref = _ref(project, branch, tag)
        head = project.heads.get(ref)
        if head is None:
            built = next(
                (
                    p
                    for p in project.pipelines
                    if _ref(project, p.branch, p.tag) == ref and p.revision is not None
                ),
                None,
            )
            if built is not None and built.revision is not None:
                head = Commit(
                    revision=built.revision,
                    subject=built.commit_subject or "",
                    body=built.commit_body or "",
                )
            else:
                head = Commit(
                    revision=f"{self._rng.getrandbits(160):040x}", subject="Initial commit"
                )
            project.heads[ref] = head
        return head

    def remove_project(self, project_slug: str) -> ProjectRecord:
        """Delete a project with its pipelines, workflows, jobs, artifacts and configuration."""
        project = self._require_project(project_slug)
        del self.projects[project.slug]
        for pipeline in project.pipelines:
            self.pipelines.pop(pipeline.id, None)
            for workflow in pipeline.workflows:
                self.workflows.pop(workflow.id, None)
                for job in workflow.jobs:
                    self.jobs.pop(job.id, None)
                    for artifact in job.artifacts:
                        self.artifacts.pop(artifact.id, None)
        self._artifacts_by_url_path = {
            key: artifact
            for key, artifact in self._artifacts_by_url_path.items()
            if artifact.id in self.artifacts
        }
        for table in (self.pipeline_definitions, self.triggers, self.components):
            for key in [k for k, item in table.items() if item.project_id == project.id]:
                del table[key]
        for key in [k for k, item in self.schedules.items() if item.project_slug == project.slug]:
            del self.schedules[key]
        for key in [k for k, item in self.webhooks.items() if item.scope_id == project.id]:
            del self.webhooks[key]
        return project

    def remove_organization(self, organization: OrganizationRecord) -> None:
        """Delete an organization with its projects, contexts and deploy environments."""
        for project in self.projects_of(organization):
            self.remove_project(project.slug)
        for key in [k for k, item in self.contexts.items() if item.owner_id == organization.id]:
            del self.contexts[key]
        for key in [k for k, item in self.environments.items() if item.org_id == organization.id]:
            del self.environments[key]
        del self.organizations[organization.id]

    def _require_project(self, project_slug: str) -> ProjectRecord:
        project = self.project(project_slug)
        if project is None:
            raise KeyError(f"no project {project_slug!r}")
        return project

    def _require_job(self, project_slug: str, job_number: int) -> JobRecord:
        job = self.job(project_slug, job_number)
        if job is None:
            raise KeyError(f"no job {job_number} in project {project_slug!r}")
        return job


def _ref(project: ProjectRecord, branch: str | None, tag: str | None) -> str:
    if tag is not None:
        return f"refs/tags/{tag}"
    return f"refs/heads/{branch or project.default_branch}"


def _check(value: str, allowed: frozenset[str], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"{what} {value!r} is not one of {sorted(allowed)}")
