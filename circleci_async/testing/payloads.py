"""The JSON bodies the API returns for each record, shaped like the spec's schemas."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .records import (
    ArtifactRecord,
    JobRecord,
    PipelineRecord,
    ProjectRecord,
    TestResultRecord,
    UserRecord,
    WorkflowRecord,
)

__all__ = [
    "JsonObject",
    "artifact_json",
    "case_result_json",
    "job_details_json",
    "job_item_json",
    "pipeline_creation_json",
    "pipeline_json",
    "project_json",
    "rfc3339",
    "user_json",
    "web_url",
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
