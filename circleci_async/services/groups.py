"""The `groups` service."""

from __future__ import annotations

from .. import checks as check
from ..endpoints import Endpoint
from ..models import Deletion, Group
from ..pagination import Paginator
from .base import Service, implements

__all__ = ["GroupsService"]

LIST = Endpoint("getOrganizationGroups", "GET", "/organizations/{org_id}/groups")
CREATE = Endpoint("createOrganizationGroup", "POST", "/organizations/{org_id}/groups")
GET = Endpoint("getGroup", "GET", "/organizations/{org_id}/groups/{group_id}")
DELETE = Endpoint("deleteGroup", "DELETE", "/organizations/{org_id}/groups/{group_id}")


def _org_path(org_id: str) -> dict[str, str]:
    return {"org_id": check.format_path_id(org_id, name="org_id")}


def _group_path(org_id: str, group_id: str) -> dict[str, str]:
    return {**_org_path(org_id), "group_id": check.format_path_id(group_id, name="group_id")}


class GroupsService(Service):
    """Groups of users in an organization."""

    name = "groups"

    @implements(LIST)
    def list(
        self, org_id: str, *, limit: int | None = None, page_token: str | None = None
    ) -> Paginator[Group]:
        """The groups of an organization; `limit` is the page size."""
        return self._paginate(
            LIST,
            Group,
            path=_org_path(org_id),
            query={"limit": check.whole(limit, "limit", optional=True, minimum=1)},
            page_token=page_token,
            sparse=True,
        )

    @implements(CREATE)
    async def create(
        self,
        org_id: str,
        *,
        name: str,
        description: str | None = None,
        idempotent: bool | None = None,
    ) -> Group:
        """Create a group in an organization."""
        body = check.drop_none(
            {
                "name": check.text(name, "name"),
                "description": check.text(description, "description", optional=True, empty=True),
            }
        )
        return await self._call(
            CREATE, Group, path=_org_path(org_id), body=body, idempotent=idempotent
        )

    @implements(GET)
    async def get(self, org_id: str, group_id: str) -> Group:
        """A group of an organization."""
        return await self._call(GET, Group, path=_group_path(org_id, group_id))

    @implements(DELETE)
    async def delete(self, org_id: str, group_id: str) -> Deletion:
        """Delete a group, removing its members and the roles granted through it."""
        return await self._call(DELETE, Deletion, path=_group_path(org_id, group_id))
