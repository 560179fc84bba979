"""Handlers of the OIDC Token Management tag: custom claims of an org's and a project's tokens.

Errors here are `{"error": ...}`, as the spec gives them.
"""

from __future__ import annotations

import re

from ..api_context import ApiContext, ApiError
from ..org_records import OidcClaimsRecord, OrganizationRecord
from ..renderers import oidc_claims_json
from ..replies import Reply
from .bodies import Body
from .lookups import found

__all__ = [
    "delete_org_claims",
    "delete_project_claims",
    "get_org_claims",
    "get_project_claims",
    "patch_org_claims",
    "patch_project_claims",
]

_TTL = re.compile(r"^([0-9]+(ms|s|m|h|d|w)){1,7}$")
_CLAIMS = frozenset({"audience", "ttl"})


def _org(ctx: ApiContext) -> OrganizationRecord:
    return found(ctx.state.organizations.get(ctx.params["orgID"]), "Organization")


def _org_claims(ctx: ApiContext) -> OidcClaimsRecord:
    org = _org(ctx)
    if org.claims is None:
        org.claims = OidcClaimsRecord(org_id=org.id)
    return org.claims


def _project_claims(ctx: ApiContext) -> OidcClaimsRecord:
    org = _org(ctx)
    project_id = ctx.params["projectID"]
    project = ctx.state.project_by_id(project_id)
    if project is None or project.organization_id != org.id:
        raise ApiError(404, "Project not found.")
    return org.project_claims.setdefault(
        project_id, OidcClaimsRecord(org_id=org.id, project_id=project_id)
    )


async def _patch(ctx: ApiContext, claims: OidcClaimsRecord) -> Reply:
    body = await Body.read(ctx, fields=("audience", "ttl"))
    audience = body.strings("audience")
    ttl = body.text("ttl")
    if ttl is not None and not _TTL.match(ttl):
        raise ApiError(400, f"ttl must be a duration such as 1h or 1h30m, not {ttl!r}.")
    now = ctx.state.now()
    if audience is not None:
        claims.audience, claims.audience_updated_at = audience, now
    if ttl is not None:
        claims.ttl, claims.ttl_updated_at = ttl, now
    return Reply.json(200, oidc_claims_json(claims))


def _delete(ctx: ApiContext, claims: OidcClaimsRecord) -> Reply:
    names = [name.strip() for name in ctx.query.get("claims", "").split(",") if name.strip()]
    if not names:
        raise ApiError(400, "claims is required: audience, ttl or both.")
    unknown = sorted(set(names) - _CLAIMS)
    if unknown:
        raise ApiError(400, f"Unknown claim: {unknown[0]}.")
    if "audience" in names:
        claims.audience = claims.audience_updated_at = None
    if "ttl" in names:
        claims.ttl = claims.ttl_updated_at = None
    return Reply.json(200, oidc_claims_json(claims))


async def get_org_claims(ctx: ApiContext) -> Reply:
    """GET /org/{orgID}/oidc-custom-claims."""
    return Reply.json(200, oidc_claims_json(_org_claims(ctx)))


async def patch_org_claims(ctx: ApiContext) -> Reply:
    """PATCH /org/{orgID}/oidc-custom-claims: set the audience and/or the token lifetime."""
    return await _patch(ctx, _org_claims(ctx))


async def delete_org_claims(ctx: ApiContext) -> Reply:
    """DELETE /org/{orgID}/oidc-custom-claims?claims=audience,ttl."""
    return _delete(ctx, _org_claims(ctx))


async def get_project_claims(ctx: ApiContext) -> Reply:
    """GET /org/{orgID}/project/{projectID}/oidc-custom-claims."""
    return Reply.json(200, oidc_claims_json(_project_claims(ctx)))


async def patch_project_claims(ctx: ApiContext) -> Reply:
    """PATCH /org/{orgID}/project/{projectID}/oidc-custom-claims."""
    return await _patch(ctx, _project_claims(ctx))


async def delete_project_claims(ctx: ApiContext) -> Reply:
    """DELETE /org/{orgID}/project/{projectID}/oidc-custom-claims?claims=..."""
    return _delete(ctx, _project_claims(ctx))
