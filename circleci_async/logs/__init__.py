"""Step logs: v1.1 job details, step output streams, v3 follow, the failure summary.

API v2 has no step output. `circle.jobs.steps()` reads a job's steps from API v1.1,
`circle.jobs.output()` streams one step's output from its pre-signed storage URL (never
sent the token) or follows it while it runs (API v3, else v1.1 polling), and
`circle.jobs.failure()` says why a job failed. The endpoints outside the v2 spec are
tabled in `circleci_async.logs.endpoints`.
"""

from .ansi import keep_colours, strip_ansi
from .endpoints import LOG_ENDPOINTS, api_root, v11_path
from .follow import DEFAULT_POLL, Follower
from .models import (
    ActionStatus,
    FailedAction,
    JobFailure,
    JobStep,
    JobSteps,
    LogLine,
    StepAction,
)
from .reader import DEFAULT_MAX_ELEMENT, ArrayReader
from .steps import fetch_steps, read_steps
from .stream import StepOutput

__all__ = [
    "DEFAULT_MAX_ELEMENT",
    "DEFAULT_POLL",
    "LOG_ENDPOINTS",
    "ActionStatus",
    "ArrayReader",
    "FailedAction",
    "Follower",
    "JobFailure",
    "JobStep",
    "JobSteps",
    "LogLine",
    "StepAction",
    "StepOutput",
    "api_root",
    "fetch_steps",
    "keep_colours",
    "read_steps",
    "strip_ansi",
    "v11_path",
]
