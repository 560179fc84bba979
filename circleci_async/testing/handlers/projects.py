"""Handlers of the Project tag: projects, their creation and deletion, and their settings."""

from __future__ import annotations

import re

from ..api_context import ApiContext, ApiError
from ..records import ProjectRecord
from ..renderers import project_json
from ..replies import Reply
from .bodies import Body
from .lookups import found, organization

__all__ = [
    "create_project",
    "delete_project_by_slug",
    "follow_project",
    "get_project_by_slug",
    "get_project_settings",
    "patch_project_settings",
]

_NAME = re.compile(r"[A-Za-z0-9_.\-]+")
_FLAGS = (
    "autocancel_builds", "build_fork_prs", "build_prs_only", "disable_ssh",
    "forks_receive_secret_env_vars", "oss", "set_github_status", "setup_workflows",
    "write_settings_requires_admin",
)  # fmt: skip
_BRANCH_OVERRIDES = "pr_only_branch_overrides"
_UNSUPPORTED = (
    "Create projects using the API is currently supported for classic Github OAuth and "
    "Bitbucket projects only."
)


def _by_parts(ctx: ApiContext) -> ProjectRecord:
    """The project of a `{provider}/{organization}/{project}` path, or 404."""
    slug = "/".join(ctx.params[part] for part in ("provider", "organization", "project"))
    return found(ctx.state.project(slug), "Project")


async def get_project_by_slug(ctx: ApiContext) -> Reply:
    """GET /project/{project-slug}."""
    return Reply.json(200, project_json(ctx.project()))


async def create_project(ctx: ApiContext) -> Reply:
    """POST /organization/{org-slug-or-id}/project: 409 when the name is taken."""
    org = organization(ctx, "org-slug-or-id")
    name = (await Body.read(ctx, fields=("name",))).need_text("name")
    if not _NAME.fullmatch(name):
        raise ApiError(400, "name may hold only letters, digits, '.', '_' and '-'.")
    if org.vcs_type == "circleci":
        slug = f"{org.slug}/{ctx.state.new_id()}"
    else:
        slug = f"{org.slug}/{name}"
    if ctx.state.project(slug) is not None or any(
        project.name == name for project in ctx.state.projects_of(org)
    ):
        raise ApiError(409, f"Project {name!r} already exists.")
    project = ctx.state.add_project(slug, name=name, organization_name=org.name)
    return Reply.json(200, project_json(project))


async def delete_project_by_slug(ctx: ApiContext) -> Reply:
    """DELETE /project/{project-slug}: with its pipelines and configuration."""
    ctx.state.remove_project(ctx.project().slug)
    return Reply.json(200, {"message": "Project deleted."})


async def follow_project(ctx: ApiContext) -> Reply:
    """POST /project/{provider}/{organization}/{project}: set up a VCS repository's project.

    201 with its settings; a project set up before answers the same (the call is idempotent).
    Standalone (`circleci`) organizations answer 405, as CircleCI does.
    """
    if (await Body.read(ctx)).data:
        raise ApiError(400, "Unexpected request body provided.")
    provider = ctx.params["provider"]
    if provider == "circleci":
        raise ApiError(405, _UNSUPPORTED)
    if provider not in ("gh", "github", "bb", "bitbucket"):
        raise ApiError(404, "Project not found.")
    slug = "/".join(ctx.params[part] for part in ("provider", "organization", "project"))
    project = ctx.state.project(slug) or ctx.state.add_project(slug)
    return Reply.json(201, {"advanced": dict(project.settings)})


async def get_project_settings(ctx: ApiContext) -> Reply:
    """GET /project/{provider}/{organization}/{project}/settings."""
    return Reply.json(200, {"advanced": dict(_by_parts(ctx).settings)})


async def patch_project_settings(ctx: ApiContext) -> Reply:
    """PATCH /project/{provider}/{organization}/{project}/settings: change the given ones."""
    project = _by_parts(ctx)
    body = await Body.read(ctx, fields=("advanced",))
    advanced = body.need_obj("advanced", fields=(*_FLAGS, _BRANCH_OVERRIDES))
    changes: dict[str, object] = {}
    for flag in _FLAGS:
        value = advanced.flag(flag)
        if value is not None:
            changes[flag] = value
    overrides = advanced.strings(_BRANCH_OVERRIDES)
    if overrides is not None:
        changes[_BRANCH_OVERRIDES] = overrides
    project.settings.update(changes)
    return Reply.json(200, {"advanced": dict(project.settings)})
