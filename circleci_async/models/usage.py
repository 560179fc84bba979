"""Usage exports: an organization's usage data as downloadable files."""

from __future__ import annotations

from datetime import datetime

from .base import OpenEnum, model

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
    state: UsageExportState
    start: datetime
    end: datetime
    download_urls: list[str]


@model
class UsageExportStatus:
    """A usage export job; `download_urls` fill in once it has completed."""

    usage_export_job_id: str
    state: UsageExportState
    download_urls: list[str]
    error_reason: str | None = None
