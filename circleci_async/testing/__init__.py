"""A fake CircleCI API v2 server for tests, speaking real HTTP over loopback.

    async with FakeCircleCI(seed=1) as fake:
        client = ...(base_url=fake.base_url, token=fake.token)

It answers every operation of the spec (`ROUTES`), from in-memory state: `fake.state` holds
the data (with factories), `fake.faults` injects failures, and `fake.requests` records every
request. The pytest plugin offers it as `fake_circleci`.
"""

from __future__ import annotations

from .blobs import Blob
from .context_records import Context, ContextEnvVar, ContextRestriction
from .deploy_records import Component, ComponentVersion, Environment, Rollback
from .faults import Faults, Scope
from .org_records import Group, OidcClaims, Organization, UrlOrbEntry, UsageExport
from .policy_records import DecisionLog, Policy, PolicyContext
from .project_config_records import PipelineDefinition, Schedule, Trigger, Webhook
from .recording import Origin, RecordedRequest
from .records import (
    UNSTARTED_JOB_STATUSES,
    Artifact,
    CheckoutKey,
    Commit,
    Job,
    Pipeline,
    Project,
    ProjectEnvVar,
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
    "CheckoutKey",
    "Commit",
    "Component",
    "ComponentVersion",
    "Context",
    "ContextEnvVar",
    "ContextRestriction",
    "DecisionLog",
    "Environment",
    "FakeCircleCI",
    "FakeState",
    "Faults",
    "Group",
    "Job",
    "OidcClaims",
    "Organization",
    "Origin",
    "Pipeline",
    "PipelineDefinition",
    "Policy",
    "PolicyContext",
    "Project",
    "ProjectEnvVar",
    "RecordedRequest",
    "Reply",
    "Rollback",
    "Route",
    "Router",
    "Schedule",
    "Scope",
    "TestResult",
    "Trigger",
    "UrlOrbEntry",
    "UsageExport",
    "User",
    "Webhook",
    "Workflow",
]
