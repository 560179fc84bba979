"""Lazy listings of a job's, a workflow's and a pipeline's artifacts, through the services.

Each yields `ArtifactRef`s as pages arrive. A list that cannot be read becomes a
`ListingFailure` and the walk goes on with the next job or workflow.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, Callable

from ..errors import CircleCIError
from ..services import JobsService, PipelinesService, WorkflowsService
from .logrefs import LogRef
from .refs import ArtifactRef
from .report import ListingFailure, detached

__all__ = ["PerJob", "job_listing", "pipeline_listing", "workflow_listing"]

Listed = AsyncGenerator[ArtifactRef | LogRef | ListingFailure, None]
PerJob = Callable[[str, int, str | None, str | None], Listed]
"""What a walk lists for each job: `(project_slug, job_number, job_name, status)`."""


async def job_listing(
    jobs: JobsService, project_slug: str, job_number: int, job_name: str | None = None
) -> Listed:
    """The artifacts of one job."""
    try:
        async for artifact in jobs.artifacts(project_slug, job_number):
            yield ArtifactRef(artifact, project_slug, job_number, job_name)
    except CircleCIError as error:
        source = f"the artifacts of job {job_number} of {project_slug}"
        yield ListingFailure(source, detached(error))


async def workflow_listing(
    workflows: WorkflowsService,
    jobs: JobsService,
    workflow_id: str,
    per_job: PerJob | None = None,
) -> Listed:
    """The artifacts (or what `per_job` lists) of every job of a workflow with a job number."""
    fallback_slug: str | None = None
    try:
        async for job in workflows.jobs(workflow_id):
            if job.job_number is None:
                continue
            slug = job.project_slug
            if slug is None:
                # Older answers may leave the slug out of a job; the workflow has it.
                fallback_slug = fallback_slug or (await workflows.get(workflow_id)).project_slug
                slug = fallback_slug
            if slug is None:
                continue
            listing = (
                job_listing(jobs, slug, job.job_number, job.name)
                if per_job is None
                else per_job(slug, job.job_number, job.name, _status(job.status))
            )
            async with contextlib.aclosing(listing):
                async for item in listing:
                    yield item
    except CircleCIError as error:
        yield ListingFailure(f"the jobs of workflow {workflow_id}", detached(error))


async def pipeline_listing(
    pipelines: PipelinesService,
    workflows: WorkflowsService,
    jobs: JobsService,
    pipeline_id: str,
    per_job: PerJob | None = None,
) -> Listed:
    """The artifacts (or what `per_job` lists) of every job of every workflow of a pipeline."""
    try:
        async for workflow in pipelines.workflows(pipeline_id):
            listing = workflow_listing(workflows, jobs, workflow.id, per_job)
            async with contextlib.aclosing(listing):
                async for item in listing:
                    yield item
    except CircleCIError as error:
        yield ListingFailure(f"the workflows of pipeline {pipeline_id}", detached(error))


def _status(status: object) -> str | None:
    return None if status is None else str(status)
