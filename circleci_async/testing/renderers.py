"""Every JSON body the fake's API sends for a record, shaped like the spec's schemas.

One `<record>_json` function per record type; handlers only choose what to render.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from .context_records import ContextEnvVar, ContextRecord, ContextRestrictionRecord
from .deploy_records import ComponentRecord, ComponentVersionRecord, EnvironmentRecord
from .org_records import (
    GroupRecord,
    OidcClaimsRecord,
    OrganizationRecord,
    UrlOrbEntry,
    UsageExportRecord,
)
from .policy_records import DecisionLogRecord, PolicyRecord
from .project_config_records import (
    PipelineDefinitionRecord,
    ScheduleRecord,
    TriggerRecord,
    WebhookRecord,
)
from .records import (
    ArtifactRecord,
    CheckoutKeyRecord,
    JobRecord,
    PipelineRecord,
    ProjectEnvVar,
    ProjectRecord,
    TestResultRecord,
    UserRecord,
    WorkflowRecord,
)

__all__ = [
    "JsonObject",
    "artifact_json",
    "case_result_json",
    "checkout_key_json",
    "collaboration_json",
    "component_json",
    "component_version_json",
    "context_json",
    "context_restriction_json",
    "context_variable_json",
    "decision_log_json",
    "definition_json",
    "definition_source_json",
    "environment_json",
    "group_json",
    "job_details_json",
    "job_item_json",
    "labels_json",
    "oidc_claims_json",
    "pipeline_creation_json",
    "pipeline_json",
    "policy_bundle_json",
    "policy_json",
    "project_env_var_json",
    "project_json",
    "repo_json",
    "rfc3339",
    "schedule_json",
    "trigger_json",
    "url_orb_entry_json",
    "usage_export_json",
    "user_json",
    "web_url",
    "webhook_json",
    "workflow_json",
]

JsonObject = dict[str, Any]
"""A JSON object as the fake sends it."""

_WEB_VCS = {"gh": "github", "bb": "bitbucket"}


def rfc3339(moment: datetime) -> str:
    """Format like CircleCI: UTC, milliseconds, `Z` suffix."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime; the fake only stores timezone-aware times")
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.removesuffix("+00:00") + "Z"


def _maybe(moment: datetime | None) -> str | None:
    return None if moment is None else rfc3339(moment)


def web_url(job: JobRecord, pipeline: PipelineRecord) -> str:
    """The job's page in the CircleCI web app."""
    vcs, _, rest = job.project_slug.partition("/")
    return (
        f"https://app.circleci.com/pipelines/{_WEB_VCS.get(vcs, vcs)}/{rest}/{pipeline.number}"
        f"/workflows/{job.workflow_id}/jobs/{job.number}"
    )


def user_json(user: UserRecord) -> JsonObject:
    """Body of getCurrentUser."""
    return {"id": user.id, "login": user.login, "name": user.name, "avatar_url": user.avatar_url}


def project_json(project: ProjectRecord) -> JsonObject:
    """Body of getProjectBySlug."""
    return {
        "slug": project.slug,
        "name": project.name,
        "id": project.id,
        "organization_name": project.organization_name,
        "organization_slug": project.organization_slug,
        "organization_id": project.organization_id,
        "vcs_info": {
            "vcs_url": project.vcs_url,
            "provider": project.provider,
            "default_branch": project.default_branch,
        },
    }


def pipeline_json(pipeline: PipelineRecord, project: ProjectRecord) -> JsonObject:
    """A pipeline as getPipelineById and the pipeline lists return it."""
    vcs: JsonObject = {
        "provider_name": project.provider,
        "origin_repository_url": project.vcs_url,
        "target_repository_url": project.vcs_url,
        "revision": pipeline.revision,
        "commit": {"subject": pipeline.commit_subject, "body": pipeline.commit_body},
    }
    if pipeline.branch is not None:
        vcs["branch"] = pipeline.branch
    if pipeline.tag is not None:
        vcs["tag"] = pipeline.tag
    body: JsonObject = {
        "id": pipeline.id,
        "errors": [dict(error) for error in pipeline.errors],
        "project_slug": pipeline.project_slug,
        "updated_at": rfc3339(pipeline.updated_at),
        "number": pipeline.number,
        "state": pipeline.state,
        "created_at": rfc3339(pipeline.created_at),
        "trigger": {
            "type": pipeline.trigger_type,
            "received_at": rfc3339(pipeline.created_at),
            "actor": {"login": pipeline.actor.login, "avatar_url": pipeline.actor.avatar_url},
        },
        "vcs": vcs,
    }
    if pipeline.parameters:
        body["trigger_parameters"] = dict(pipeline.parameters)
    return body


