"""One valid call of every operation's method, by operationId: positional and keyword arguments."""

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

ID = "5034460f-c7c4-4c43-9457-de07e2029e7b"
OTHER_ID = "0c6d9a43-1111-4000-8000-000000000001"
SLUG = "gh/acme/app"
ORG = "gh/acme"
OWNER = (ID, "config")

Call = tuple[tuple[Any, ...], dict[str, Any]]

CALLS: Mapping[str, Call] = {
    # Context
    "listContexts": ((), {"owner_slug": ORG}),
    "createContext": ((), {"name": "deploy", "owner_id": ID}),
    "getContext": ((ID,), {}),
    "deleteContext": ((ID,), {}),
    "listEnvironmentVariablesFromContext": ((ID,), {}),
    "addEnvironmentVariableToContext": ((ID, "TOKEN"), {"value": "s3cret"}),
    "deleteEnvironmentVariableFromContext": ((ID, "TOKEN"), {}),
    "getContextRestrictions": ((ID,), {}),
    "createContextRestriction": (
        (ID,),
        {"restriction_type": "project", "restriction_value": OTHER_ID},
    ),
    "deleteContextRestriction": ((ID, OTHER_ID), {}),
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
    "getFlakyTests": ((SLUG,), {}),
    "getProjectWorkflowMetrics": ((SLUG,), {"all_branches": True}),
    "getProjectWorkflowRuns": ((SLUG, "build"), {"branch": "main"}),
    "getProjectWorkflowJobMetrics": ((SLUG, "build"), {"job_name": "test"}),
    "getWorkflowSummary": ((SLUG, "build"), {}),
    "getProjectWorkflowTestMetrics": ((SLUG, "build"), {"branch": "main"}),
    # User
    "getCurrentUser": ((), {}),
    "getCollaborations": ((), {}),
    "getUser": ((ID,), {}),
    # Pipeline
    "listPipelines": ((), {"org_slug": ORG, "mine": True}),
    "continuePipeline": ((), {"continuation_key": "key", "configuration": "version: 2.1"}),
    "getPipelineById": ((ID,), {}),
    "getPipelineConfigById": ((ID,), {}),
    "getPipelineValuesById": ((ID,), {}),
    "listWorkflowsByPipelineId": ((ID,), {}),
    "listPipelinesForProject": ((SLUG,), {"branch": "main"}),
    "triggerPipeline": ((SLUG,), {"branch": "main", "parameters": {"deploy": True}}),
    "listMyPipelines": ((SLUG,), {}),
    "getPipelineByNumber": ((SLUG, 12), {}),
    "triggerPipelineRun": (
        (SLUG,),
        {"definition_id": ID, "config_branch": "main", "checkout_tag": "v1.0"},
    ),
    # Job
    "cancelJobByJobID": ((ID,), {}),
    "getJobDetails": ((SLUG, 7), {}),
    "cancelJobByJobNumber": ((SLUG, 7), {}),
    "getJobArtifacts": ((SLUG, 7), {}),
    "getTests": ((SLUG, 7), {}),
    # Workflow
    "getWorkflowById": ((ID,), {}),
    "approvePendingApprovalJobById": ((ID, OTHER_ID), {}),
    "cancelWorkflow": ((ID,), {}),
    "listWorkflowJobs": ((ID,), {}),
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
    "getWebhookById": ((ID,), {}),
    "updateWebhook": ((ID,), {"name": "renamed", "verify_tls": False}),
    "deleteWebhook": ((ID,), {}),
    # OIDC Token Management
    "GetOrgClaims": ((ID,), {}),
    "PatchOrgClaims": ((ID,), {"audience": ["sts.amazonaws.com"], "ttl": "1h"}),
    "DeleteOrgClaims": ((ID,), {"claims": ["audience", "ttl"]}),
    "GetProjectClaims": ((ID, OTHER_ID), {}),
    "PatchProjectClaims": ((ID, OTHER_ID), {"ttl": "30m"}),
    "DeleteProjectClaims": ((ID, OTHER_ID), {"claims": ["ttl"]}),
    # Policy Management
    "GetDecisionLogs": (OWNER, {"status": "PASS", "build_number": 4}),
    "MakeDecision": (OWNER, {"input": "version: 2.1", "metadata": {"branch": "main"}}),
    "GetDecisionSettings": (OWNER, {}),
    "SetDecisionSettings": (OWNER, {"enabled": True}),
    "GetDecisionLog": ((*OWNER, OTHER_ID), {}),
    "GetDecisionLogPolicyBundle": ((*OWNER, OTHER_ID), {}),
    "GetPolicyBundle": (OWNER, {}),
    "CreatePolicyBundle": (OWNER, {"policies": {"a.rego": "package org"}, "dry": True}),
    "GetPolicyDocument": ((*OWNER, "a"), {}),
    # Deploy
    "listComponents": ((ID,), {"project_id": OTHER_ID}),
    "getComponent": ((ID,), {}),
    "listComponentVersions": ((ID,), {"environment_id": OTHER_ID}),
    "listEnvironments": ((ID,), {"page_size": 50}),
    "getEnvironment": ((ID,), {}),
    # Pipeline Definition
    "listPipelineDefinitions": ((ID,), {}),
    "createPipelineDefinition": (
        (ID,),
        {
            "name": "build",
            "config_source": ConfigSource.github_app("123", ".circleci/config.yml"),
            "checkout_source": CheckoutSource.github_app("123"),
        },
    ),
    "getPipelineDefinition": ((ID, OTHER_ID), {}),
    "updatePipelineDefinition": (
        (ID, OTHER_ID),
        {"config_source": ConfigSource(file_path=".circleci/other.yml")},
    ),
    "deletePipelineDefinition": ((ID, OTHER_ID), {}),
    # Project
    "createProject": ((ORG,), {"name": "app"}),
    "getProjectBySlug": ((SLUG,), {}),
    "deleteProjectBySlug": ((SLUG,), {}),
    "listCheckoutKeys": ((SLUG,), {"digest": "sha256"}),
    "createCheckoutKey": ((SLUG,), {"type": "deploy-key"}),
    "getCheckoutKey": ((SLUG, "c9:0b:1c:4f"), {}),
    "deleteCheckoutKey": ((SLUG, "c9:0b:1c:4f"), {}),
    "listEnvVars": ((SLUG,), {}),
    "createEnvVar": ((SLUG,), {"name": "FOO", "value": "bar"}),
    "getEnvVar": ((SLUG, "FOO"), {}),
    "deleteEnvVar": ((SLUG, "FOO"), {}),
    "createProject1": ((SLUG,), {}),
    "getProjectSettings": ((SLUG,), {}),
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
    "listPipelineDefinitionTriggers": ((ID, OTHER_ID), {}),
    "createTrigger": (
        (ID, OTHER_ID),
        {"event_source": EventSource.github_app("123"), "event_preset": "all-pushes"},
    ),
    "getTrigger": ((ID, OTHER_ID), {}),
    "updateTrigger": ((ID, OTHER_ID), {"disabled": True}),
    "deleteTrigger": ((ID, OTHER_ID), {}),
    # Usage
    "createUsageExport": (
        (ID,),
        {"start": datetime(2024, 1, 1, tzinfo=UTC), "end": datetime(2024, 1, 31, tzinfo=UTC)},
    ),
    "getUsageExport": ((ID, OTHER_ID), {}),
    # Organization
    "createOrganization": ((), {"name": "acme", "vcs_type": "circleci"}),
    "deleteOrganization": ((ORG,), {}),
    "listURLOrbAllowListEntries": ((ID,), {}),
    "createURLOrbAllowListEntry": (
        (ID,),
        {"name": "ours", "prefix": "https://example.com/orbs/", "auth": "none"},
    ),
    "removeURLOrbAllowListEntry": ((ID, OTHER_ID), {}),
    # Groups
    "getOrganizationGroups": ((ID,), {"limit": 10}),
    "createOrganizationGroup": ((ID,), {"name": "devs", "description": "developers"}),
    "getGroup": ((ID, OTHER_ID), {}),
    "deleteGroup": ((ID, OTHER_ID), {}),
    # Schedule
    "listSchedulesForProject": ((SLUG,), {}),
    "createSchedule": (
        (SLUG,),
        {
            "name": "nightly",
            "timetable": Timetable(per_hour=1, hours_of_day=[3], days_of_week=[Weekday.MON]),
            "attribution_actor": "system",
            "parameters": {"branch": "main"},
        },
    ),
    "getScheduleById": ((ID,), {}),
    "updateSchedule": ((ID,), {"description": "every night"}),
    "deleteScheduleById": ((ID,), {}),
}
