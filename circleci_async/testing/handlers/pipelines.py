"""Handlers of the Pipeline tag that list, find and trigger pipelines."""

from __future__ import annotations

from typing import Any

from ..api_context import ApiContext, ApiError
from ..records import PipelineRecord
from ..renderers import pipeline_creation_json, pipeline_json, workflow_json
from ..replies import Reply
from .bodies import Body
from .lookups import found

__all__ = [
    "get_pipeline_by_id",
    "get_pipeline_by_number",
    "list_my_pipelines",
    "list_pipelines",
    "list_pipelines_for_project",
    "list_workflows_by_pipeline_id",
    "pipeline",
    "trigger_pipeline",
]

_FOLLOWED_LIMIT = 250
"""listPipelines returns the pipelines of the most recently built projects, 250 at most."""


def pipeline(ctx: ApiContext) -> PipelineRecord:
    """The pipeline named by `{pipeline-id}`, or 404."""
    return found(ctx.state.pipelines.get(ctx.params["pipeline-id"]), "Pipeline")


def _render(ctx: ApiContext) -> Any:
    return lambda item: pipeline_json(item, ctx.state.projects[item.project_slug])


async def list_pipelines_for_project(ctx: ApiContext) -> Reply:
    """GET /project/{project-slug}/pipeline, newest first, optionally filtered by `branch`."""
    project = ctx.project()
    branch = ctx.query.get("branch")
    pipelines = project.pipelines
    if branch:
        pipelines = [item for item in pipelines if item.branch == branch]
    return ctx.page(pipelines, lambda item: pipeline_json(item, project))


async def list_my_pipelines(ctx: ApiContext) -> Reply:
    """GET /project/{project-slug}/pipeline/mine: the project's pipelines the user triggered."""
    project = ctx.project()
    mine = [item for item in project.pipelines if item.actor.id == ctx.state.user.id]
    return ctx.page(mine, lambda item: pipeline_json(item, project))


async def list_pipelines(ctx: ApiContext) -> Reply:
    """GET /pipeline: the newest pipelines of every project, or of an organization's (`org-slug`).

    `mine=true` keeps the user's own. At most 250, newest first.
    """
    projects = list(ctx.state.projects.values())
    org_slug = ctx.query.get("org-slug")
    if org_slug:
        org = found(ctx.state.organization(org_slug), "Organization")
        projects = ctx.state.projects_of(org)
    mine = ctx.query.get("mine")
    if mine not in (None, "true", "false"):
        raise ApiError(400, "mine must be true or false.")
    pipelines = [item for project in projects for item in project.pipelines]
    if mine == "true":
        pipelines = [item for item in pipelines if item.actor.id == ctx.state.user.id]
    pipelines.sort(key=lambda item: item.created_at, reverse=True)
    return ctx.page(pipelines[:_FOLLOWED_LIMIT], _render(ctx))


async def get_pipeline_by_id(ctx: ApiContext) -> Reply:
    """GET /pipeline/{pipeline-id}."""
    return Reply.json(200, _render(ctx)(pipeline(ctx)))


async def get_pipeline_by_number(ctx: ApiContext) -> Reply:
    """GET /project/{project-slug}/pipeline/{pipeline-number}."""
    project = ctx.project()
    number = ctx.int_param("pipeline-number")
    match = next((item for item in project.pipelines if item.number == number), None)
    return Reply.json(200, pipeline_json(found(match, "Pipeline"), project))


async def list_workflows_by_pipeline_id(ctx: ApiContext) -> Reply:
    """GET /pipeline/{pipeline-id}/workflow."""
    return ctx.page(pipeline(ctx).workflows, workflow_json)


async def trigger_pipeline(ctx: ApiContext) -> Reply:
    """POST /project/{project-slug}/pipeline: create a pending pipeline, answer 201."""
    project = ctx.project()
    body = await Body.read(ctx, fields=("branch", "tag", "parameters"))
    branch = body.text("branch")
    tag = body.text("tag")
    if branch is not None and tag is not None:
        raise ApiError(400, "branch and tag are mutually exclusive.")
    created = ctx.state.add_pipeline(
        project.slug,
        branch=branch,
        tag=tag,
        state="pending",
        trigger_type="api",
        parameters=body.parameters("parameters") or {},
    )
    return Reply.json(201, pipeline_creation_json(created))
