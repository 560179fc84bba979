"""Custom claims of the OIDC identity tokens CircleCI issues to jobs."""

from __future__ import annotations

from datetime import datetime

from .base import EXPECTED, OpenEnum, model

__all__ = ["ClaimName", "OidcClaims"]


class ClaimName(OpenEnum):
    """A custom claim that can be deleted."""

    AUDIENCE = "audience"
    TTL = "ttl"


@model
class OidcClaims:
    """The custom claims of an organization or a project (`ClaimResponse`)."""

    org_id: str | None = EXPECTED
    project_id: str | None = None
    audience: list[str] | None = None
    audience_updated_at: datetime | None = None
    ttl: str | None = None
    """Token lifetime as a duration string such as `1h30m`."""
    ttl_updated_at: datetime | None = None