def pipeline_creation_json(pipeline: PipelineRecord) -> JsonObject:
    """Body of triggerPipeline's 201."""
    return {
        "id": pipeline.id,
        "state": pipeline.state,
        "number": pipeline.number,
        "created_at": rfc3339(pipeline.created_at),
    }


def workflow_json(workflow: WorkflowRecord) -> JsonObject:
    """A workflow as getWorkflowById and listWorkflowsByPipelineId return it."""
    body: JsonObject = {
        "pipeline_id": workflow.pipeline_id,
        "id": workflow.id,
        "name": workflow.name,
        "project_slug": workflow.project_slug,
        "status": workflow.status,
        "started_by": workflow.started_by,
        "pipeline_number": workflow.pipeline_number,
        "created_at": rfc3339(workflow.created_at),
        "stopped_at": _maybe(workflow.stopped_at),
    }
    if workflow.tag is not None:
        body["tag"] = workflow.tag
    if workflow.canceled_by is not None:
        body["canceled_by"] = workflow.canceled_by
    return body


def job_item_json(job: JobRecord) -> JsonObject:
    """A job as listWorkflowJobs returns it (`started_at` null when it never started)."""
    body: JsonObject = {
        "dependencies": list(job.dependencies),
        "id": job.id,
        "started_at": _maybe(job.started_at),
        "name": job.name,
        "project_slug": job.project_slug,
        "status": job.status,
        "type": job.type,
        "stopped_at": _maybe(job.stopped_at),
    }
    if job.number is not None:
        body["job_number"] = job.number
    if job.approval_request_id is not None:
        body["approval_request_id"] = job.approval_request_id
    for key in ("canceled_by", "approved_by"):
        value = getattr(job, key)
        if value is not None:
            body[key] = value
    return body


def job_details_json(
    job: JobRecord, project: ProjectRecord, workflow: WorkflowRecord, pipeline: PipelineRecord
) -> JsonObject:
    """Body of getJobDetails (`started_at` null when the job never started)."""
    return {
        "web_url": web_url(job, pipeline),
        "project": {
            "id": project.id,
            "slug": project.slug,
            "name": project.name,
            "external_url": project.vcs_url,
        },
        "parallel_runs": [{"index": i, "status": job.status} for i in range(job.parallelism)],
        "started_at": _maybe(job.started_at),
        "latest_workflow": {"id": workflow.id, "name": workflow.name},
        "name": job.name,
        "executor": {"resource_class": job.resource_class, "type": job.executor_type},
        "parallelism": job.parallelism,
        "status": job.status,
        "number": job.number,
        "pipeline": {"id": pipeline.id},
        "duration": job.duration_ms,
        "created_at": rfc3339(job.created_at),
        "messages": [],
        "contexts": [],
        "organization": {"name": project.organization_name},
        "queued_at": rfc3339(job.queued_at),
        "stopped_at": _maybe(job.stopped_at),
    }


def artifact_json(artifact: ArtifactRecord, url: str) -> JsonObject:
    """An item of getJobArtifacts."""
    return {"path": artifact.path, "node_index": artifact.node_index, "url": url}


def case_result_json(test: TestResultRecord) -> JsonObject:
    """An item of getTests."""
    return {
        "message": test.message,
        "source": test.source,
        "run_time": test.run_time,
        "file": test.file,
        "result": test.result,
        "name": test.name,
        "classname": test.classname,
    }


def context_json(context: ContextRecord) -> JsonObject:
    """A context."""
    return {"id": context.id, "name": context.name, "created_at": rfc3339(context.created_at)}


