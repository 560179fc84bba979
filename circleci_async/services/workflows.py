"""The `workflows` service."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

import attrs

from .. import checks as check
from ..endpoints import Endpoint
from ..models import Accepted, Job, Message, Workflow, WorkflowRerun
from ..pagination import Paginator
from ..waiting import FINAL_WORKFLOW_STATUSES, WaitPolicy, wait_until
from .base import Service, implements

if TYPE_CHECKING:
    from ..webhooks.events import Event

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

    async def wait(
        self,
        workflow_id: str,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 (on the client's clock)
        policy: WaitPolicy | None = None,
        events: AsyncIterator[Event] | None = None,
        on_poll: Callable[[Workflow], Awaitable[None]] | None = None,
    ) -> Workflow:
        """Wait until a workflow ends (success, failed, error, canceled, ...); the workflow.

        Polls `get()` at a growing interval (2 s, times 1.5, at most 30 s: see `WaitPolicy`);
        with `events` (a `WebhookReceiver`), a webhook about the workflow triggers the next
        read at once. `on_poll` is awaited with every state read. Raises `WaitTimeoutError`
        (`.last`: the workflow as last seen) after `timeout` seconds (default: the
        policy's, one hour).
        """
        check.format_path_id(workflow_id, name="workflow_id")
        policy = wait_policy(policy, timeout)

        def names(event: Event) -> bool:
            return getattr(getattr(event, "workflow", None), "id", None) == workflow_id

        return await wait_until(
            self._core,
            lambda: self.get(workflow_id),
            lambda workflow: workflow.status in FINAL_WORKFLOW_STATUSES,
            what=f"workflow {workflow_id}",
            policy=policy,
            events=events,
            names=names,
            on_poll=on_poll,
        )


def wait_policy(policy: WaitPolicy | None, timeout: float | None) -> WaitPolicy:
    """`policy` (default: `WaitPolicy()`) with `timeout` when one is given."""
    base = policy or WaitPolicy()
    return base if timeout is None else attrs.evolve(base, timeout=timeout)
