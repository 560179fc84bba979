"""Handlers of the Pipeline Definition tag: where a project's pipelines take config and code.

A config source is a file of a GitHub App repository (`github_app`, with `repo.external_id`)
or a file CircleCI stores (`circleci`); the checkout source is a GitHub App repository.
Deleting a definition deletes its triggers.
"""

from __future__ import annotations

from typing import Any

from ..api_context import ApiContext, ApiError
from ..project_config_records import PipelineDefinitionRecord
from ..records import ProjectRecord
from ..renderers import definition_json, repo_json
from ..replies import Reply
from .bodies import Body
from .lookups import project_by_id

__all__ = [
    "create_pipeline_definition",
    "definition",
    "delete_pipeline_definition",
    "get_pipeline_definition",
    "list_pipeline_definitions",
    "repo_json",
    "update_pipeline_definition",
]

_FIELDS = ("name", "description", "config_source", "checkout_source")


def _repo(source: Body) -> dict[str, str]:
    repo = source.need_obj("repo", fields=("external_id",))
    return {"external_id": repo.need_text("external_id")}


def _config_source(body: Body) -> dict[str, Any]:
    source = body.need_obj("config_source", fields=("provider", "repo", "file_path"))
    provider = source.need_choice("provider", ("github_app", "circleci"))
    checked: dict[str, Any] = {"provider": provider}
    if provider == "github_app":
        checked["repo"] = _repo(source)
    elif source.has("repo"):
        raise ApiError(400, "config_source.repo is only for github_app sources.")
    checked["file_path"] = source.need_text("file_path")
    return checked


def _checkout_source(body: Body) -> dict[str, Any]:
    source = body.need_obj("checkout_source", fields=("provider", "repo"))
    return {"provider": source.need_choice("provider", ("github_app",)), "repo": _repo(source)}


def definition(ctx: ApiContext, project: ProjectRecord) -> PipelineDefinitionRecord:
    """The project's pipeline definition named by `{pipeline_definition_id}`, or 404."""
    item = ctx.state.pipeline_definitions.get(ctx.params["pipeline_definition_id"])
    if item is None or item.project_id != project.id:
        raise ApiError(404, "Pipeline definition not found.")
    return item


async def list_pipeline_definitions(ctx: ApiContext) -> Reply:
    """GET /projects/{project_id}/pipeline-definitions."""
    project = project_by_id(ctx)
    items = [
        definition_json(project, item)
        for item in ctx.state.pipeline_definitions.values()
        if item.project_id == project.id
    ]
    return Reply.json(200, {"items": items})


async def create_pipeline_definition(ctx: ApiContext) -> Reply:
    """POST /projects/{project_id}/pipeline-definitions: 200 with the new definition."""
    project = project_by_id(ctx)
    body = await Body.read(ctx, fields=_FIELDS)
    item = PipelineDefinitionRecord(
        id=ctx.state.new_id(),
        project_id=project.id,
        name=body.need_text("name"),
        description=body.text("description"),
        created_at=ctx.state.now(),
        config_source=_config_source(body),
        checkout_source=_checkout_source(body),
    )
    ctx.state.pipeline_definitions[item.id] = item
    return Reply.json(200, definition_json(project, item))


async def get_pipeline_definition(ctx: ApiContext) -> Reply:
    """GET /projects/{project_id}/pipeline-definitions/{pipeline_definition_id}."""
    project = project_by_id(ctx)
    return Reply.json(200, definition_json(project, definition(ctx, project)))


async def update_pipeline_definition(ctx: ApiContext) -> Reply:
    """PATCH .../pipeline-definitions/{pipeline_definition_id}: change the fields given.

    Of the config source only `file_path` can change.
    """
    project = project_by_id(ctx)
    item = definition(ctx, project)
    body = await Body.read(ctx, fields=_FIELDS)
    if body.has("name"):
        item.name = body.need_text("name")
    if "description" in body.data:
        item.description = body.text("description")
    config = body.obj("config_source", fields=("file_path",))
    if config is not None:
        item.config_source["file_path"] = config.need_text("file_path")
    checkout = body.obj("checkout_source", fields=("provider", "repo"))
    if checkout is not None:
        provider = checkout.choice("provider", ("github_app",))
        if provider is not None:
            item.checkout_source["provider"] = provider
        if checkout.has("repo"):
            item.checkout_source["repo"] = _repo(checkout)
    return Reply.json(200, definition_json(project, item))


async def delete_pipeline_definition(ctx: ApiContext) -> Reply:
    """DELETE .../pipeline-definitions/{pipeline_definition_id}: with its triggers."""
    project = project_by_id(ctx)
    item = definition(ctx, project)
    del ctx.state.pipeline_definitions[item.id]
    for trigger_id in [t.id for t in ctx.state.triggers.values() if t.definition_id == item.id]:
        del ctx.state.triggers[trigger_id]
    return Reply.json(200, {"message": "Pipeline definition deleted."})
