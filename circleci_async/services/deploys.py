"""The `deploys` service."""

from __future__ import annotations

from .. import checks as check
from ..endpoints import Endpoint
from ..models import Component, ComponentVersion, Environment
from ..pagination import Paginator
from .base import Service, implements

__all__ = ["DEFAULT_PAGE_SIZE", "DeploysService"]

LIST_ENVIRONMENTS = Endpoint("listEnvironments", "GET", "/deploy/environments")
GET_ENVIRONMENT = Endpoint("getEnvironment", "GET", "/deploy/environments/{environment_id}")
LIST_COMPONENTS = Endpoint("listComponents", "GET", "/deploy/components")
GET_COMPONENT = Endpoint("getComponent", "GET", "/deploy/components/{component_id}")
LIST_COMPONENT_VERSIONS = Endpoint(
    "listComponentVersions", "GET", "/deploy/components/{component_id}/versions"
)

DEFAULT_PAGE_SIZE = 20
"""The `page-size` sent when the caller gives none: the spec requires one and names no
default or maximum, and 20 is the page size of CircleCI's other lists."""


def _page_size(page_size: int) -> int | None:
    return check.whole(page_size, "page_size", minimum=1)


class DeploysService(Service):
    """Deploys: an organization's environments and components, and component versions."""

    name = "deploys"

    @implements(LIST_ENVIRONMENTS)
    def environments(
        self,
        org_id: str,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        page_token: str | None = None,
    ) -> Paginator[Environment]:
        """The deploy environments of an organization."""
        query = {"org-id": check.uuid(org_id, "org_id"), "page-size": _page_size(page_size)}
        return self._paginate(
            LIST_ENVIRONMENTS, Environment, query=query, page_token=page_token, sparse=True
        )

    @implements(GET_ENVIRONMENT)
    async def environment(self, environment_id: str) -> Environment:
        """A deploy environment by id."""
        return await self._call(
            GET_ENVIRONMENT,
            Environment,
            path={"environment_id": check.format_path_id(environment_id, name="environment_id")},
        )

    @implements(LIST_COMPONENTS)
    def components(
        self,
        org_id: str,
        *,
        project_id: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        page_token: str | None = None,
    ) -> Paginator[Component]:
        """The components of an organization, or of one of its projects."""
        query = {
            "org-id": check.uuid(org_id, "org_id"),
            "project-id": check.uuid(project_id, "project_id", optional=True),
            "page-size": _page_size(page_size),
        }
        return self._paginate(
            LIST_COMPONENTS, Component, query=query, page_token=page_token, sparse=True
        )

    @implements(GET_COMPONENT)
    async def component(self, component_id: str) -> Component:
        """A component by id."""
        return await self._call(
            GET_COMPONENT,
            Component,
            path={"component_id": check.format_path_id(component_id, name="component_id")},
        )

    @implements(LIST_COMPONENT_VERSIONS)
    def component_versions(
        self,
        component_id: str,
        *,
        environment_id: str | None = None,
        page_token: str | None = None,
    ) -> Paginator[ComponentVersion]:
        """The versions of a component, optionally only those in one environment."""
        return self._paginate(
            LIST_COMPONENT_VERSIONS,
            ComponentVersion,
            path={"component_id": check.format_path_id(component_id, name="component_id")},
            query={"environment-id": check.uuid(environment_id, "environment_id", optional=True)},
            page_token=page_token,
            sparse=True,
        )
