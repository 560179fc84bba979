"""A fake CircleCI API v2 server for tests, speaking real HTTP over loopback.

    async with FakeCircleCI(seed=1) as fake:
        client = ...(base_url=fake.base_url, token=fake.token)

`fake.state` holds the data (with factories), `fake.faults` injects failures, and
`fake.requests` records every request. The pytest plugin offers it as `fake_circleci`.
"""

from __future__ import annotations

from .blobs import Blob
from .faults import Faults, Scope
from .recording import Origin, RecordedRequest
from .records import (
    UNSTARTED_JOB_STATUSES,
    Artifact,
    Job,
    Pipeline,
    Project,
    TestResult,
    User,
    Workflow,
)
from .replies import Reply
from .routes import ROUTES
from .routing import ApiContext, ApiError, Route, Router
from .server import FakeCircleCI
from .state import FakeState

__all__ = [
    "ROUTES",
    "UNSTARTED_JOB_STATUSES",
    "ApiContext",
    "ApiError",
    "Artifact",
    "Blob",
    "FakeCircleCI",
    "FakeState",
    "Faults",
    "Job",
    "Origin",
    "Pipeline",
    "Project",
    "RecordedRequest",
    "Reply",
    "Route",
    "Router",
    "Scope",
    "TestResult",
    "User",
    "Workflow",
]
