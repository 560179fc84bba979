"""The `usage` service."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from .. import checks as check
from ..endpoints import Endpoint
from ..errors import InvalidArgumentError
from ..models import Accepted, UsageExport, UsageExportStatus
from .base import Service, implements

__all__ = ["UsageService"]

CREATE_EXPORT = Endpoint("createUsageExport", "POST", "/organizations/{org_id}/usage_export_job")
GET_EXPORT = Endpoint(
    "getUsageExport", "GET", "/organizations/{org_id}/usage_export_job/{usage_export_job_id}"
)


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _org_path(org_id: str) -> dict[str, str]:
    return {"org_id": check.format_path_id(org_id, name="org_id")}


class UsageService(Service):
    """Usage exports: an organization's usage data as files to download."""

    name = "usage"

    @implements(CREATE_EXPORT)
    async def create_export(
        self,
        org_id: str,
        *,
        start: datetime | str,
        end: datetime | str,
        shared_org_ids: Sequence[str] | None = None,
        idempotent: bool | None = None,
    ) -> UsageExport | Accepted:
        """Start exporting usage between `start` and `end` (inclusive, at most 32 days).

        `start` may be at most a year ago; `shared_org_ids` adds organizations that share
        this one's plan.
        """
        first = check.moment(start, "start")
        last = check.moment(end, "end")
        if first is not None and last is not None and _instant(last) < _instant(first):
            raise InvalidArgumentError("end must not be before start")
        body = check.drop_none(
            {
                "start": first,
                "end": last,
                "shared_org_ids": check.uuids(shared_org_ids, "shared_org_ids", optional=True),
            }
        )
        return await self._act(
            CREATE_EXPORT, UsageExport, path=_org_path(org_id), body=body, idempotent=idempotent
        )

    @implements(GET_EXPORT)
    async def export(self, org_id: str, usage_export_job_id: str) -> UsageExportStatus:
        """A usage export job; poll it until its state is `completed` or `failed`."""
        path = {
            **_org_path(org_id),
            "usage_export_job_id": check.format_path_id(
                usage_export_job_id, name="usage_export_job_id"
            ),
        }
        return await self._call(GET_EXPORT, UsageExportStatus, path=path)
