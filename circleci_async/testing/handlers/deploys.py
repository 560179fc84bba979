"""Handlers of the Deploy and Rollback tags: environments, components, versions, rollbacks.

The environment and component lists are paged by the `page-size` they require. A rollback
needs the component's live version in the environment as `current_version` (else 409) and
an earlier version deployed there as `target_version` (else 404); it makes that one live.
"""

from __future__ import annotations

from ..api_context import ApiContext, ApiError
from ..deploy_records import (
    ComponentRecord,
    RollbackRecord,
)
from ..renderers import (
    component_json,
    component_version_json,
    environment_json,
)
from ..replies import Reply
from .bodies import Body
from .lookups import found, project_by_id

__all__ = [
    "get_component",
    "get_environment",
    "list_component_versions",
    "list_components",
    "list_environments",
    "rollback_project",
]

_ROLLBACK_FIELDS = (
    "environment_name", "component_name", "current_version", "target_version", "namespace",
    "reason", "parameters",
)  # fmt: skip


def _org_id(ctx: ApiContext) -> str:
    org_id = ctx.query.get("org-id")
    if not org_id:
        raise ApiError(400, "org-id is required.")
    return found(ctx.state.organizations.get(org_id), "Organization").id


def _page_size(ctx: ApiContext, *, optional: bool = False) -> int | None:
    """The `page-size` asked for; None (the fake's own) when absent and `optional`."""
    text = ctx.query.get("page-size")
    if text is None and optional:
        return None
    if text is None or not text.isdigit() or int(text) < 1:
        raise ApiError(400, "page-size is required: a positive integer.")
    return int(text)


async def list_environments(ctx: ApiContext) -> Reply:
    """GET /deploy/environments?org-id[&page-size]: an organization's environments.

    `page-size` is optional, as on the live API (`live_api.LIVE_DEVIATIONS`).
    """
    org_id, size = _org_id(ctx), _page_size(ctx, optional=True)
    environments = [item for item in ctx.state.environments.values() if item.org_id == org_id]
    return ctx.page(environments, environment_json, size=size)


async def get_environment(ctx: ApiContext) -> Reply:
    """GET /deploy/environments/{environment_id}."""
    environment = ctx.state.environments.get(ctx.params["environment_id"])
    return Reply.json(200, environment_json(found(environment, "Environment")))


async def list_components(ctx: ApiContext) -> Reply:
    """GET /deploy/components?org-id[&project-id][&page-size] (optional, as live)."""
    org_id, size = _org_id(ctx), _page_size(ctx, optional=True)
    components = [item for item in ctx.state.components.values() if item.org_id == org_id]
    project_id = ctx.query.get("project-id")
    if project_id:
        found(ctx.state.project_by_id(project_id), "Project")
        components = [item for item in components if item.project_id == project_id]
    return ctx.page(components, component_json, size=size)


def _component(ctx: ApiContext) -> ComponentRecord:
    return found(ctx.state.components.get(ctx.params["component_id"]), "Component")


async def get_component(ctx: ApiContext) -> Reply:
    """GET /deploy/components/{component_id}."""
    return Reply.json(200, component_json(_component(ctx)))


async def list_component_versions(ctx: ApiContext) -> Reply:
    """GET /deploy/components/{component_id}/versions[?environment-id], newest first."""
    versions = _component(ctx).versions
    environment_id = ctx.query.get("environment-id")
    if environment_id:
        found(ctx.state.environments.get(environment_id), "Environment")
        versions = [item for item in versions if item.environment_id == environment_id]
    return ctx.page(versions, component_version_json)


async def rollback_project(ctx: ApiContext) -> Reply:
    """POST /projects/{project_id}/rollback: 202 (see the module doc)."""
    project = project_by_id(ctx)
    body = await Body.read(ctx, fields=_ROLLBACK_FIELDS)
    environment_name = body.need_text("environment_name")
    environment = found(
        next(
            (
                item
                for item in ctx.state.environments.values()
                if item.org_id == project.organization_id and item.name == environment_name
            ),
            None,
        ),
        "Environment",
    )
    component_name = body.need_text("component_name")
    component = found(
        next(
            (
                item
                for item in ctx.state.components.values()
                if item.project_id == project.id and item.name == component_name
            ),
            None,
        ),
        "Component",
    )
    namespace = body.text("namespace") or "default"
    current, target = body.need_text("current_version"), body.need_text("target_version")
    deployed = [
        item
        for item in component.versions
        if (item.environment_id, item.namespace) == (environment.id, namespace)
    ]
    live = next((item for item in deployed if item.is_live), None)
    if live is None or live.name != current:
        raise ApiError(409, f"{current} is not the live version of {component_name}.")
    earlier = found(next((item for item in deployed if item.name == target), None), "Version")
    if earlier is live:
        raise ApiError(400, "target_version is the live version already.")
    now = ctx.state.now()
    live.is_live = False
    earlier.is_live = True
    earlier.last_deployed_at = now
    component.versions.remove(earlier)
    component.versions.insert(0, earlier)
    component.updated_at = now
    rollback = RollbackRecord(
        id=ctx.state.new_id(),
        project_id=project.id,
        component_id=component.id,
        environment_id=environment.id,
        current_version=current,
        target_version=target,
        namespace=body.text("namespace"),
        reason=body.text("reason"),
        parameters=body.mapping("parameters") or {},
        created_at=now,
    )
    ctx.state.rollbacks.append(rollback)
    return Reply.json(202, {"id": rollback.id, "rollback_type": rollback.rollback_type})
