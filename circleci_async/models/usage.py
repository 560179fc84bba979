"""Usage exports: an organization's usage data as downloadable files."""

from __future__ import annotations

from datetime import datetime

from .base import EXPECTED, EXPECTED_LIST, OpenEnum, model

__all__ = ["UsageExport", "UsageExportState", "UsageExportStatus"]


class UsageExportState(OpenEnum):
    """Where a usage export job is."""

    CREATED = "created"
    PROCESSING = "processing"
    FAILED = "failed"
    COMPLETED = "completed"


@model
class UsageExport:
    """A usage export job that was just created."""

    usage_export_job_id: str
    state: UsageExportState | None = EXPECTED
    start: datetime | None = EXPECTED
    end: datetime | None = EXPECTED
    download_urls: list[str] = EXPECTED_LIST


@model
class UsageExportStatus:
    """A usage export job; `download_urls` fill in once it has completed."""

    usage_export_job_id: str
    state: UsageExportState | None = EXPECTED
    download_urls: list[str] = EXPECTED_LIST
    error_reason: str | None = None
