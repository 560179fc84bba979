"""Handlers of the Workflow tag: inspect, cancel, rerun and approve workflows."""

from __future__ import annotations

from .. import lifecycle
from ..api_context import ApiContext, ApiError
from ..records import WorkflowRecord
from ..renderers import job_item_json, workflow_json
from ..replies import Reply
from .bodies import Body
from .lookups import found

__all__ = [
    "approve_pending_approval_job",
    "cancel_workflow",
    "get_workflow_by_id",
    "list_workflow_jobs",
    "rerun_workflow",
]


def _workflow(ctx: ApiContext) -> WorkflowRecord:
    return found(ctx.state.workflows.get(ctx.params["id"]), "Workflow")


async def get_workflow_by_id(ctx: ApiContext) -> Reply:
    """GET /workflow/{id}."""
    return Reply.json(200, workflow_json(_workflow(ctx)))


async def list_workflow_jobs(ctx: ApiContext) -> Reply:
    """GET /workflow/{id}/job."""
    return ctx.page(_workflow(ctx).jobs, job_item_json)


async def cancel_workflow(ctx: ApiContext) -> Reply:
    """POST /workflow/{id}/cancel: 202; 400 when the workflow has already finished."""
    try:
        lifecycle.cancel_workflow(ctx.state, _workflow(ctx), ctx.state.user)
    except ValueError as error:
        raise ApiError(400, str(error)) from None
    return Reply.json(202, {"message": "Accepted."})


async def rerun_workflow(ctx: ApiContext) -> Reply:
    """POST /workflow/{id}/rerun: 202 with the id of the new workflow.

    `enable_ssh` and `sparse_tree` need `jobs`, which `from_failed` excludes (else 400).
    """
    workflow = _workflow(ctx)
    body = await Body.read(ctx, fields=("enable_ssh", "from_failed", "jobs", "sparse_tree"))
    from_failed = body.flag("from_failed") or False
    jobs = body.strings("jobs")
    if from_failed and jobs is not None:
        raise ApiError(400, "from_failed and jobs are mutually exclusive.")
    for needs_jobs in ("enable_ssh", "sparse_tree"):
        if body.flag(needs_jobs) and jobs is None:
            raise ApiError(400, f"{needs_jobs} requires jobs.")
    try:
        new = lifecycle.rerun(ctx.state, workflow, jobs=jobs, from_failed=from_failed)
    except ValueError as error:
        raise ApiError(400, str(error)) from None
    return Reply.json(202, {"workflow_id": new.id})


async def approve_pending_approval_job(ctx: ApiContext) -> Reply:
    """POST /workflow/{id}/approve/{approval_request_id}: 202; 400 when not on hold."""
    workflow = _workflow(ctx)
    request_id = ctx.params["approval_request_id"]
    job = next((job for job in workflow.jobs if job.approval_request_id == request_id), None)
    try:
        lifecycle.approve(ctx.state, workflow, found(job, "Approval request"), ctx.state.user)
    except ValueError as error:
        raise ApiError(400, str(error)) from None
    return Reply.json(202, {"message": "Accepted."})
