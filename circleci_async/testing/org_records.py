"""Organization records: organizations, their URL orb allow-list, groups, usage exports, claims."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import attrs

from .policy_records import PolicyContext

__all__ = [
    "GroupRecord",
    "OidcClaimsRecord",
    "OrganizationRecord",
    "UrlOrbEntry",
    "UsageExportRecord",
    "UsageExportStateValue",
    "VcsTypeValue",
]

VcsTypeValue = Literal["github", "bitbucket", "circleci"]
UsageExportStateValue = Literal["created", "processing", "failed", "completed"]


@attrs.define(kw_only=True)
class UrlOrbEntry:
    """An entry of an organization's URL orb allow-list."""

    id: str
    name: str
    prefix: str
    auth: str


@attrs.define(kw_only=True)
class GroupRecord:
    """A group of users in an organization."""

    id: str
    name: str
    description: str | None = None


@attrs.define(kw_only=True)
class UsageExportRecord:
    """A usage export job; each poll moves it on: created → processing → completed (or failed)."""

    id: str
    start: datetime
    end: datetime
    shared_org_ids: list[str]
    state: UsageExportStateValue = "created"
    download_urls: list[str] = attrs.field(factory=list)
    error_reason: str | None = None


@attrs.define(kw_only=True)
class OidcClaimsRecord:
    """The custom claims of an organization's (or one of its projects') OIDC tokens."""

    org_id: str
    project_id: str | None = None
    audience: list[str] | None = None
    audience_updated_at: datetime | None = None
    ttl: str | None = None
    ttl_updated_at: datetime | None = None


@attrs.define(kw_only=True)
class OrganizationRecord:
    """An organization: a VCS one (`gh/acme`, `bb/acme`) or a standalone one (`circleci/<id>`)."""

    id: str
    name: str
    slug: str
    vcs_type: VcsTypeValue
    avatar_url: str
    url_orb_allow_list: list[UrlOrbEntry] = attrs.field(factory=list, repr=False)
    groups: dict[str, GroupRecord] = attrs.field(factory=dict, repr=False)
    """By id, in creation order."""
    usage_exports: dict[str, UsageExportRecord] = attrs.field(factory=dict, repr=False)
    claims: OidcClaimsRecord | None = attrs.field(default=None, repr=False)
    """The organization's own claims (None until first set)."""
    project_claims: dict[str, OidcClaimsRecord] = attrs.field(factory=dict, repr=False)
    """Claims of the organization's projects, by project id."""
    policies: dict[str, PolicyContext] = attrs.field(factory=dict, repr=False)
    """Config policies by policy context (`config`)."""
