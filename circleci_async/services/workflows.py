"""The `workflows` service."""

from __future__ import annotations

from collections.abc import Sequence

from .. import checks as check
from ..endpoints import Endpoint
from ..models import Accepted, Job, Message, Workflow, WorkflowRerun
from ..pagination import Paginator
from .base import Service, implements

__all__ = ["WorkflowsService"]

GET_BY_ID = Endpoint("getWorkflowById", "GET", "/workflow/{id}")
LIST_JOBS = Endpoint("listWorkflowJobs", "GET", "/workflow/{id}/job")
CANCEL = Endpoint("cancelWorkflow", "POST", "/workflow/{id}/cancel")
RERUN = Endpoint("rerunWorkflow", "POST", "/workflow/{id}/rerun")
APPROVE = Endpoint(
    "approvePendingApprovalJobById", "POST", "/workflow/{id}/approve/{approval_request_id}"
)


def _workflow_path(workflow_id: str) -> dict[str, str]:
    return {"id": check.format_path_id(workflow_id, name="workflow_id")}


class WorkflowsService(Service):
    """Workflows: inspect them, list their jobs, cancel, rerun and approve."""

    name = "workflows"

    @implements(GET_BY_ID)
    async def get(self, workflow_id: str) -> Workflow:
        """A workflow by its id."""
        return await self._call(GET_BY_ID, Workflow, path=_workflow_path(workflow_id))

    @implements(LIST_JOBS)
    def jobs(self, workflow_id: str, *, page_token: str | None = None) -> Paginator[Job]:
        """The jobs of a workflow."""
        return self._paginate(
            LIST_JOBS,
            Job,
            path=_workflow_path(workflow_id),
            page_token=page_token,
        )

    @implements(CANCEL)
    async def cancel(
        self, workflow_id: str, *, idempotent: bool | None = None
    ) -> Message | Accepted:
        """Cancel a running workflow (`Accepted` when the answer has no message)."""
        return await self._act(
            CANCEL, Message, path=_workflow_path(workflow_id), idempotent=idempotent
        )

    @implements(RERUN)
    async def rerun(
        self,
        workflow_id: str,
        *,
        from_failed: bool | None = None,
        jobs: Sequence[str] | None = None,
        enable_ssh: bool | None = None,
        sparse_tree: bool | None = None,
        idempotent: bool | None = None,
    ) -> WorkflowRerun | Accepted:
        """Rerun a workflow: whole, `from_failed=True`, or only some `jobs` (by job id).

        `enable_ssh` and `sparse_tree` need `jobs`; `from_failed` excludes `jobs`. The
        answer is a `WorkflowRerun` with the new workflow's id when CircleCI sends it, else
        `Accepted` (the live API answers 202 `{"message": "Accepted."}`).
        """
        path = _workflow_path(workflow_id)
        from_failed = check.flag(from_failed, "from_failed", optional=True)
        job_ids = check.uuids(jobs, "jobs", optional=True)
        check.not_both("from_failed=True", from_failed or None, "jobs", job_ids)
        body = check.drop_none(
            {
                "from_failed": from_failed,
                "jobs": job_ids,
                "enable_ssh": check.flag(enable_ssh, "enable_ssh", optional=True),
                "sparse_tree": check.flag(sparse_tree, "sparse_tree", optional=True),
            }
        )
        return await self._act(RERUN, WorkflowRerun, path=path, body=body, idempotent=idempotent)

    @implements(APPROVE)
    async def approve(
        self, workflow_id: str, approval_request_id: str, *, idempotent: bool | None = None
    ) -> Message | Accepted:
        """Approve a workflow's pending approval job (its `approval_request_id`)."""
        path = {
            **_workflow_path(workflow_id),
            "approval_request_id": check.format_path_id(
                approval_request_id, name="approval_request_id"
            ),
        }
        return await self._act(APPROVE, Message, path=path, idempotent=idempotent)
