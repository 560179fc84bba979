"""One valid call of every operation's method, by operationId: positional and keyword arguments.

A call needs an entry in `LISTED` only when it sends more than its required path and query
parameters, or a value `derived_call` cannot pick; every other call is derived from the spec.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from circleci_async.models import (
    AdvancedSettings,
    CheckoutSource,
    ConfigSource,
    EventSource,
    Timetable,
    Weekday,
)

from .naming import python_name
from .spec_schemas import Operation, operations

ID = "5034460f-c7c4-4c43-9457-de07e2029e7b"
OTHER_ID = "0c6d9a43-1111-4000-8000-000000000001"
SLUG = "gh/acme/app"
ORG = "gh/acme"
OWNER = (ID, "config")

Call = tuple[tuple[Any, ...], dict[str, Any]]

LISTED: Mapping[str, Call] = {
    # Context
    "listContexts": ((), {"owner_slug": ORG}),
    "createContext": ((), {"name": "deploy", "owner_id": ID}),
    "addEnvironmentVariableToContext": ((ID, "TOKEN"), {"value": "s3cret"}),
    "createContextRestriction": (
        (ID,),
        {"restriction_type": "project", "restriction_value": OTHER_ID},
    ),
    # Insights
    "getProjectWorkflowsPageData": (
        (SLUG,),
        {"reporting_window": "last-7-days", "branches": ["main", "dev"]},
    ),
    "getJobTimeseries": (
        (SLUG, "build"),
        {"granularity": "daily", "start_date": datetime(2024, 1, 1, tzinfo=UTC)},
    ),
    "getOrgSummaryData": ((ORG,), {"project_names": ["app"]}),
    "getAllInsightsBranches": ((SLUG,), {"workflow_name": "build"}),
    "getProjectWorkflowMetrics": ((SLUG,), {"all_branches": True}),
    "getProjectWorkflowRuns": ((SLUG, "build"), {"branch": "main"}),
    "getProjectWorkflowJobMetrics": ((SLUG, "build"), {"job_name": "test"}),
    "getProjectWorkflowTestMetrics": ((SLUG, "build"), {"branch": "main"}),
    # Pipeline
    "listPipelines": ((), {"org_slug": ORG, "mine": True}),
    "continuePipeline": ((), {"continuation_key": "key", "configuration": "version: 2.1"}),
    "listPipelinesForProject": ((SLUG,), {"branch": "main"}),
    "triggerPipeline": ((SLUG,), {"branch": "main", "parameters": {"deploy": True}}),
    "triggerPipelineRun": (
        (SLUG,),
        {"definition_id": ID, "config_branch": "main", "checkout_tag": "v1.0"},
    ),
    # Workflow
    "rerunWorkflow": ((ID,), {"jobs": [OTHER_ID], "enable_ssh": True}),
    # Webhook
    "getWebhooks": ((), {"scope_id": ID}),
    "createWebhook": (
        (),
        {
            "name": "notify",
            "url": "https://example.com/hook",
            "events": ["workflow-completed"],
            "verify_tls": True,
            "signing_secret": "s3cret",
            "scope_id": ID,
        },
    ),
    "updateWebhook": ((ID,), {"name": "renamed", "verify_tls": False}),
    # OIDC Token Management
    "PatchOrgClaims": ((ID,), {"audience": ["sts.amazonaws.com"], "ttl": "1h"}),
    "DeleteOrgClaims": ((ID,), {"claims": ["audience", "ttl"]}),
    "PatchProjectClaims": ((ID, OTHER_ID), {"ttl": "30m"}),
    "DeleteProjectClaims": ((ID, OTHER_ID), {"claims": ["ttl"]}),
    # Policy Management
    "GetDecisionLogs": (OWNER, {"status": "PASS", "build_number": 4}),
    "MakeDecision": (OWNER, {"input": "version: 2.1", "metadata": {"branch": "main"}}),
    "SetDecisionSettings": (OWNER, {"enabled": True}),
    "CreatePolicyBundle": (OWNER, {"policies": {"a.rego": "package org"}, "dry": True}),
    # Deploy
    "listComponents": ((ID,), {"project_id": OTHER_ID}),
    "listComponentVersions": ((ID,), {"environment_id": OTHER_ID}),
    "listEnvironments": ((ID,), {"page_size": 50}),
    # Pipeline Definition
    "createPipelineDefinition": (
        (ID,),
        {
            "name": "build",
            "config_source": ConfigSource.github_app("123", ".circleci/config.yml"),
            "checkout_source": CheckoutSource.github_app("123"),
        },
    ),
    "updatePipelineDefinition": (
        (ID, OTHER_ID),
        {"config_source": ConfigSource(file_path=".circleci/other.yml")},
    ),
    # Project
    "createProject": ((ORG,), {"name": "app"}),
    "listCheckoutKeys": ((SLUG,), {"digest": "sha256"}),
    "createCheckoutKey": ((SLUG,), {"type": "deploy-key"}),
    "createEnvVar": ((SLUG,), {"name": "FOO", "value": "bar"}),
    "patchProjectSettings": ((SLUG,), {"advanced": AdvancedSettings(oss=True)}),
    # Rollback
    "rollbackProject": (
        (ID,),
        {
            "environment_name": "production",
            "component_name": "web",
            "current_version": "1.0.1",
            "target_version": "1.0.0",
        },
    ),
    # Trigger
    "createTrigger": (
        (ID, OTHER_ID),
        {"event_source": EventSource.github_app("123"), "event_preset": "all-pushes"},
    ),
    "updateTrigger": ((ID, OTHER_ID), {"disabled": True}),
    # Usage
    "createUsageExport": (
        (ID,),
        {"start": datetime(2024, 1, 1, tzinfo=UTC), "end": datetime(2024, 1, 31, tzinfo=UTC)},
    ),
    # Organization
    "createOrganization": ((), {"name": "acme", "vcs_type": "circleci"}),
    "listURLOrbAllowListEntries": ((ID,), {}),
    "createURLOrbAllowListEntry": (
        (ID,),
        {"name": "ours", "prefix": "https://example.com/orbs/", "auth": "none"},
    ),
    "removeURLOrbAllowListEntry": ((ID, OTHER_ID), {}),
    # Groups
    "getOrganizationGroups": ((ID,), {"limit": 10}),
    "createOrganizationGroup": ((ID,), {"name": "devs", "description": "developers"}),
    # Schedule
    "createSchedule": (
        (SLUG,),
        {
            "name": "nightly",
            "timetable": Timetable(per_hour=1, hours_of_day=[3], days_of_week=[Weekday.MON]),
            "attribution_actor": "system",
            "parameters": {"branch": "main"},
        },
    ),
    "updateSchedule": ((ID,), {"description": "every night"}),
}
"""The calls that need more than `derived_call` gives."""

BY_NAME: Mapping[str, object] = {
    "project_slug": SLUG,
    "org_slug": ORG,
    "org_slug_or_id": ORG,
    "context": "config",
    "job_number": 7,
    "pipeline_number": 12,
    "fingerprint": "c9:0b:1c:4f",
    "policy_name": "a",
    "workflow_name": "build",
    "env_var_name": "TOKEN",
    "name": "FOO",
}
"""Values of required arguments by name; an argument ending in `_id` takes `ID`, then `OTHER_ID`."""


def _position(operation: Operation, parameter: Mapping[str, Any]) -> int:
    found = operation.path.find("{" + parameter["name"] + "}")
    return found if parameter["in"] == "path" else len(operation.path)


def derived_call(operation_id: str) -> Call | None:
    """A call with the operation's required path and query parameters only, by keyword.

    None when the operation requires a body property or an argument `BY_NAME` has no value for.
    """
    operation = operations()[operation_id]
    body = operation.request_schema
    if body is not None and body.get("required"):
        return None
    ids = iter((ID, OTHER_ID))
    required = [p for p in operation.parameters if p["in"] == "path" or p.get("required")]
    kwargs: dict[str, Any] = {}
    for parameter in sorted(required, key=lambda p: _position(operation, p)):
        name = python_name(parameter["name"], operation.path, operation_id)
        if name in kwargs:
            continue
        if name in BY_NAME:
            kwargs[name] = BY_NAME[name]
        elif name.endswith("_id"):
            kwargs[name] = next(ids)
        else:
            return None
    return (), kwargs


def _calls() -> dict[str, Call]:
    calls = {}
    for operation_id in operations():
        call = LISTED.get(operation_id) or derived_call(operation_id)
        if call is not None:
            calls[operation_id] = call
    return calls


CALLS: Mapping[str, Call] = _calls()
"""One valid call of every operation that has one (tests/test_request_bodies.py checks all do)."""
