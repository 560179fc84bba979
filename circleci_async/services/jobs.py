"""The `jobs` service."""

from __future__ import annotations

from .. import checks as check
from ..endpoints import Endpoint
from ..models import Accepted, Artifact, JobDetails, Message, TestResult
from ..pagination import Paginator
from .base import Service, implements

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


class JobsService(Service):
    """Jobs: details, artifacts and test results; cancelling them."""

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
    ) -> Message | Accepted:
        """Cancel a job, by project and job number (`Accepted` without a message)."""
        return await self._act(
            CANCEL, Message, path=_job_path(project_slug, job_number), idempotent=idempotent
        )

    @implements(CANCEL_BY_ID)
    async def cancel_by_id(
        self, job_id: str, *, idempotent: bool | None = None
    ) -> Message | Accepted:
        """Cancel a job by its id (a UUID; `Accepted` without a message)."""
        return await self._act(
            CANCEL_BY_ID,
            Message,
            path={"job-id": check.format_path_id(job_id, name="job_id")},
            idempotent=idempotent,
        )
