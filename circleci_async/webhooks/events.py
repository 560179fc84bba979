"""Typed webhook events, read tolerantly from CircleCI's payloads; pure functions, no I/O.

`parse(body, headers)` returns a `WorkflowCompleted`, a `JobCompleted`, or an `UnknownEvent`
for a type CircleCI adds later. The payloads are open maps: unknown keys are ignored, and a
missing key, a null or a value of the wrong type becomes None (a missing map becomes a ref
whose fields are all None), so no field of a payload can make a parse fail. Unknown statuses
are kept as strings. The whole payload stays in `raw`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from ..jsoncodec import loads
from ..models import JobStatus, WorkflowStatus
from .errors import PayloadError

__all__ = [
    "EVENT_TYPE_HEADER",
    "JOB_COMPLETED",
    "WORKFLOW_COMPLETED",
    "Event",
    "JobCompleted",
    "JobRef",
    "OrganizationRef",
    "PipelineRef",
    "ProjectRef",
    "UnknownEvent",
    "VcsRef",
    "WebhookRef",
    "WorkflowCompleted",
    "WorkflowRef",
    "parse",
    "read_payload",
]

EVENT_TYPE_HEADER = "circleci-event-type"
"""The request header naming the event type."""
WORKFLOW_COMPLETED = "workflow-completed"
JOB_COMPLETED = "job-completed"

_Json = Mapping[str, Any]


def _map(data: _Json, key: str) -> _Json:
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


def _text(data: _Json, key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def _number(data: _Json, key: str) -> int | None:
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _time(data: _Json, key: str) -> datetime | None:
    value = data.get(key)
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _workflow_status(data: _Json) -> WorkflowStatus | None:
    value = _text(data, "status")
    return None if value is None else WorkflowStatus(value)


def _job_status(data: _Json) -> JobStatus | None:
    value = _text(data, "status")
    return None if value is None else JobStatus(value)


@attrs.frozen(kw_only=True)
class WebhookRef:
    """The webhook that sent the event."""

    id: str | None = None
    name: str | None = None

    @classmethod
    def read(cls, data: _Json) -> WebhookRef:
        """From the payload's `webhook` map."""
        return cls(id=_text(data, "id"), name=_text(data, "name"))


@attrs.frozen(kw_only=True)
class ProjectRef:
    """The project of the event."""

    id: str | None = None
    name: str | None = None
    slug: str | None = None

    @classmethod
    def read(cls, data: _Json) -> ProjectRef:
        """From the payload's `project` map."""
        return cls(id=_text(data, "id"), name=_text(data, "name"), slug=_text(data, "slug"))


@attrs.frozen(kw_only=True)
class OrganizationRef:
    """The organization of the event."""

    id: str | None = None
    name: str | None = None

    @classmethod
    def read(cls, data: _Json) -> OrganizationRef:
        """From the payload's `organization` map."""
        return cls(id=_text(data, "id"), name=_text(data, "name"))


@attrs.frozen(kw_only=True)
class WorkflowRef:
    """The workflow of the event; `status` is success, failed, error, canceled, unauthorized."""

    id: str | None = None
    name: str | None = None
    status: WorkflowStatus | None = None
    created_at: datetime | None = None
    stopped_at: datetime | None = None
    url: str | None = None

    @classmethod
    def read(cls, data: _Json) -> WorkflowRef:
        """From the payload's `workflow` map."""
        return cls(
            id=_text(data, "id"),
            name=_text(data, "name"),
            status=_workflow_status(data),
            created_at=_time(data, "created_at"),
            stopped_at=_time(data, "stopped_at"),
            url=_text(data, "url"),
        )


@attrs.frozen(kw_only=True)
class JobRef:
    """The job of a `job-completed` event; `status` is success, failed, canceled, unauthorized."""

    id: str | None = None
    number: int | None = None
    name: str | None = None
    status: JobStatus | None = None
    started_at: datetime | None = None
    stopped_at: datetime | None = None

    @classmethod
    def read(cls, data: _Json) -> JobRef:
        """From the payload's `job` map."""
        return cls(
            id=_text(data, "id"),
            number=_number(data, "number"),
            name=_text(data, "name"),
            status=_job_status(data),
            started_at=_time(data, "started_at"),
            stopped_at=_time(data, "stopped_at"),
        )


