"""How running work changes: cancelling jobs and workflows, approving, rerunning, continuing.

Each function changes records of a `FakeState` in place, and raises `ValueError` (with a
message fit for a 400 answer) when the change makes no sense in the current status.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

from .configs import JobOutline
from .records import (
    FINISHED_JOB_STATUSES,
    FINISHED_WORKFLOW_STATUSES,
    JobRecord,
    JobStatusValue,
    PipelineRecord,
    UserRecord,
    WorkflowRecord,
)
from .state import FakeState

__all__ = [
    "approve",
    "cancel_job",
    "cancel_workflow",
    "downstream",
    "job_ended",
    "rerun",
    "settle",
    "start_workflow",
]


def job_ended(job: JobRecord) -> bool:
    """Whether a job has finished, or will never run."""
    return job.status in FINISHED_JOB_STATUSES or job.status == "not_run"


def downstream(workflow: WorkflowRecord, roots: Iterable[JobRecord]) -> list[JobRecord]:
    """`roots` and every job of the workflow that depends on one of them, in workflow order."""
    wanted = {job.id for job in roots}
    grew = True
    while grew:
        grew = False
        for job in workflow.jobs:
            if job.id not in wanted and wanted.intersection(job.dependencies):
                wanted.add(job.id)
                grew = True
    return [job for job in workflow.jobs if job.id in wanted]


def settle(workflow: WorkflowRecord, now: datetime) -> None:
    """End a running workflow once none of its jobs can run any more."""
    if workflow.status in FINISHED_WORKFLOW_STATUSES:
        return
    if not all(job_ended(job) for job in workflow.jobs):
        return
    statuses = {job.status for job in workflow.jobs}
    if statuses <= {"success"}:
        workflow.status = "success"
    elif "canceled" in statuses:
        workflow.status = "canceled"
    else:
        workflow.status = "failed"
    workflow.stopped_at = now


def _stop(job: JobRecord, status: JobStatusValue, now: datetime) -> None:
    job.status = status
    if job.started_at is not None:
        job.stopped_at = now


def cancel_job(state: FakeState, job: JobRecord, user: UserRecord) -> None:
    """Cancel a job that has not ended; the jobs waiting on it will not run."""
    if job_ended(job):
        raise ValueError(f"Job {job.name!r} has already finished ({job.status}).")
    now = state.now()
    workflow = state.workflows[job.workflow_id]
    _stop(job, "canceled", now)
    job.canceled_by = user.id
    for waiting in downstream(workflow, [job])[1:]:
        if not job_ended(waiting) and waiting.started_at is None:
            waiting.status = "not_run"
    settle(workflow, now)


def cancel_workflow(state: FakeState, workflow: WorkflowRecord, user: UserRecord) -> None:
    """Cancel a workflow that has not ended, and every job of it that has not."""
    if workflow.status in FINISHED_WORKFLOW_STATUSES:
        raise ValueError(f"Workflow {workflow.name!r} has already finished ({workflow.status}).")
    now = state.now()
    for job in workflow.jobs:
        if not job_ended(job):
            _stop(job, "canceled", now)
    workflow.status = "canceled"
    workflow.stopped_at = now
    workflow.canceled_by = user.id


def approve(state: FakeState, workflow: WorkflowRecord, job: JobRecord, user: UserRecord) -> None:
    """Approve an approval job on hold; the jobs waiting only on approved work are queued."""
    if job.type != "approval" or job.status != "on_hold":
        raise ValueError(f"Job {job.name!r} is not waiting for approval.")
    job.status = "success"
    job.approved_by = user.id
    job.stopped_at = state.now()
    done = {other.id for other in workflow.jobs if other.status == "success"}
    for waiting in workflow.jobs:
        if waiting.status == "blocked" and set(waiting.dependencies) <= done:
            waiting.status = "queued"
    if workflow.status == "on_hold":
        workflow.status = "running"


def rerun(
    state: FakeState,
    workflow: WorkflowRecord,
    *,
    jobs: Collection[str] | None = None,
    from_failed: bool = False,
) -> WorkflowRecord:
    """Rerun a finished workflow as a new workflow of the same pipeline.

    Everything reruns, or the failed jobs (`from_failed`), or the jobs with the given ids;
    with the jobs downstream of them either way. The other jobs keep their outcome.
    """
    if workflow.status not in FINISHED_WORKFLOW_STATUSES:
        raise ValueError(f"Workflow {workflow.name!r} is still {workflow.status}.")
    if jobs is not None:
        known = {job.id for job in workflow.jobs}
        strangers = [job_id for job_id in jobs if job_id not in known]
        if strangers:
            raise ValueError(f"Job {strangers[0]} is not in workflow {workflow.id}.")
        roots = [job for job in workflow.jobs if job.id in jobs]
    elif from_failed:
        roots = [job for job in workflow.jobs if job.status not in ("success", "not_run")]
        if not roots:
            raise ValueError(f"Workflow {workflow.name!r} has no failed jobs.")
    else:
        roots = list(workflow.jobs)
    again = {job.id for job in downstream(workflow, roots)}
    outlines = []
    statuses: list[JobStatusValue] = []
    names = {job.id: job.name for job in workflow.jobs}
    for job in workflow.jobs:
        requires = tuple(names[dep] for dep in job.dependencies if dep in names)
        outlines.append(JobOutline(job.name, requires, job.type == "approval"))
        statuses.append(job.status if job.id not in again else _first_status(job, again))
    return start_workflow(
        state, state.pipelines[workflow.pipeline_id], workflow.name, outlines, statuses
    )


def _first_status(job: JobRecord, again: set[str]) -> JobStatusValue:
    if again.intersection(job.dependencies):
        return "blocked"
    return "on_hold" if job.type == "approval" else "running"


def start_workflow(
    state: FakeState,
    pipeline: PipelineRecord,
    name: str,
    jobs: list[JobOutline],
    statuses: list[JobStatusValue] | None = None,
) -> WorkflowRecord:
    """A new running workflow of `pipeline` with these jobs.

    Without `statuses`, jobs with nothing to wait for start (approvals go on hold) and the
    others are blocked.
    """
    workflow = state.add_workflow(pipeline.id, name=name, status="running", created_at=state.now())
    made: dict[str, str] = {}
    for index, outline in enumerate(jobs):
        if statuses is not None:
            status = statuses[index]
        elif any(dep in made for dep in outline.requires):
            status = "blocked"
        else:
            status = "on_hold" if outline.approval else "running"
        job = state.add_job(
            workflow.id,
            name=outline.name,
            status=status,
            type="approval" if outline.approval else "build",
            dependencies=[made[dep] for dep in outline.requires if dep in made],
        )
        made[outline.name] = job.id
    if any(job.status == "on_hold" for job in workflow.jobs) and not any(
        job.status == "running" for job in workflow.jobs
    ):
        workflow.status = "on_hold"
    settle(workflow, state.now())
    return workflow
