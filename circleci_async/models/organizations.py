"""Organizations and their URL orb allow-list."""

from __future__ import annotations

from .base import EXPECTED, JsonValue, OpenEnum, model

__all__ = [
    "Organization",
    "UrlOrbAllowListChange",
    "UrlOrbAllowListEntry",
    "UrlOrbAuth",
    "VcsType",
]


class VcsType(OpenEnum):
    """The version control system of an organization; `circleci` for standalone ones."""

    GITHUB = "github"
    BITBUCKET = "bitbucket"
    CIRCLECI = "circleci"


class UrlOrbAuth(OpenEnum):
    """How CircleCI authenticates when it fetches URL orbs of an allow-list entry."""

    GITHUB_OAUTH = "github-oauth"
    NONE = "none"
    BITBUCKET_OAUTH = "bitbucket-oauth"
    GITHUB_APP = "github-app"


@model
class Organization:
    """A newly created organization."""

    id: str
    name: str | None = EXPECTED
    slug: str | None = EXPECTED
    vcs_type: VcsType | None = EXPECTED


@model
class UrlOrbAllowListEntry:
    """A URL prefix from which an organization's configs may import orbs."""

    id: str
    name: str | None = EXPECTED
    prefix: JsonValue = EXPECTED
    auth: UrlOrbAuth | None = EXPECTED


@model
class UrlOrbAllowListChange:
    """The answer to adding or removing an allow-list entry."""

    id: str
    message: str | None = EXPECTED
