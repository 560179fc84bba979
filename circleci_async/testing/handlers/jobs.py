"""Handlers of the Job tag: job details, artifacts, test results, and cancelling jobs."""

from __future__ import annotations

from .. import lifecycle
from ..api_context import ApiContext, ApiError
from ..records import JobRecord
from ..renderers import artifact_json, case_result_json, job_details_json
from ..replies import Reply
from .lookups import found

__all__ = [
    "cancel_job_by_id",
    "cancel_job_by_number",
    "get_job_artifacts",
    "get_job_details",
    "get_tests",
]


def _job(ctx: ApiContext) -> JobRecord:
    number = ctx.int_param("job-number")
    return found(ctx.project().jobs_by_number.get(number), "Job")


async def get_job_details(ctx: ApiContext) -> Reply:
    """GET /project/{project-slug}/job/{job-number}."""
    job = _job(ctx)
    workflow = ctx.state.workflows[job.workflow_id]
    pipeline = ctx.state.pipelines[job.pipeline_id]
    project = ctx.state.projects[job.project_slug]
    return Reply.json(200, job_details_json(job, project, workflow, pipeline))


async def get_job_artifacts(ctx: ApiContext) -> Reply:
    """GET /project/{project-slug}/{job-number}/artifacts."""
    return ctx.page(_job(ctx).artifacts, lambda item: artifact_json(item, ctx.artifact_url(item)))


async def get_tests(ctx: ApiContext) -> Reply:
    """GET /project/{project-slug}/{job-number}/tests."""
    return ctx.page(_job(ctx).tests, case_result_json)


def _cancel(ctx: ApiContext, job: JobRecord) -> Reply:
    try:
        lifecycle.cancel_job(ctx.state, job, ctx.state.user)
    except ValueError as error:
        raise ApiError(400, str(error)) from None
    return Reply.json(200, {"message": "Job canceled."})


async def cancel_job_by_number(ctx: ApiContext) -> Reply:
    """POST /project/{project-slug}/job/{job-number}/cancel: 400 when it has finished."""
    return _cancel(ctx, _job(ctx))


async def cancel_job_by_id(ctx: ApiContext) -> Reply:
    """POST /jobs/{job-id}/cancel: 400 when it has finished."""
    return _cancel(ctx, found(ctx.state.jobs.get(ctx.params["job-id"]), "Job"))
