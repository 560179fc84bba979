"""The `workflows` service."""

from __future__ import annotations

from ..models import Job, Workflow
from ..pagination import Paginator
from ..session import Endpoint
from ..wire import format_path_id
from .base import Service, implements

__all__ = ["WorkflowsService"]

GET_BY_ID = Endpoint("getWorkflowById", "GET", "/workflow/{id}")
LIST_JOBS = Endpoint("listWorkflowJobs", "GET", "/workflow/{id}/job")


class WorkflowsService(Service):
    """Workflows: inspect them and list their jobs."""

    name = "workflows"

    @implements(GET_BY_ID)
    async def get(self, workflow_id: str) -> Workflow:
        """A workflow by its id."""
        return await self._call(
            GET_BY_ID, Workflow, path={"id": format_path_id(workflow_id, name="workflow_id")}
        )

    @implements(LIST_JOBS)
    def jobs(self, workflow_id: str, *, page_token: str | None = None) -> Paginator[Job]:
        """The jobs of a workflow."""
        return self._paginate(
            LIST_JOBS,
            Job,
            path={"id": format_path_id(workflow_id, name="workflow_id")},
            page_token=page_token,
        )
