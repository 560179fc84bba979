"""The log endpoints outside API v2 (v1.1 job details, v3 job and output), as one table.

They are declared as `Endpoint`s like the spec's operations, with names of their own
(the spec has no operationId for them) and paths relative to the API root (`api_root`),
not to the v2 base URL. `v11_path` turns a v2 project slug into v1.1's path parts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from .. import checks as check
from ..endpoints import Endpoint
from ..errors import ConfigurationError

__all__ = [
    "JOB_DETAILS_V11",
    "JOB_STDERR_V3",
    "JOB_STDOUT_V3",
    "JOB_V3",
    "LOG_ENDPOINTS",
    "V11_VCS",
    "api_root",
    "beyond_spec",
    "v11_path",
]

F = TypeVar("F", bound=Callable[..., Any])

JOB_DETAILS_V11 = Endpoint(
    "v1.1:getJobDetails", "GET", "/api/v1.1/project/{vcs}/{org}/{repo}/{job-number}"
)
JOB_V3 = Endpoint("v3:getJob", "GET", "/api/v3/jobs/{job-id}")
JOB_STDOUT_V3 = Endpoint("v3:getJobStdout", "GET", "/api/v3/jobs/{job-id}/stdout")
JOB_STDERR_V3 = Endpoint("v3:getJobStderr", "GET", "/api/v3/jobs/{job-id}/stderr")

LOG_ENDPOINTS: tuple[Endpoint, ...] = (JOB_DETAILS_V11, JOB_V3, JOB_STDOUT_V3, JOB_STDERR_V3)
"""Every endpoint the logs use that CircleCI's v2 spec does not describe."""

V11_VCS = {"gh": "github", "github": "github", "bb": "bitbucket", "bitbucket": "bitbucket"}
"""v2 slug prefixes → v1.1's `vcs-type` (its documented choices are github and bitbucket)."""

_V2_SUFFIX = "/api/v2"


def beyond_spec(*endpoints: Endpoint) -> Callable[[F], F]:
    """Mark a service method as an entry point to endpoints outside the v2 spec."""

    def mark(method: F) -> F:
        method.__circleci_beyond_spec__ = endpoints  # type: ignore[attr-defined]
        return method

    return mark


def api_root(base_url: str) -> str:
    """The API root of a v2 base URL: `https://circleci.com/api/v2` → `https://circleci.com`."""
    parts = urlsplit(base_url)
    path = parts.path.rstrip("/")
    if not path.endswith(_V2_SUFFIX):
        raise ConfigurationError(
            f"step logs need the API root, found from a base URL ending in {_V2_SUFFIX}; "
            f"{base_url!r} does not"
        )
    return urlunsplit((parts.scheme, parts.netloc, path.removesuffix(_V2_SUFFIX), "", ""))


def v11_path(project_slug: str, job_number: int) -> dict[str, str]:
    """The v1.1 path parts of a job: `gh/org/repo` becomes `github`, `org`, `repo`.

    A `circleci/<org-id>/<project-id>` slug (GitLab, GitHub App projects) is sent as it is,
    as CircleCI's own MCP server and CLI do: v1.1 documents no name of its own for them.
    """
    vcs, org, repo = check.validate_project_slug(project_slug).split("/")
    return {
        "vcs": V11_VCS.get(vcs, vcs),
        "org": org,
        "repo": repo,
        "job-number": check.format_job_number(job_number),
    }
