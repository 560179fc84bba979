"""Routing of the API origin: `ROUTES`, one line per spec operation, and the `Router`.

Each route has the spec's method, path template (below `/api/v2`) and operationId, and its
handler (in `handlers`, one module per tag). Where two templates could match one path, the more
specific route comes first. To answer an operation differently in a test, give
`fake.router.replace()` a `Route` of your own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote

import attrs

from .api_context import Handler
from .handlers import (
    contexts,
    definitions,
    deploys,
    groups,
    insights,
    jobs,
    oidc,
    organizations,
    pipeline_runs,
    pipelines,
    policies,
    project_secrets,
    projects,
    schedules,
    triggers,
    usage,
    users,
    webhooks,
    workflows,
)

__all__ = ["API_PREFIX", "ROUTES", "Route", "RouteMatch", "Router", "default_router"]

API_PREFIX = "/api/v2"

_SLUG_PART = r"(?:(?!%2[fF])[^/])+"
_SLUG_SEPARATOR = r"(?:/|%2[fF])"
_SLUG = _SLUG_SEPARATOR.join([_SLUG_PART] * 3)
_SEGMENT = r"[^/]+"
_ORG_SLUG = rf"(?:gh|github|bb|bitbucket|circleci){_SLUG_SEPARATOR}{_SLUG_PART}"
_PATTERNS = {
    "project-slug": _SLUG,
    "org-slug": _ORG_SLUG,
    "org-slug-or-id": rf"(?:{_ORG_SLUG}|{_SEGMENT})",
}
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


@attrs.frozen
class Route:
    """One API operation: method, spec path template (relative to `/api/v2`), operationId.

    `error_key` names the field of its error bodies: `message` for most operations, `error`
    for those of OIDC token management and policy management.
    """

    method: str
    template: str
    operation_id: str
    handler: Handler
    error_key: str = attrs.field(default="message", kw_only=True)
    pattern: re.Pattern[str] = attrs.field(init=False, repr=False, eq=False)
    names: tuple[str, ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "pattern", _compile(self.template))
        object.__setattr__(self, "names", tuple(_PLACEHOLDER.findall(self.template)))

    def match(self, raw_path: str) -> dict[str, str] | None:
        """Decoded path parameters if `raw_path` (percent-encoded) fits the template."""
        found = self.pattern.fullmatch(raw_path)
        if found is None:
            return None
        return {name: unquote(found.group(f"p{i}")) for i, name in enumerate(self.names)}


@attrs.frozen
class RouteMatch:
    """A route and the parameters taken from the path."""

    route: Route
    params: dict[str, str]


class Router:
    """Routes in registration order; the first whose method and template fit wins."""

    def __init__(self, routes: Iterable[Route] = ()) -> None:
        self._routes: list[Route] = []
        for route in routes:
            self.add(route)

    def add(self, route: Route) -> None:
        """Register a route; a second route for the same operationId is refused."""
        if any(existing.operation_id == route.operation_id for existing in self._routes):
            raise ValueError(f"operation {route.operation_id!r} is already routed")
        self._routes.append(route)

    def replace(self, route: Route) -> Route:
        """Serve an already routed operation with `route` instead; return the route it replaces.

        The new route keeps the old one's place in the table, so matching order is unchanged.
        """
        for index, existing in enumerate(self._routes):
            if existing.operation_id == route.operation_id:
                self._routes[index] = route
                return existing
        raise ValueError(f"operation {route.operation_id!r} is not routed")

    @property
    def routes(self) -> tuple[Route, ...]:
        """Registered routes."""
        return tuple(self._routes)

    @property
    def operation_ids(self) -> frozenset[str]:
        """The operationIds the router serves."""
        return frozenset(route.operation_id for route in self._routes)

    def resolve(self, method: str, raw_path: str) -> RouteMatch | None:
        """The route serving `method` on `raw_path` (percent-encoded, below `/api/v2`)."""
        for route in self._routes:
            if route.method != method:
                continue
            params = route.match(raw_path)
            if params is not None:
                return RouteMatch(route, params)
        return None

    def knows_path(self, raw_path: str) -> bool:
        """Whether some route, of any method, fits the path (405 rather than 404)."""
        return any(route.match(raw_path) is not None for route in self._routes)


def _compile(template: str) -> re.Pattern[str]:
    parts: list[str] = []
    last = 0
    for index, found in enumerate(_PLACEHOLDER.finditer(template)):
        parts.append(re.escape(template[last : found.start()]))
        body = _PATTERNS.get(found.group(1), _SEGMENT)
        parts.append(f"(?P<p{index}>{body})")
        last = found.end()
    parts.append(re.escape(template[last:]))
    return re.compile("".join(parts))


_CONTEXT = "/context/{context_id}"
_PROJECT = "/project/{project-slug}"
_BY_PARTS = "/project/{provider}/{organization}/{project}"
_INSIGHTS = "/insights/{project-slug}/workflows/{workflow-name}"
_ORG = "/organization/{org-slug-or-id}"
_ORGS = "/organizations/{org_id}"
_OIDC = "/org/{orgID}"
_POLICY = "/owner/{ownerID}/context/{context}"
_DEFINITIONS = "/projects/{project_id}/pipeline-definitions"
_ERR = "error"

ROUTES: tuple[Route, ...] = (
    # User
    Route("GET", "/me", "getCurrentUser", users.get_current_user),
    Route("GET", "/me/collaborations", "getCollaborations", users.get_collaborations),
    Route("GET", "/user/{id}", "getUser", users.get_user),
    # Project
    Route("GET", _PROJECT, "getProjectBySlug", projects.get_project_by_slug),
    Route("DELETE", _PROJECT, "deleteProjectBySlug", projects.delete_project_by_slug),
    Route("POST", f"{_ORG}/project", "createProject", projects.create_project),
    Route("POST", _BY_PARTS, "createProject1", projects.follow_project),
    Route("GET", f"{_BY_PARTS}/settings", "getProjectSettings", projects.get_project_settings),
    Route("PATCH", f"{_BY_PARTS}/settings", "patchProjectSettings",
          projects.patch_project_settings),
    Route("GET", f"{_PROJECT}/checkout-key", "listCheckoutKeys",
          project_secrets.list_checkout_keys),
    Route("POST", f"{_PROJECT}/checkout-key", "createCheckoutKey",
          project_secrets.create_checkout_key),
    Route("GET", f"{_PROJECT}/checkout-key/{{fingerprint}}", "getCheckoutKey",
          project_secrets.get_checkout_key),
    Route("DELETE", f"{_PROJECT}/checkout-key/{{fingerprint}}", "deleteCheckoutKey",
          project_secrets.delete_checkout_key),
    Route("GET", f"{_PROJECT}/envvar", "listEnvVars", project_secrets.list_env_vars),
    Route("POST", f"{_PROJECT}/envvar", "createEnvVar", project_secrets.create_env_var),
    Route("GET", f"{_PROJECT}/envvar/{{name}}", "getEnvVar", project_secrets.get_env_var),
    Route("DELETE", f"{_PROJECT}/envvar/{{name}}", "deleteEnvVar", project_secrets.delete_env_var),
    # Pipeline
    Route("GET", "/pipeline", "listPipelines", pipelines.list_pipelines),
    Route("POST", "/pipeline/continue", "continuePipeline", pipeline_runs.continue_pipeline),
    Route("GET", "/pipeline/{pipeline-id}", "getPipelineById", pipelines.get_pipeline_by_id),
    Route("GET", "/pipeline/{pipeline-id}/config", "getPipelineConfigById",
          pipeline_runs.get_pipeline_config),
    Route("GET", "/pipeline/{pipeline-id}/values", "getPipelineValuesById",
          pipeline_runs.get_pipeline_values),
    Route("GET", "/pipeline/{pipeline-id}/workflow", "listWorkflowsByPipelineId",
          pipelines.list_workflows_by_pipeline_id),
    Route("GET", f"{_PROJECT}/pipeline", "listPipelinesForProject",
          pipelines.list_pipelines_for_project),
    Route("POST", f"{_PROJECT}/pipeline", "triggerPipeline", pipelines.trigger_pipeline),
    Route("GET", f"{_PROJECT}/pipeline/mine", "listMyPipelines", pipelines.list_my_pipelines),
    Route("GET", f"{_PROJECT}/pipeline/{{pipeline-number}}", "getPipelineByNumber",
          pipelines.get_pipeline_by_number),
    Route("POST", f"{_BY_PARTS}/pipeline/run", "triggerPipelineRun",
          pipeline_runs.trigger_pipeline_run),
    # Workflow
    Route("GET", "/workflow/{id}", "getWorkflowById", workflows.get_workflow_by_id),
    Route("GET", "/workflow/{id}/job", "listWorkflowJobs", workflows.list_workflow_jobs),
    Route("POST", "/workflow/{id}/cancel", "cancelWorkflow", workflows.cancel_workflow),
    Route("POST", "/workflow/{id}/rerun", "rerunWorkflow", workflows.rerun_workflow),
    Route("POST", "/workflow/{id}/approve/{approval_request_id}", "approvePendingApprovalJobById",
          workflows.approve_pending_approval_job),
    # Job
    Route("GET", f"{_PROJECT}/job/{{job-number}}", "getJobDetails", jobs.get_job_details),
    Route("POST", f"{_PROJECT}/job/{{job-number}}/cancel", "cancelJobByJobNumber",
          jobs.cancel_job_by_number),
    Route("POST", "/jobs/{job-id}/cancel", "cancelJobByJobID", jobs.cancel_job_by_id),
    Route("GET", f"{_PROJECT}/{{job-number}}/artifacts", "getJobArtifacts",
          jobs.get_job_artifacts),
    Route("GET", f"{_PROJECT}/{{job-number}}/tests", "getTests", jobs.get_tests),
    # Schedule
    Route("GET", f"{_PROJECT}/schedule", "listSchedulesForProject",
          schedules.list_schedules_for_project),
    Route("POST", f"{_PROJECT}/schedule", "createSchedule", schedules.create_schedule),
    Route("GET", "/schedule/{schedule-id}", "getScheduleById", schedules.get_schedule),
    Route("PATCH", "/schedule/{schedule-id}", "updateSchedule", schedules.update_schedule),
    Route("DELETE", "/schedule/{schedule-id}", "deleteScheduleById", schedules.delete_schedule),
    # Webhook
    Route("GET", "/webhook", "getWebhooks", webhooks.list_webhooks),
    Route("POST", "/webhook", "createWebhook", webhooks.create_webhook),
    Route("GET", "/webhook/{webhook-id}", "getWebhookById", webhooks.get_webhook),
    Route("PUT", "/webhook/{webhook-id}", "updateWebhook", webhooks.update_webhook),
    Route("DELETE", "/webhook/{webhook-id}", "deleteWebhook", webhooks.delete_webhook),
    # Context
    Route("GET", "/context", "listContexts", contexts.list_contexts),
    Route("POST", "/context", "createContext", contexts.create_context),
    Route("GET", _CONTEXT, "getContext", contexts.get_context),
    Route("DELETE", _CONTEXT, "deleteContext", contexts.delete_context),
    Route("GET", f"{_CONTEXT}/environment-variable", "listEnvironmentVariablesFromContext",
          contexts.list_environment_variables),
    Route("PUT", f"{_CONTEXT}/environment-variable/{{env_var_name}}",
          "addEnvironmentVariableToContext", contexts.add_environment_variable),
    Route("DELETE", f"{_CONTEXT}/environment-variable/{{env_var_name}}",
          "deleteEnvironmentVariableFromContext", contexts.delete_environment_variable),
    Route("GET", f"{_CONTEXT}/restrictions", "getContextRestrictions",
          contexts.get_context_restrictions),
    Route("POST", f"{_CONTEXT}/restrictions", "createContextRestriction",
          contexts.create_context_restriction),
    Route("DELETE", f"{_CONTEXT}/restrictions/{{restriction_id}}", "deleteContextRestriction",
          contexts.delete_context_restriction),
    # Organization
    Route("POST", "/organization", "createOrganization", organizations.create_organization),
    Route("DELETE", _ORG, "deleteOrganization", organizations.delete_organization),
    Route("GET", f"{_ORG}/url-orb-allow-list", "listURLOrbAllowListEntries",
          organizations.list_url_orb_allow_list_entries),
    Route("POST", f"{_ORG}/url-orb-allow-list", "createURLOrbAllowListEntry",
          organizations.create_url_orb_allow_list_entry),
    Route("DELETE", f"{_ORG}/url-orb-allow-list/{{allow-list-entry-id}}",
          "removeURLOrbAllowListEntry", organizations.remove_url_orb_allow_list_entry),
    # Groups
    Route("GET", f"{_ORGS}/groups", "getOrganizationGroups", groups.list_groups),
    Route("POST", f"{_ORGS}/groups", "createOrganizationGroup", groups.create_group),
    Route("GET", f"{_ORGS}/groups/{{group_id}}", "getGroup", groups.get_group),
    Route("DELETE", f"{_ORGS}/groups/{{group_id}}", "deleteGroup", groups.delete_group),
    # Usage
    Route("POST", f"{_ORGS}/usage_export_job", "createUsageExport", usage.create_usage_export),
    Route("GET", f"{_ORGS}/usage_export_job/{{usage_export_job_id}}", "getUsageExport",
          usage.get_usage_export),
    # OIDC Token Management
    Route("GET", f"{_OIDC}/oidc-custom-claims", "GetOrgClaims", oidc.get_org_claims,
          error_key=_ERR),
    Route("PATCH", f"{_OIDC}/oidc-custom-claims", "PatchOrgClaims", oidc.patch_org_claims,
          error_key=_ERR),
    Route("DELETE", f"{_OIDC}/oidc-custom-claims", "DeleteOrgClaims", oidc.delete_org_claims,
          error_key=_ERR),
    Route("GET", f"{_OIDC}/project/{{projectID}}/oidc-custom-claims", "GetProjectClaims",
          oidc.get_project_claims, error_key=_ERR),
    Route("PATCH", f"{_OIDC}/project/{{projectID}}/oidc-custom-claims", "PatchProjectClaims",
          oidc.patch_project_claims, error_key=_ERR),
    Route("DELETE", f"{_OIDC}/project/{{projectID}}/oidc-custom-claims", "DeleteProjectClaims",
          oidc.delete_project_claims, error_key=_ERR),
    # Policy Management
    Route("GET", f"{_POLICY}/decision", "GetDecisionLogs", policies.get_decision_logs,
          error_key=_ERR),
    Route("POST", f"{_POLICY}/decision", "MakeDecision", policies.make_decision, error_key=_ERR),
    Route("GET", f"{_POLICY}/decision/settings", "GetDecisionSettings",
          policies.get_decision_settings, error_key=_ERR),
    Route("PATCH", f"{_POLICY}/decision/settings", "SetDecisionSettings",
          policies.set_decision_settings, error_key=_ERR),
    Route("GET", f"{_POLICY}/decision/{{decisionID}}", "GetDecisionLog",
          policies.get_decision_log, error_key=_ERR),
    Route("GET", f"{_POLICY}/decision/{{decisionID}}/policy-bundle",
          "GetDecisionLogPolicyBundle", policies.get_decision_log_policy_bundle, error_key=_ERR),
    Route("GET", f"{_POLICY}/policy-bundle", "GetPolicyBundle", policies.get_policy_bundle,
          error_key=_ERR),
    Route("POST", f"{_POLICY}/policy-bundle", "CreatePolicyBundle",
          policies.create_policy_bundle, error_key=_ERR),
    Route("GET", f"{_POLICY}/policy-bundle/{{policyName}}", "GetPolicyDocument",
          policies.get_policy_document, error_key=_ERR),
    # Pipeline Definition
    Route("GET", _DEFINITIONS, "listPipelineDefinitions", definitions.list_pipeline_definitions),
    Route("POST", _DEFINITIONS, "createPipelineDefinition",
          definitions.create_pipeline_definition),
    Route("GET", f"{_DEFINITIONS}/{{pipeline_definition_id}}", "getPipelineDefinition",
          definitions.get_pipeline_definition),
    Route("PATCH", f"{_DEFINITIONS}/{{pipeline_definition_id}}", "updatePipelineDefinition",
          definitions.update_pipeline_definition),
    Route("DELETE", f"{_DEFINITIONS}/{{pipeline_definition_id}}", "deletePipelineDefinition",
          definitions.delete_pipeline_definition),
    # Trigger
    Route("GET", f"{_DEFINITIONS}/{{pipeline_definition_id}}/triggers",
          "listPipelineDefinitionTriggers", triggers.list_triggers),
    Route("POST", f"{_DEFINITIONS}/{{pipeline_definition_id}}/triggers", "createTrigger",
          triggers.create_trigger),
    Route("GET", "/projects/{project_id}/triggers/{trigger_id}", "getTrigger",
          triggers.get_trigger),
    Route("PATCH", "/projects/{project_id}/triggers/{trigger_id}", "updateTrigger",
          triggers.update_trigger),
    Route("DELETE", "/projects/{project_id}/triggers/{trigger_id}", "deleteTrigger",
          triggers.delete_trigger),
    # Deploy and Rollback
    Route("GET", "/deploy/environments", "listEnvironments", deploys.list_environments),
    Route("GET", "/deploy/environments/{environment_id}", "getEnvironment",
          deploys.get_environment),
    Route("GET", "/deploy/components", "listComponents", deploys.list_components),
    Route("GET", "/deploy/components/{component_id}", "getComponent", deploys.get_component),
    Route("GET", "/deploy/components/{component_id}/versions", "listComponentVersions",
          deploys.list_component_versions),
    Route("POST", "/projects/{project_id}/rollback", "rollbackProject", deploys.rollback_project),
    # Insights
    Route("GET", "/insights/pages/{project-slug}/summary", "getProjectWorkflowsPageData",
          insights.get_project_summary),
    Route("GET", "/insights/time-series/{project-slug}/workflows/{workflow-name}/jobs",
          "getJobTimeseries", insights.get_job_timeseries),
    Route("GET", "/insights/{org-slug}/summary", "getOrgSummaryData", insights.get_org_summary),
    Route("GET", "/insights/{project-slug}/branches", "getAllInsightsBranches",
          insights.get_all_insights_branches),
    Route("GET", "/insights/{project-slug}/flaky-tests", "getFlakyTests",
          insights.get_flaky_tests),
    Route("GET", "/insights/{project-slug}/workflows", "getProjectWorkflowMetrics",
          insights.get_workflow_metrics),
    Route("GET", _INSIGHTS, "getProjectWorkflowRuns", insights.get_workflow_runs),
    Route("GET", f"{_INSIGHTS}/jobs", "getProjectWorkflowJobMetrics",
          insights.get_workflow_job_metrics),
    Route("GET", f"{_INSIGHTS}/summary", "getWorkflowSummary",
          insights.get_workflow_summary),
    Route("GET", f"{_INSIGHTS}/test-metrics", "getProjectWorkflowTestMetrics",
          insights.get_workflow_test_metrics),
)  # fmt: skip
"""Every operation the fake serves, with the spec's method, path template and operationId."""


def default_router() -> Router:
    """A router with every route in `ROUTES`."""
    return Router(ROUTES)
