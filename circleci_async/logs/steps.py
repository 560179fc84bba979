"""Fetching a job's steps from v1.1 job details, through the session core."""

from __future__ import annotations

from typing import Any

from ..errors import DecodeError, NotFoundError
from ..models.decoding import decode, describe_value
from ..session import SessionCore
from .endpoints import JOB_DETAILS_V11, api_root, v11_path
from .models import JobStep, JobSteps, StepAction, V11Job

__all__ = ["fetch_steps", "read_steps"]


def read_steps(data: Any, *, report: Any = None) -> JobSteps:
    """A v1.1 job-details answer as `JobSteps` (tolerant; the answer is kept in `raw`)."""
    operation = JOB_DETAILS_V11.operation_id
    if not isinstance(data, dict):
        raise DecodeError(operation, f"the answer is {describe_value(data)}, not an object")
    job: V11Job = decode(data, V11Job, operation, report=report)
    steps = []
    for step in job.steps or ():
        actions: tuple[StepAction, ...] = tuple(step.actions or ())
        ids = {action.step for action in actions if action.step is not None}
        steps.append(JobStep(name=step.name, id=min(ids) if ids else None, actions=actions))
    workflows = job.workflows
    return JobSteps(
        number=job.build_num,
        status=job.status,
        lifecycle=job.lifecycle,
        parallelism=job.parallel,
        job_name=workflows.job_name if workflows else None,
        job_id=workflows.job_id if workflows else None,
        steps=tuple(steps),
        raw=data,
    )


async def fetch_steps(core: SessionCore, project_slug: str, job_number: int) -> JobSteps:
    """GET the job's v1.1 details (gate, retries, auth and size caps of the core)."""
    path = v11_path(project_slug, job_number)
    try:
        response = await core.request(
            JOB_DETAILS_V11, path_params=path, base=api_root(core.base_url)
        )
    except NotFoundError as exc:
        if path["vcs"] == "circleci":
            exc.message += (
                "; v1.1 names projects by vcs type (github, bitbucket) and may not know "
                f"{project_slug!r}, a circleci/ project"
            )
            exc.args = (str(exc),)
        raise
    try:
        return read_steps(response.data, report=core.drift.report)
    except DecodeError as exc:
        raise exc.attach(
            status=response.status,
            method=response.method,
            url=response.url,
            data=response.data,
            body=response.body,
        ) from None
