"""A fake CircleCI API v2 server for tests, speaking real HTTP over loopback.

    async with FakeCircleCI(seed=1) as fake:
        client = ...(base_url=fake.base_url, token=fake.token)

It answers every operation of the spec (`ROUTES`), from in-memory state: `fake.state` holds
the data (with factories), `fake.faults` injects failures, and `fake.requests` records every
request. The pytest plugin offers it as `fake_circleci`. `FakeCircleCI(clock=...)` runs its
throttle windows, token buckets, request times and dates on a test's virtual time
(`datetime_clock` gives a `FakeState` of your own the same time line).

The modules, by concept:

* serving: `server` (`FakeCircleCI`, three origins), `routing` (`ROUTES`, `Router`),
  `api_context` (what a handler gets), `handlers/` (one module per spec tag), `renderers`
  (every JSON body), `replies`, `auth`, `paging`, `profiles` (`profile="server"` shapes);
* data: `records`, `*_records` (classes named `...Record`), `store` (collections, ids,
  clock), `org_state` (organizations, users, deploys), `state` (`FakeState`: projects and
  builds), `lifecycle` (cancel, approve, rerun), `configs`, `demo_org` (the one demo seeder);
* artifacts: `artifacts` (redirecting origin), `storage` and `presign` (signed URLs),
  `content` (ranges, `If-Range`), `blobs`, `urls`;
* step logs: `logs` (`FakeLogs`: each job's steps and output), `log_output` (output bodies,
  generated logs), `handlers/logs` (v1.1 job details, v3, private raw, storage output);
* behaviour over time: `faults`, `clock`, `runner` (builds), `deliveries` and
  `webhook_payloads` (webhooks), `recording` (`RecordedRequest`).
"""

from __future__ import annotations

from .api_context import ApiContext, ApiError
from .blobs import Blob
from .clock import datetime_clock
from .context_records import ContextEnvVar, ContextRecord, ContextRestrictionRecord
from .deploy_records import (
    ComponentRecord,
    ComponentVersionRecord,
    EnvironmentRecord,
    RollbackRecord,
)
from .faults import Faults, Scope
from .org_records import (
    GroupRecord,
    OidcClaimsRecord,
    OrganizationRecord,
    UrlOrbEntry,
    UsageExportRecord,
)
from .policy_records import DecisionLogRecord, PolicyContext, PolicyRecord
from .project_config_records import (
    PipelineDefinitionRecord,
    ScheduleRecord,
    TriggerRecord,
    WebhookRecord,
)
from .recording import Origin, RecordedRequest
from .records import (
    UNSTARTED_JOB_STATUSES,
    ArtifactRecord,
    CheckoutKeyRecord,
    Commit,
    JobRecord,
    PipelineRecord,
    ProjectEnvVar,
    ProjectRecord,
    TestResultRecord,
    UserRecord,
    WorkflowRecord,
)
from .replies import Reply
from .routing import ROUTES, Route, Router
from .server import FakeCircleCI
from .state import FakeState

__all__ = [
    "ROUTES",
    "UNSTARTED_JOB_STATUSES",
    "ApiContext",
    "ApiError",
    "ArtifactRecord",
    "Blob",
    "CheckoutKeyRecord",
    "Commit",
    "ComponentRecord",
    "ComponentVersionRecord",
    "ContextEnvVar",
    "ContextRecord",
    "ContextRestrictionRecord",
    "DecisionLogRecord",
    "EnvironmentRecord",
    "FakeCircleCI",
    "FakeState",
    "Faults",
    "GroupRecord",
    "JobRecord",
    "OidcClaimsRecord",
    "OrganizationRecord",
    "Origin",
    "PipelineDefinitionRecord",
    "PipelineRecord",
    "PolicyContext",
    "PolicyRecord",
    "ProjectEnvVar",
    "ProjectRecord",
    "RecordedRequest",
    "Reply",
    "RollbackRecord",
    "Route",
    "Router",
    "ScheduleRecord",
    "Scope",
    "TestResultRecord",
    "TriggerRecord",
    "UrlOrbEntry",
    "UsageExportRecord",
    "UserRecord",
    "WebhookRecord",
    "WorkflowRecord",
    "datetime_clock",
]
