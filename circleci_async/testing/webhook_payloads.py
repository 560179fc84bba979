"""The bodies of the webhooks the fake sends, shaped like CircleCI's documented payloads."""

from __future__ import annotations

from datetime import datetime

from .project_config_records import WebhookRecord
from .records import JobRecord, PipelineRecord, ProjectRecord, WorkflowRecord
from .renderers import JsonObject, rfc3339

__all__ = ["event_payload", "workflow_web_url"]

_WEB_VCS = {"gh": "github", "bb": "bitbucket"}
_PROVIDER_NAMES = {"GitHub": "github", "Bitbucket": "bitbucket"}


def _maybe(moment: datetime | None) -> str | None:
    return None if moment is None else rfc3339(moment)


def workflow_web_url(workflow: WorkflowRecord) -> str:
    """The workflow's page in the CircleCI web app."""
    vcs, _, rest = workflow.project_slug.partition("/")
    return (
        f"https://app.circleci.com/pipelines/{_WEB_VCS.get(vcs, vcs)}/{rest}"
        f"/{workflow.pipeline_number}/workflows/{workflow.id}"
    )


def _pipeline(pipeline: PipelineRecord, project: ProjectRecord) -> JsonObject:
    body: JsonObject = {
        "id": pipeline.id,
        "number": pipeline.number,
        "created_at": rfc3339(pipeline.created_at),
        "trigger": {"type": pipeline.trigger_type},
    }
    if project.provider == "CircleCI":
        git: JsonObject = {"repo_url": project.vcs_url, "checkout_sha": pipeline.revision}
        if pipeline.branch is not None:
            git["branch"] = pipeline.branch
        if pipeline.tag is not None:
            git["tag"] = pipeline.tag
        body["trigger_parameters"] = {
            "circleci": {
                "event_time": rfc3339(pipeline.created_at),
                "event_type": pipeline.trigger_type,
                "trigger_type": "api" if pipeline.trigger_type == "api" else "webhook",
                "actor_id": pipeline.actor.id,
            },
            "git": git,
        }
        return body
    person = {"name": pipeline.actor.name, "email": f"{pipeline.actor.login}@example.com"}
    vcs: JsonObject = {
        "provider_name": _PROVIDER_NAMES.get(project.provider, project.provider.lower()),
        "origin_repository_url": project.vcs_url,
        "target_repository_url": project.vcs_url,
        "revision": pipeline.revision,
        "commit": {
            "subject": pipeline.commit_subject,
            "body": pipeline.commit_body or "",
            "author": person,
            "authored_at": rfc3339(pipeline.created_at),
            "committer": person,
            "committed_at": rfc3339(pipeline.created_at),
        },
    }
    if pipeline.branch is not None:
        vcs["branch"] = pipeline.branch
    if pipeline.tag is not None:
        vcs["tag"] = pipeline.tag
    body["vcs"] = vcs
    return body


def event_payload(
    *,
    event_id: str,
    webhook: WebhookRecord,
    project: ProjectRecord,
    pipeline: PipelineRecord,
    workflow: WorkflowRecord,
    job: JobRecord | None,
    happened_at: datetime,
) -> JsonObject:
    """A `workflow-completed` body (no `job`) or a `job-completed` one."""
    body: JsonObject = {
        "id": event_id,
        "type": "workflow-completed" if job is None else "job-completed",
        "happened_at": rfc3339(happened_at),
        "webhook": {"id": webhook.id, "name": webhook.name},
        "project": {"id": project.id, "name": project.name, "slug": project.slug},
        "organization": {"id": project.organization_id, "name": project.organization_name},
        "workflow": {
            "id": workflow.id,
            "name": workflow.name,
            "status": workflow.status,
            "created_at": rfc3339(workflow.created_at),
            "stopped_at": _maybe(workflow.stopped_at),
            "url": workflow_web_url(workflow),
        },
        "pipeline": _pipeline(pipeline, project),
    }
    if job is not None:
        body["job"] = {
            "id": job.id,
            "number": job.number,
            "name": job.name,
            "status": job.status,
            "started_at": _maybe(job.started_at),
            "stopped_at": _maybe(job.stopped_at),
        }
    return body