@attrs.frozen(kw_only=True)
class VcsRef:
    """What a pipeline of a GitHub OAuth or Bitbucket Cloud project built (`pipeline.vcs`)."""

    provider_name: str | None = None
    origin_repository_url: str | None = None
    target_repository_url: str | None = None
    revision: str | None = None
    branch: str | None = None
    tag: str | None = None
    commit_subject: str | None = None

    @classmethod
    def read(cls, data: _Json) -> VcsRef:
        """From the payload's `pipeline.vcs` map."""
        return cls(
            provider_name=_text(data, "provider_name"),
            origin_repository_url=_text(data, "origin_repository_url"),
            target_repository_url=_text(data, "target_repository_url"),
            revision=_text(data, "revision"),
            branch=_text(data, "branch"),
            tag=_text(data, "tag"),
            commit_subject=_text(_map(data, "commit"), "subject"),
        )


@attrs.frozen(kw_only=True)
class PipelineRef:
    """The pipeline of the event.

    `vcs` is there for GitHub OAuth and Bitbucket Cloud projects; GitLab, GitHub App and
    Bitbucket Data Center projects send `trigger_parameters` instead (kept as a dict).
    """

    id: str | None = None
    number: int | None = None
    created_at: datetime | None = None
    trigger_type: str | None = None
    vcs: VcsRef | None = None
    trigger_parameters: dict[str, Any] | None = None

    @classmethod
    def read(cls, data: _Json) -> PipelineRef:
        """From the payload's `pipeline` map."""
        vcs = data.get("vcs")
        parameters = data.get("trigger_parameters")
        return cls(
            id=_text(data, "id"),
            number=_number(data, "number"),
            created_at=_time(data, "created_at"),
            trigger_type=_text(_map(data, "trigger"), "type"),
            vcs=VcsRef.read(vcs) if isinstance(vcs, Mapping) else None,
            trigger_parameters=dict(parameters) if isinstance(parameters, Mapping) else None,
        )


@attrs.frozen(kw_only=True)
class Event:
    """What every webhook event carries; `raw` is the whole payload as sent."""

    id: str | None = None
    """The event's id, the same in every repeated delivery of it: de-duplicate on it."""
    type: str | None = None
    happened_at: datetime | None = None
    webhook: WebhookRef = WebhookRef()
    project: ProjectRef = ProjectRef()
    organization: OrganizationRef = OrganizationRef()
    pipeline: PipelineRef = PipelineRef()
    raw: dict[str, Any] = attrs.field(factory=dict, eq=False, repr=False)


@attrs.frozen(kw_only=True)
class WorkflowCompleted(Event):
    """A workflow ended (`workflow-completed`)."""

    workflow: WorkflowRef = WorkflowRef()


@attrs.frozen(kw_only=True)
class JobCompleted(Event):
    """A job ended (`job-completed`)."""

    workflow: WorkflowRef = WorkflowRef()
    job: JobRef = JobRef()


@attrs.frozen(kw_only=True)
class UnknownEvent(Event):
    """An event of a type this library does not know yet; read what you need from `raw`."""


def read_payload(body: bytes | str) -> dict[str, Any]:
    """The body as a JSON object, or `PayloadError` saying why it is not one."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    if not data.strip():
        raise PayloadError("the body is empty")
    try:
        payload = loads(data)
    except (ValueError, RecursionError) as error:
        raise PayloadError(f"the body is not JSON: {str(error)[:120]}") from None
    if not isinstance(payload, dict):
        raise PayloadError(f"the body is JSON {type(payload).__name__}, not an object")
    return payload


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if headers is None:
        return None
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def parse(body: bytes | str, headers: Mapping[str, str] | None = None) -> Event:
    """The event a (verified) webhook body holds.

    The type comes from the payload's `type` (the signed part), else from the
    `circleci-event-type` header. Raises `PayloadError` only for a body that is not a JSON
    object; anything inside the object is read tolerantly.
    """
    payload = read_payload(body)
    kind = _text(payload, "type") or _header(headers, EVENT_TYPE_HEADER)
    common: dict[str, Any] = {
        "id": _text(payload, "id"),
        "type": kind,
        "happened_at": _time(payload, "happened_at"),
        "webhook": WebhookRef.read(_map(payload, "webhook")),
        "project": ProjectRef.read(_map(payload, "project")),
        "organization": OrganizationRef.read(_map(payload, "organization")),
        "pipeline": PipelineRef.read(_map(payload, "pipeline")),
        "raw": payload,
    }
    workflow = WorkflowRef.read(_map(payload, "workflow"))
    if kind == WORKFLOW_COMPLETED:
        return WorkflowCompleted(workflow=workflow, **common)
    if kind == JOB_COMPLETED:
        return JobCompleted(workflow=workflow, job=JobRef.read(_map(payload, "job")), **common)
    return UnknownEvent(**common)
