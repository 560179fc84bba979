"""Answer shapes of other CircleCI installs: `FakeCircleCI(profile="server")`.

CircleCI's cloud answers follow the 2025 spec. CircleCI Server installs (and older cloud
answers, such as the API guide's examples) answer some operations in older shapes. The
`server` profile rewrites the fake's answers into those shapes:

* a job's details: the `project` without `id`, and `status` null;
* a project: without `id`, `organization_slug` and `organization_id`;
* a workflow's jobs: an approval job without `job_number` and with `started_at` null.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["PROFILES", "reshape"]

Reshape = Callable[[Any], Any]


def _job_details(body: Any) -> Any:
    project = {key: value for key, value in body["project"].items() if key != "id"}
    return {**body, "project": project, "status": None}


def _project(body: Any) -> Any:
    dropped = ("id", "organization_slug", "organization_id")
    return {key: value for key, value in body.items() if key not in dropped}


def _approval(job: Any) -> Any:
    if job.get("type") != "approval":
        return job
    shaped = {key: value for key, value in job.items() if key != "job_number"}
    return {**shaped, "started_at": None}


def _workflow_jobs(body: Any) -> Any:
    return {**body, "items": [_approval(job) for job in body["items"]]}


PROFILES: Mapping[str, Mapping[str, Reshape]] = {
    "cloud": {},
    "server": {
        "getJobDetails": _job_details,
        "getProjectBySlug": _project,
        "listWorkflowJobs": _workflow_jobs,
    },
}
"""Profile name → operationId → how a 2xx JSON answer is rewritten."""


def reshape(profile: str, operation_id: str, body: Any) -> Any:
    """A 2xx JSON answer of `operation_id` as an install of `profile` sends it."""
    rewrite = PROFILES[profile].get(operation_id)
    return body if rewrite is None else rewrite(body)
