"""Handlers of the endpoints real clients call that the spec lacks (see `live_api`).

The user and a project's recent jobs in API v1.1's shape, the followed projects of the
private API, and `compile-config-with-defaults`, which answers the config it was sent.
"""

from __future__ import annotations

from typing import Any

from ..api_context import ApiContext, ApiError
from ..records import JobRecord, ProjectRecord
from ..renderers import rfc3339
from ..replies import Reply
from .lookups import found

__all__ = [
    "compile_config_with_defaults",
    "get_followed_projects",
    "get_project_recent_jobs",
    "get_v1_user",
]

_VCS_TYPES = {"gh": "github", "github": "github", "bb": "bitbucket", "bitbucket": "bitbucket"}
_SHORT = {"github": "gh", "bitbucket": "bb"}
_LIMIT = 100
"""API v1.1's largest `limit` of recent jobs."""
_CONFIG_LIMIT = 256 * 1024
"""The largest config `compile-config-with-defaults` takes, in characters."""
_OUTCOMES = {
    "success": ("success", "success"),
    "failed": ("failed", "failed"),
    "canceled": ("canceled", "canceled"),
    "running": ("running", None),
    "queued": ("queued", None),
    "not_running": ("not_running", None),
    "blocked": ("not_running", None),
    "on_hold": ("on_hold", None),
}
"""A job's v2 status as v1.1's (`status`, `outcome`)."""


def _vcs_type(project: ProjectRecord) -> str:
    prefix = project.slug.split("/", 1)[0]
    return _VCS_TYPES.get(prefix, "circleci")


async def get_followed_projects(ctx: ApiContext) -> Reply:
    """GET /api/private/me/followed-projects: every project of the fake (all are followed)."""
    projects = sorted(ctx.state.projects.values(), key=lambda project: project.slug)
    return ctx.page(projects, _followed_json)


def _followed_json(project: ProjectRecord) -> dict[str, Any]:
    return {"name": project.name, "slug": project.slug, "vcs_type": _vcs_type(project)}


async def get_v1_user(ctx: ApiContext) -> Reply:
    """GET /api/v1.1/me: the token's user, in API v1.1's shape."""
    user = ctx.state.user
    followed = len(ctx.state.projects)
    return Reply.json(
        200,
        {
            "login": user.login,
            "name": user.name,
            "avatar_url": user.avatar_url,
            "analytics_id": user.id,
            "selected_email": f"{user.login}@example.com",
            "num_projects_followed": followed,
            "projects": {},
        },
    )


async def get_project_recent_jobs(ctx: ApiContext) -> Reply:
    """GET /api/v1.1/project/{vcs-type}/{org}/{repo}: the project's jobs, newest first.

    `limit` (1-100, default 30) and `offset` (default 0) page the list, as in API v1.1.
    """
    vcs = _VCS_TYPES.get(ctx.params["vcs-type"])
    if vcs is None:
        raise ApiError(400, f"Unknown VCS type {ctx.params['vcs-type']!r}.")
    slug = f"{_SHORT[vcs]}/{ctx.params['org']}/{ctx.params['repo']}"
    project = found(ctx.state.project(slug), "Project")
    limit = _count(ctx, "limit", 30, _LIMIT)
    offset = _count(ctx, "offset", 0, None)
    jobs = sorted(
        (job for job in project.jobs_by_number.values() if job.number is not None),
        key=lambda job: job.number or 0,
        reverse=True,
    )
    return Reply.json(
        200, [_build_json(ctx, project, job) for job in jobs[offset : offset + limit]]
    )


def _count(ctx: ApiContext, name: str, default: int, most: int | None) -> int:
    text = ctx.query.get(name)
    if text is None:
        return default
    if not text.isdigit() or (most is not None and not 1 <= int(text) <= most):
        bound = f" from 1 to {most}" if most is not None else ""
        raise ApiError(400, f"{name} must be a whole number{bound}.")
    return int(text)


def _build_json(ctx: ApiContext, project: ProjectRecord, job: JobRecord) -> dict[str, Any]:
    pipeline = ctx.state.pipelines.get(job.pipeline_id)
    workflow = ctx.state.workflows.get(job.workflow_id)
    status, outcome = _OUTCOMES.get(str(job.status), (str(job.status), None))
    org, repo = project.slug.split("/")[1:3]
    return {
        "build_num": job.number,
        "username": org,
        "reponame": repo,
        "vcs_type": _vcs_type(project),
        "vcs_url": project.vcs_url,
        "branch": None if pipeline is None else pipeline.branch,
        "vcs_revision": None if pipeline is None else pipeline.revision,
        "subject": None if pipeline is None else pipeline.commit_subject,
        "status": status,
        "outcome": outcome,
        "lifecycle": "finished" if job.stopped_at is not None else "running",
        "queued_at": rfc3339(job.queued_at),
        "start_time": None if job.started_at is None else rfc3339(job.started_at),
        "stop_time": None if job.stopped_at is None else rfc3339(job.stopped_at),
        "build_time_millis": job.duration_ms,
        "workflows": {
            "job_name": job.name,
            "job_id": job.id,
            "workflow_id": job.workflow_id,
            "workflow_name": None if workflow is None else workflow.name,
        },
    }


async def compile_config_with_defaults(ctx: ApiContext) -> Reply:
    """POST /api/v2/compile-config-with-defaults: the config it was sent, processed.

    The fake checks the config's outline (a `version` and `jobs` or `workflows` at the top
    level, no tab indentation) and answers it back with line endings and trailing spaces
    normalised; it expands no orbs and resolves no parameters.
    """
    data = await ctx.json_body()
    if not isinstance(data, dict) or not isinstance(data.get("config_yaml"), str):
        raise ApiError(400, "config_yaml is required: the config as a string.")
    source: str = data["config_yaml"]
    if len(source) > _CONFIG_LIMIT:
        raise ApiError(413, "config_yaml is too large.")
    lines = [line.rstrip() for line in source.replace("\r\n", "\n").split("\n")]
    errors = _outline_errors(lines)
    output = "\n".join(lines).strip("\n") + "\n" if not errors else ""
    return Reply.json(
        200,
        {
            "valid": not errors,
            "errors": [{"message": message} for message in errors] or None,
            "source-yaml": source,
            "output-yaml": output,
        },
    )


def _outline_errors(lines: list[str]) -> list[str]:
    errors = []
    tabbed = [number for number, line in enumerate(lines, 1) if line.startswith("\t")]
    if tabbed:
        errors.append(f"line {tabbed[0]}: tabs are not allowed for indentation")
    top = {line.split(":", 1)[0].strip() for line in lines if line and not line[0].isspace()}
    if "version" not in top:
        errors.append("config compilation contains errors: missing required key 'version'")
    if not top & {"jobs", "workflows"}:
        errors.append("config compilation contains errors: a config needs jobs or workflows")
    return errors
