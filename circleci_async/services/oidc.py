"""The `oidc` service."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .. import checks as check
from ..endpoints import Endpoint
from ..errors import InvalidArgumentError
from ..models import ClaimName, OidcClaims
from .base import Service, implements

__all__ = ["OidcService"]

GET_ORG_CLAIMS = Endpoint("GetOrgClaims", "GET", "/org/{orgID}/oidc-custom-claims")
UPDATE_ORG_CLAIMS = Endpoint("PatchOrgClaims", "PATCH", "/org/{orgID}/oidc-custom-claims")
DELETE_ORG_CLAIMS = Endpoint("DeleteOrgClaims", "DELETE", "/org/{orgID}/oidc-custom-claims")
GET_PROJECT_CLAIMS = Endpoint(
    "GetProjectClaims", "GET", "/org/{orgID}/project/{projectID}/oidc-custom-claims"
)
UPDATE_PROJECT_CLAIMS = Endpoint(
    "PatchProjectClaims", "PATCH", "/org/{orgID}/project/{projectID}/oidc-custom-claims"
)
DELETE_PROJECT_CLAIMS = Endpoint(
    "DeleteProjectClaims", "DELETE", "/org/{orgID}/project/{projectID}/oidc-custom-claims"
)

_DURATION = re.compile(r"^([0-9]+(ms|s|m|h|d|w)){1,7}$")


def _org_path(org_id: str) -> dict[str, str]:
    return {"orgID": check.format_path_id(org_id, name="org_id")}


def _project_path(org_id: str, project_id: str) -> dict[str, str]:
    return {**_org_path(org_id), "projectID": check.format_path_id(project_id, name="project_id")}


def _changes(audience: Sequence[str] | None, ttl: str | None) -> dict[str, object]:
    """The `PatchClaimsRequest` body: the new audience and/or token lifetime."""
    checked_ttl = check.text(ttl, "ttl", optional=True)
    if checked_ttl is not None and not _DURATION.match(checked_ttl):
        raise InvalidArgumentError(f"ttl must be a duration such as '1h' or '1h30m', got {ttl!r}")
    body: dict[str, object] = check.drop_none(
        {"audience": check.strings(audience, "audience", optional=True), "ttl": checked_ttl}
    )
    return body


def _claims(claims: Sequence[ClaimName | str]) -> str:
    """The claims to delete, as the comma-separated list the API takes."""
    names = check.members(claims, ClaimName, "claims") or []
    if not names:
        raise InvalidArgumentError("claims must name at least one claim")
    return ",".join(names)


class OidcService(Service):
    """OIDC token management: the custom claims of the tokens jobs receive."""

    name = "oidc"

    @implements(GET_ORG_CLAIMS)
    async def org_claims(self, org_id: str) -> OidcClaims:
        """An organization's custom claims."""
        return await self._call(GET_ORG_CLAIMS, OidcClaims, path=_org_path(org_id))

    @implements(UPDATE_ORG_CLAIMS)
    async def update_org_claims(
        self,
        org_id: str,
        *,
        audience: Sequence[str] | None = None,
        ttl: str | None = None,
        idempotent: bool | None = None,
    ) -> OidcClaims:
        """Set an organization's token audience and/or lifetime (`ttl`, e.g. `"1h"`)."""
        return await self._call(
            UPDATE_ORG_CLAIMS,
            OidcClaims,
            path=_org_path(org_id),
            body=_changes(audience, ttl),
            idempotent=idempotent,
        )

    @implements(DELETE_ORG_CLAIMS)
    async def delete_org_claims(
        self, org_id: str, *, claims: Sequence[ClaimName | str]
    ) -> OidcClaims:
        """Delete some of an organization's custom claims (`audience`, `ttl`)."""
        return await self._call(
            DELETE_ORG_CLAIMS,
            OidcClaims,
            path=_org_path(org_id),
            query={"claims": _claims(claims)},
        )

    @implements(GET_PROJECT_CLAIMS)
    async def project_claims(self, org_id: str, project_id: str) -> OidcClaims:
        """A project's custom claims."""
        return await self._call(
            GET_PROJECT_CLAIMS, OidcClaims, path=_project_path(org_id, project_id)
        )

    @implements(UPDATE_PROJECT_CLAIMS)
    async def update_project_claims(
        self,
        org_id: str,
        project_id: str,
        *,
        audience: Sequence[str] | None = None,
        ttl: str | None = None,
        idempotent: bool | None = None,
    ) -> OidcClaims:
        """Set a project's token audience and/or lifetime (`ttl`, e.g. `"1h"`)."""
        return await self._call(
            UPDATE_PROJECT_CLAIMS,
            OidcClaims,
            path=_project_path(org_id, project_id),
            body=_changes(audience, ttl),
            idempotent=idempotent,
        )

    @implements(DELETE_PROJECT_CLAIMS)
    async def delete_project_claims(
        self, org_id: str, project_id: str, *, claims: Sequence[ClaimName | str]
    ) -> OidcClaims:
        """Delete some of a project's custom claims (`audience`, `ttl`)."""
        return await self._call(
            DELETE_PROJECT_CLAIMS,
            OidcClaims,
            path=_project_path(org_id, project_id),
            query={"claims": _claims(claims)},
        )
