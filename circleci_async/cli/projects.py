"""`circleci-async projects get`."""

from __future__ import annotations

import argparse
from typing import Any

from ..client import CircleCI
from .common import add_api_command, add_group, project_slug
from .output import Output

__all__ = ["register"]


def register(groups: Any) -> None:
    """Add the `projects` group to the top-level sub-parsers."""
    commands = add_group(groups, "projects", "inspect projects")
    get = add_api_command(
        commands, "get", "one project by slug", _get,
        "Show a project: its ids, organization and repository.",
    )  # fmt: skip
    get.add_argument("project_slug", type=project_slug, metavar="SLUG", help="gh/org/repo")


async def _get(circle: CircleCI, args: argparse.Namespace, out: Output) -> None:
    """Print one project."""
    project = await circle.projects.get(args.project_slug)
    vcs = project.vcs_info
    fields: list[tuple[str, object]] = [
        ("slug", project.slug),
        ("name", project.name),
        ("id", project.id),
        ("organization", f"{project.organization_name} ({project.organization_slug})"),
        ("organization id", project.organization_id),
        ("repository", vcs.vcs_url if vcs else None),
        ("provider", vcs.provider if vcs else None),
        ("default branch", vcs.default_branch if vcs else None),
    ]
    out.record(fields, project)