def context_variable_json(context: ContextRecord, variable: ContextEnvVar) -> JsonObject:
    """An environment variable of a context (no value)."""
    return {
        "variable": variable.name,
        "created_at": rfc3339(variable.created_at),
        "updated_at": rfc3339(variable.updated_at),
        "context_id": context.id,
    }


def context_restriction_json(restriction: ContextRestrictionRecord) -> JsonObject:
    """A restriction of a context."""
    body: JsonObject = {
        "id": restriction.id,
        "name": restriction.name,
        "restriction_type": restriction.restriction_type,
        "restriction_value": restriction.restriction_value,
    }
    if restriction.restriction_type == "project":
        body["project_id"] = restriction.restriction_value
    return body


def repo_json(project: ProjectRecord, repo: dict[str, Any]) -> JsonObject:
    """A source's `repo` as answered: its external id and the project repository's full name."""
    return {**repo, "full_name": urlsplit(project.vcs_url).path.strip("/")}


def definition_source_json(project: ProjectRecord, source: dict[str, Any]) -> JsonObject:
    """A pipeline definition's config or checkout source."""
    body = dict(source)
    if "repo" in body:
        body["repo"] = repo_json(project, body["repo"])
    return body


def definition_json(project: ProjectRecord, item: PipelineDefinitionRecord) -> JsonObject:
    """A pipeline definition."""
    body: JsonObject = {
        "id": item.id,
        "name": item.name,
        "created_at": rfc3339(item.created_at),
        "config_source": definition_source_json(project, item.config_source),
        "checkout_source": definition_source_json(project, item.checkout_source),
    }
    if item.description is not None:
        body["description"] = item.description
    return body


def labels_json(labels: Mapping[str, str]) -> list[JsonObject]:
    """Deploy labels as `[{key, value}]`."""
    return [{"key": key, "value": value} for key, value in labels.items()]


def environment_json(environment: EnvironmentRecord) -> JsonObject:
    """A deploy environment."""
    body: JsonObject = {
        "id": environment.id,
        "name": environment.name,
        "labels": labels_json(environment.labels),
        "created_at": rfc3339(environment.created_at),
        "updated_at": rfc3339(environment.updated_at),
    }
    if environment.description is not None:
        body["description"] = environment.description
    return body


def component_json(component: ComponentRecord) -> JsonObject:
    """A deploy component."""
    return {
        "id": component.id,
        "name": component.name,
        "project_id": component.project_id,
        "labels": labels_json(component.labels),
        "release_count": len(component.versions),
        "created_at": rfc3339(component.created_at),
        "updated_at": rfc3339(component.updated_at),
    }


def component_version_json(version: ComponentVersionRecord) -> JsonObject:
    """A version of a deploy component."""
    body: JsonObject = {
        "name": version.name,
        "environment_id": version.environment_id,
        "namespace": version.namespace,
        "is_live": version.is_live,
        "last_deployed_at": rfc3339(version.last_deployed_at),
    }
    for key in ("pipeline_id", "workflow_id", "job_id", "job_number"):
        value = getattr(version, key)
        if value is not None:
            body[key] = value
    return body


def group_json(group: GroupRecord) -> JsonObject:
    """An organization's group."""
    body: JsonObject = {"id": group.id, "name": group.name}
    if group.description is not None:
        body["description"] = group.description
    return body


def oidc_claims_json(claims: OidcClaimsRecord) -> JsonObject:
    """The custom OIDC claims of an organization or project."""
    body: JsonObject = {"org_id": claims.org_id}
    if claims.project_id is not None:
        body["project_id"] = claims.project_id
    if claims.audience is not None and claims.audience_updated_at is not None:
        body["audience"] = list(claims.audience)
        body["audience_updated_at"] = rfc3339(claims.audience_updated_at)
    if claims.ttl is not None and claims.ttl_updated_at is not None:
        body["ttl"] = claims.ttl
        body["ttl_updated_at"] = rfc3339(claims.ttl_updated_at)
    return body


def url_orb_entry_json(entry: UrlOrbEntry) -> JsonObject:
    """An entry of the URL-orb allow-list."""
    return {"id": entry.id, "name": entry.name, "prefix": entry.prefix, "auth": entry.auth}


