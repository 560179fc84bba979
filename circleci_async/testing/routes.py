"""API handlers and `ROUTES`, the table mapping spec operations to them.

To serve another operation, write a handler taking an `ApiContext` and add a `Route` with the
spec's method, path template and operationId to `ROUTES`.
"""

from __future__ import annotations

from typing import Any

from .payloads import (
    artifact_json,
    case_result_json,
    job_details_json,
    job_item_json,
    pipeline_creation_json,
    pipeline_json,
    project_json,
    user_json,
    workflow_json,
)
from .records import Job, Pipeline, Workflow
from .replies import Reply
from .routing import ApiContext, ApiError, Route, Router

__all__ = ["ROUTES", "default_router"]

_TRIGGER_FIELDS = frozenset({"branch", "tag", "parameters"})


def _pipeline(ctx: ApiContext) -> Pipeline:
    pipeline = ctx.state.pipelines.get(ctx.params["pipeline-id"])
    if pipeline is None:
        raise ApiError(404, "Pipeline not found")
    return pipeline


def _workflow(ctx: ApiContext) -> Workflow:
    workflow = ctx.state.workflows.get(ctx.params["id"])
    if workflow is None:
        raise ApiError(404, "Workflow not found")
    return workflow


def _job(ctx: ApiContext) -> Job:
    number = ctx.int_param("job-number")
    project = ctx.project()
    job = project.jobs_by_number.get(number)
    if job is None:
        raise ApiError(404, "Job not found")
    return job


async def get_current_user(ctx: ApiContext) -> Reply:
    """GET /me."""
    return Reply.json(200, user_json(ctx.state.user))


async def get_project_by_slug(ctx: ApiContext) -> Reply:
    """GET /project/{project-slug}."""
    return Reply.json(200, project_json(ctx.project()))


async def list_pipelines_for_project(ctx: ApiContext) -> Reply:
    """GET /project/{project-slug}/pipeline, newest first, optionally filtered by `branch`."""
    project = ctx.project()
    branch = ctx.query.get("branch")
    pipelines = project.pipelines
    if branch:
        pipelines = [pipeline for pipeline in pipelines if pipeline.branch == branch]
    return ctx.page(pipelines, lambda pipeline: pipeline_json(pipeline, project))


async def trigger_pipeline(ctx: ApiContext) -> Reply:
    """POST /project/{project-slug}/pipeline: create a pending pipeline, answer 201."""
    project = ctx.project()
    body = await ctx.json_body()
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise ApiError(400, "Request body must be a JSON object.")
    unknown = sorted(set(body) - _TRIGGER_FIELDS)
    if unknown:
        raise ApiError(400, f"Unexpected request body field: {unknown[0]}")
    branch = _optional_str(body, "branch")
    tag = _optional_str(body, "tag")
    if branch is not None and tag is not None:
        raise ApiError(400, "branch and tag are mutually exclusive.")
    parameters = body.get("parameters") or {}
    if not isinstance(parameters, dict) or not all(
        isinstance(value, str | int | bool) for value in parameters.values()
    ):
        raise ApiError(400, "parameters must map names to strings, integers or booleans.")
    pipeline = ctx.state.add_pipeline(
        project.slug,
        branch=branch,
        tag=tag,
        state="pending",
        trigger_type="api",
        parameters=parameters,
    )
    return Reply.json(201, pipeline_creation_json(pipeline))


async def get_pipeline_by_id(ctx: ApiContext) -> Reply:
    """GET /pipeline/{pipeline-id}."""
    pipeline = _pipeline(ctx)
    return Reply.json(200, pipeline_json(pipeline, ctx.state.projects[pipeline.project_slug]))


async def list_workflows_by_pipeline_id(ctx: ApiContext) -> Reply:
    """GET /pipeline/{pipeline-id}/workflow."""
    return ctx.page(_pipeline(ctx).workflows, workflow_json)


async def get_workflow_by_id(ctx: ApiContext) -> Reply:
    """GET /workflow/{id}."""
    return Reply.json(200, workflow_json(_workflow(ctx)))


async def list_workflow_jobs(ctx: ApiContext) -> Reply:
    """GET /workflow/{id}/job."""
    return ctx.page(_workflow(ctx).jobs, job_item_json)


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


def _optional_str(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise ApiError(400, f"{key} must be a string.")
    return value


ROUTES: tuple[Route, ...] = (
    Route("GET", "/me", "getCurrentUser", get_current_user),
    Route("GET", "/project/{project-slug}", "getProjectBySlug", get_project_by_slug),
    Route("GET", "/project/{project-slug}/pipeline", "listPipelinesForProject",
          list_pipelines_for_project),
    Route("POST", "/project/{project-slug}/pipeline", "triggerPipeline", trigger_pipeline),
    Route("GET", "/pipeline/{pipeline-id}", "getPipelineById", get_pipeline_by_id),
    Route("GET", "/pipeline/{pipeline-id}/workflow", "listWorkflowsByPipelineId",
          list_workflows_by_pipeline_id),
    Route("GET", "/workflow/{id}", "getWorkflowById", get_workflow_by_id),
    Route("GET", "/workflow/{id}/job", "listWorkflowJobs", list_workflow_jobs),
    Route("GET", "/project/{project-slug}/job/{job-number}", "getJobDetails", get_job_details),
    Route("GET", "/project/{project-slug}/{job-number}/artifacts", "getJobArtifacts",
          get_job_artifacts),
    Route("GET", "/project/{project-slug}/{job-number}/tests", "getTests", get_tests),
)  # fmt: skip
"""Every operation the fake serves, with the spec's method, path template and operationId."""


def default_router() -> Router:
    """A router with every route in `ROUTES`."""
    return Router(ROUTES)
