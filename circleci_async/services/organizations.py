"""The `organizations` service."""

from __future__ import annotations

from .. import checks as check
from ..endpoints import Endpoint
from ..models import (
    Message,
    Organization,
    UrlOrbAllowListChange,
    UrlOrbAllowListEntry,
    UrlOrbAuth,
    VcsType,
)
from .base import Service, implements

__all__ = ["OrganizationsService"]

CREATE = Endpoint("createOrganization", "POST", "/organization")
DELETE = Endpoint("deleteOrganization", "DELETE", "/organization/{org-slug-or-id}")
LIST_URL_ORB_ALLOW_LIST = Endpoint(
    "listURLOrbAllowListEntries", "GET", "/organization/{org-slug-or-id}/url-orb-allow-list"
)
CREATE_URL_ORB_ALLOW_LIST_ENTRY = Endpoint(
    "createURLOrbAllowListEntry", "POST", "/organization/{org-slug-or-id}/url-orb-allow-list"
)
DELETE_URL_ORB_ALLOW_LIST_ENTRY = Endpoint(
    "removeURLOrbAllowListEntry",
    "DELETE",
    "/organization/{org-slug-or-id}/url-orb-allow-list/{allow-list-entry-id}",
)


def _org_path(org_slug_or_id: str) -> dict[str, str]:
    return {"org-slug-or-id": check.org_slug_or_id(org_slug_or_id, "org_slug_or_id")}


class OrganizationsService(Service):
    """Organizations: create and delete them; their URL orb allow-list."""

    name = "organizations"

    @implements(CREATE)
    async def create(
        self, *, name: str, vcs_type: VcsType | str, idempotent: bool | None = None
    ) -> Organization:
        """Create an organization: a standalone one (`circleci`) or one of a VCS provider."""
        body = {
            "name": check.text(name, "name"),
            "vcs_type": check.member(vcs_type, VcsType, "vcs_type"),
        }
        return await self._call(CREATE, Organization, body=body, idempotent=idempotent)

    @implements(DELETE)
    async def delete(self, org_slug_or_id: str) -> Message:
        """Delete an organization with all its projects and build data."""
        return await self._call(DELETE, Message, path=_org_path(org_slug_or_id))

    @implements(LIST_URL_ORB_ALLOW_LIST)
    async def url_orb_allow_list(self, org_slug_or_id: str) -> list[UrlOrbAllowListEntry]:
        """The entries of an organization's URL orb allow-list."""
        return await self._items(
            LIST_URL_ORB_ALLOW_LIST, UrlOrbAllowListEntry, path=_org_path(org_slug_or_id)
        )

    @implements(CREATE_URL_ORB_ALLOW_LIST_ENTRY)
    async def create_url_orb_allow_list_entry(
        self,
        org_slug_or_id: str,
        *,
        name: str,
        prefix: str,
        auth: UrlOrbAuth | str,
        idempotent: bool | None = None,
    ) -> UrlOrbAllowListChange:
        """Allow URL orbs whose address starts with `prefix`, fetched with `auth`."""
        body = {
            "name": check.text(name, "name"),
            "prefix": check.text(prefix, "prefix"),
            "auth": check.member(auth, UrlOrbAuth, "auth"),
        }
        return await self._call(
            CREATE_URL_ORB_ALLOW_LIST_ENTRY,
            UrlOrbAllowListChange,
            path=_org_path(org_slug_or_id),
            body=body,
            idempotent=idempotent,
        )

    @implements(DELETE_URL_ORB_ALLOW_LIST_ENTRY)
    async def delete_url_orb_allow_list_entry(
        self, org_slug_or_id: str, allow_list_entry_id: str
    ) -> UrlOrbAllowListChange:
        """Remove an entry from an organization's URL orb allow-list."""
        path = {
            **_org_path(org_slug_or_id),
            "allow-list-entry-id": check.format_path_id(
                allow_list_entry_id, name="allow_list_entry_id"
            ),
        }
        return await self._call(DELETE_URL_ORB_ALLOW_LIST_ENTRY, UrlOrbAllowListChange, path=path)
