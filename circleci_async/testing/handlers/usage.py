"""Handlers of the Usage tag: usage export jobs of an organization.

A job moves on one state per poll: `created` → `processing` → `completed`, with one
download URL for the organization and one per shared organization; a shared organization the
fake does not know makes it end `failed` instead, with an `error_reason`.
"""

from __future__ import annotations

from datetime import timedelta

from ..api_context import ApiContext, ApiError
from ..org_records import OrganizationRecord, UsageExportRecord
from ..renderers import JsonObject, rfc3339, usage_export_json
from ..replies import Reply
from ..store import is_uuid
from .bodies import Body
from .lookups import found, organization

__all__ = ["MAX_WINDOW", "create_usage_export", "get_usage_export"]

MAX_WINDOW = timedelta(days=32)
"""The longest time an export may span (the spec's "max date window")."""
_HISTORY = timedelta(days=396)
"""How far back an export may start (13 months of data are kept)."""
_DOWNLOADS = "https://fake-usage-exports.circleci.com"


def _advance(ctx: ApiContext, org: OrganizationRecord, job: UsageExportRecord) -> None:
    if job.state == "created":
        job.state = "processing"
    elif job.state == "processing":
        strangers = [i for i in job.shared_org_ids if i not in ctx.state.organizations]
        if strangers:
            job.state = "failed"
            job.error_reason = f"Organization {strangers[0]} does not share a plan with {org.id}."
            return
        job.state = "completed"
        owners = [org.id, *job.shared_org_ids]
        job.download_urls = [
            f"{_DOWNLOADS}/{job.id}/usage-{index}-{owner}.csv.gz"
            for index, owner in enumerate(owners, start=1)
        ]


async def create_usage_export(ctx: ApiContext) -> Reply:
    """POST /organizations/{org_id}/usage_export_job: 201 with the job, state `created`."""
    org = organization(ctx, "org_id")
    body = await Body.read(ctx, fields=("start", "end", "shared_org_ids"))
    start, end = body.need_moment("start"), body.need_moment("end")
    if end < start:
        raise ApiError(400, "end must not be before start.")
    if end - start > MAX_WINDOW:
        raise ApiError(400, "An export may span 32 days at most.")
    if start < ctx.state.now() - _HISTORY:
        raise ApiError(400, "start must be within the last 13 months.")
    shared = body.strings("shared_org_ids") or []
    if not all(is_uuid(org_id) for org_id in shared):
        raise ApiError(400, "shared_org_ids must hold organization ids (UUIDs).")
    job = UsageExportRecord(id=ctx.state.new_id(), start=start, end=end, shared_org_ids=shared)
    org.usage_exports[job.id] = job
    body_json: JsonObject = {
        "usage_export_job_id": job.id,
        "state": job.state,
        "start": rfc3339(start),
        "end": rfc3339(end),
        "download_urls": [],
    }
    return Reply.json(201, body_json)


async def get_usage_export(ctx: ApiContext) -> Reply:
    """GET /organizations/{org_id}/usage_export_job/{usage_export_job_id}: one step further."""
    org = organization(ctx, "org_id")
    job = found(org.usage_exports.get(ctx.params["usage_export_job_id"]), "Usage export job")
    _advance(ctx, org, job)
    return Reply.json(200, usage_export_json(job))
