"""The `jobs` service."""

from __future__ import annotations

from collections.abc import Awaitable

from .. import checks as check
from ..endpoints import Endpoint
from ..errors import InvalidArgumentError
from ..logs import Follower, JobFailure, JobSteps, StepAction, StepOutput, fetch_steps
from ..logs.endpoints import JOB_DETAILS_V11, JOB_STDOUT_V3, beyond_spec
from ..logs.failure import job_failure
from ..logs.follow import DEFAULT_POLL
from ..logs.stream import check_tail
from ..models import Artifact, JobDetails, Message, TestResult
from ..pagination import Paginator
from .base import Service, implements
from .workflows import WorkflowsService

__all__ = ["JobsService"]

GET_DETAILS = Endpoint("getJobDetails", "GET", "/project/{project-slug}/job/{job-number}")
LIST_ARTIFACTS = Endpoint(
    "getJobArtifacts", "GET", "/project/{project-slug}/{job-number}/artifacts"
)
LIST_TESTS = Endpoint("getTests", "GET", "/project/{project-slug}/{job-number}/tests")
CANCEL = Endpoint("cancelJobByJobNumber", "POST", "/project/{project-slug}/job/{job-number}/cancel")
CANCEL_BY_ID = Endpoint("cancelJobByJobID", "POST", "/jobs/{job-id}/cancel")


def _job_path(project_slug: str, job_number: int) -> dict[str, str]:
    return {
        "project-slug": check.validate_project_slug(project_slug),
        "job-number": check.format_job_number(job_number),
    }


def _check_step(step: object) -> int | str:
    if isinstance(step, bool) or not isinstance(step, int | str):
        raise InvalidArgumentError(f"step must be a step id or name, not {type(step).__name__}")
    if isinstance(step, int) and step < 0:
        raise InvalidArgumentError(f"step id must not be negative, got {step}")
    if isinstance(step, str) and not step.strip():
        raise InvalidArgumentError("step name must not be empty")
    return step


def _check_index(index: object) -> int:
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise InvalidArgumentError(f"index (the container) must be an int >= 0, got {index!r}")
    return index


class JobsService(Service):
    """Jobs: details, artifacts and test results, step logs; cancelling them.

    `steps()`, `output()` and `failure()` read step logs, which API v2 lacks: from API v1.1
    and v3 (`circleci_async.logs`).
    """

    name = "jobs"

    @implements(GET_DETAILS)
    async def get(self, project_slug: str, job_number: int) -> JobDetails:
        """A job in full, by project and job number."""
        return await self._call(GET_DETAILS, JobDetails, path=_job_path(project_slug, job_number))

    @implements(LIST_ARTIFACTS)
    def artifacts(
        self, project_slug: str, job_number: int, *, page_token: str | None = None
    ) -> Paginator[Artifact]:
        """The artifacts a job stored."""
        return self._paginate(
            LIST_ARTIFACTS,
            Artifact,
            path=_job_path(project_slug, job_number),
            page_token=page_token,
        )

    @implements(LIST_TESTS)
    def tests(
        self, project_slug: str, job_number: int, *, page_token: str | None = None
    ) -> Paginator[TestResult]:
        """The test results a job reported."""
        return self._paginate(
            LIST_TESTS,
            TestResult,
            path=_job_path(project_slug, job_number),
            page_token=page_token,
        )

    @implements(CANCEL)
    async def cancel(
        self, project_slug: str, job_number: int, *, idempotent: bool | None = None
    ) -> Message:
        """Cancel a job, by project and job number."""
        return await self._call(
            CANCEL, Message, path=_job_path(project_slug, job_number), idempotent=idempotent
        )

    @implements(CANCEL_BY_ID)
    async def cancel_by_id(self, job_id: str, *, idempotent: bool | None = None) -> Message:
        """Cancel a job by its id (a UUID)."""
        return await self._call(
            CANCEL_BY_ID,
            Message,
            path={"job-id": check.format_path_id(job_id, name="job_id")},
            idempotent=idempotent,
        )

    @beyond_spec(JOB_DETAILS_V11)
    async def steps(self, project_slug: str, job_number: int) -> JobSteps:
        """A job's steps and their actions (one per container), from API v1.1 job details."""
        return await fetch_steps(self._core, project_slug, job_number)

    @beyond_spec(JOB_DETAILS_V11, JOB_STDOUT_V3)
    def output(
        self,
        project_slug: str,
        job_number: int,
        *,
        step: int | str,
        index: int = 0,
        follow: bool = False,
        poll: float = DEFAULT_POLL,
        budget: float | None = None,
    ) -> StepOutput:
        """One step's output on container `index`, as a lazy stream of `LogLine`s.

        `step` is a step id (an int, as in `StepAction.step`) or a step name. Nothing is
        sent until the stream is read. With `follow`, a running step is followed until it
        ends (API v3, else v1.1 polled every `poll` seconds), within `budget` seconds (the
        client's retry budget by default).
        """
        check.validate_project_slug(project_slug)
        check.format_job_number(job_number)
        step = _check_step(step)
        index = _check_index(index)

        def details() -> Awaitable[JobSteps]:
            return fetch_steps(self._core, project_slug, job_number)

        async def job_uuid(steps: JobSteps) -> str | None:
            return steps.job_id or await self._job_uuid(project_slug, job_number)

        follower = (
            Follower(self._core, job_id=job_uuid, poll=poll, budget=budget) if follow else None
        )
        return StepOutput(self._core, details, step=step, index=index, follower=follower)

    @beyond_spec(JOB_DETAILS_V11)
    async def failure(self, project_slug: str, job_number: int, *, tail: int = 50) -> JobFailure:
        """Why a job failed, in one call.

        Each failed action with its last `tail` lines (ANSI stripped) and its exit code or
        timeout, and the job's failed tests.
        """
        tail_lines = check_tail(tail)
        if tail_lines is None:
            raise InvalidArgumentError("tail must be a positive number of lines, not None")
        steps = await self.steps(project_slug, job_number)

        def details() -> Awaitable[JobSteps]:
            return fetch_steps(self._core, project_slug, job_number)

        def output(action: StepAction) -> StepOutput:
            step = action.step if action.step is not None else 0
            index = action.index if action.index is not None else 0
            return StepOutput(self._core, details, step=step, index=index, known=action)

        return await job_failure(
            job=self.get(project_slug, job_number),
            steps=steps,
            tests=self.tests(project_slug, job_number),
            output=output,
            tail=tail_lines,
        )

    async def _job_uuid(self, project_slug: str, job_number: int) -> str | None:
        """The v2 id of a job, from its newest workflow's job list."""
        job = await self.get(project_slug, job_number)
        workflow = job.latest_workflow.id if job.latest_workflow else None
        if workflow is None:
            return None
        async for listed in WorkflowsService(self._core).jobs(workflow):
            if listed.job_number == job.number:
                return listed.id
        return None
