"""Projects."""

from __future__ import annotations

from .base import OpenEnum, model

__all__ = ["Project", "VcsInfo", "VcsProvider"]


class VcsProvider(OpenEnum):
    """Where a project's code lives."""

    BITBUCKET = "Bitbucket"
    CIRCLECI = "CircleCI"
    GITHUB = "GitHub"


@model
class VcsInfo:
    """A project's repository."""

    vcs_url: str
    provider: VcsProvider
    default_branch: str


@model
class Project:
    """A project (`GET /project/{project-slug}`)."""

    slug: str
    name: str
    id: str
    organization_name: str
    organization_slug: str
    organization_id: str
    vcs_info: VcsInfo
