"""The `projects` service."""

from __future__ import annotations

from ..models import Project
from ..session import Endpoint
from ..wire import validate_project_slug
from .base import Service, implements

__all__ = ["ProjectsService"]

GET_BY_SLUG = Endpoint("getProjectBySlug", "GET", "/project/{project-slug}")


class ProjectsService(Service):
    """Projects."""

    name = "projects"

    @implements(GET_BY_SLUG)
    async def get(self, project_slug: str) -> Project:
        """A project by its slug."""
        return await self._call(
            GET_BY_SLUG, Project, path={"project-slug": validate_project_slug(project_slug)}
        )