def policy_json(policy: PolicyRecord) -> JsonObject:
    """A policy document."""
    return {
        "name": policy.name,
        "content": policy.content,
        "created_at": rfc3339(policy.created_at),
        "created_by": policy.created_by,
    }


def policy_bundle_json(bundle: dict[str, PolicyRecord]) -> JsonObject:
    """A policy bundle: each name with its one document."""
    return {name: [policy_json(policy)] for name, policy in sorted(bundle.items())}


def decision_log_json(log: DecisionLogRecord) -> JsonObject:
    """A decision log entry."""
    return {
        "id": log.id,
        "created_at": rfc3339(log.created_at),
        "decision": log.decision,
        "metadata": log.metadata,
        "policies": {
            name: hashlib.sha512(policy.content.encode()).hexdigest()
            for name, policy in sorted(log.bundle.items())
        },
        "time_taken_ms": log.time_taken_ms,
    }


def checkout_key_json(key: CheckoutKeyRecord, project: ProjectRecord, digest: str) -> JsonObject:
    """A checkout key, with its fingerprint in `digest`."""
    return {
        "public-key": key.public_key,
        "type": key.type,
        "fingerprint": key.sha256 if digest == "sha256" else key.md5,
        "preferred": key is _preferred(project),
        "created-at": rfc3339(key.created_at),
    }


def project_env_var_json(variable: ProjectEnvVar) -> JsonObject:
    """A project environment variable (value masked)."""
    return {
        "name": variable.name,
        "value": variable.masked,
        "created-at": rfc3339(variable.created_at),
    }


def schedule_json(schedule: ScheduleRecord) -> JsonObject:
    """A schedule."""
    return {
        "id": schedule.id,
        "name": schedule.name,
        "description": schedule.description,
        "timetable": dict(schedule.timetable),
        "project-slug": schedule.project_slug,
        "actor": user_json(schedule.actor),
        "created-at": rfc3339(schedule.created_at),
        "updated-at": rfc3339(schedule.updated_at),
        "parameters": dict(schedule.parameters),
    }


def trigger_json(project: ProjectRecord, trigger: TriggerRecord) -> JsonObject:
    """A trigger of a pipeline definition."""
    source = dict(trigger.event_source)
    if "repo" in source:
        source["repo"] = repo_json(project, source["repo"])
    body: JsonObject = {
        "id": trigger.id,
        "created_at": rfc3339(trigger.created_at),
        "event_source": source,
        "disabled": trigger.disabled,
    }
    for key in ("event_name", "event_preset", "checkout_ref", "config_ref"):
        value = getattr(trigger, key)
        if value is not None:
            body[key] = value
    return body


def usage_export_json(job: UsageExportRecord) -> JsonObject:
    """A usage export job."""
    body: JsonObject = {
        "usage_export_job_id": job.id,
        "state": job.state,
        "download_urls": list(job.download_urls),
    }
    if job.error_reason is not None:
        body["error_reason"] = job.error_reason
    return body


def collaboration_json(organization: OrganizationRecord) -> JsonObject:
    """An item of getCollaborations."""
    return {
        "id": organization.id,
        "vcs-type": organization.vcs_type,
        "name": organization.name,
        "avatar_url": organization.avatar_url,
        "slug": organization.slug,
    }


def webhook_json(webhook: WebhookRecord) -> JsonObject:
    """An outbound webhook (no secret)."""
    return {
        "id": webhook.id,
        "name": webhook.name,
        "url": webhook.url,
        "events": list(webhook.events),
        "verify-tls": webhook.verify_tls,
        "signing-secret": "****" + webhook.signing_secret[-4:],
        "scope": {"id": webhook.scope_id, "type": webhook.scope_type},
        "created-at": rfc3339(webhook.created_at),
        "updated-at": rfc3339(webhook.updated_at),
    }


def _preferred(project: ProjectRecord) -> CheckoutKeyRecord | None:
    """The key CircleCI checks out with: the newest user key, else the oldest deploy key."""
    users = [key for key in project.checkout_keys if key.type == "github-user-key"]
    if users:
        return users[-1]
    return project.checkout_keys[0] if project.checkout_keys else None
