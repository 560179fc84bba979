"""Project configuration records: schedules, webhooks, pipeline definitions and triggers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from .records import UserRecord

__all__ = ["PipelineDefinitionRecord", "ScheduleRecord", "TriggerRecord", "WebhookRecord"]


@attrs.define(kw_only=True)
class ScheduleRecord:
    """A schedule that triggers a project's pipelines on a timetable."""

    id: str
    project_slug: str
    name: str
    description: str | None
    timetable: dict[str, Any]
    """As the API spells it: `per-hour`, `hours-of-day`, `days-of-week`, ..."""
    attribution_actor: str
    parameters: dict[str, Any]
    actor: UserRecord
    created_at: datetime
    updated_at: datetime


@attrs.define(kw_only=True)
class WebhookRecord:
    """An outbound webhook of a project."""

    id: str
    name: str
    url: str
    events: list[str]
    verify_tls: bool
    signing_secret: str
    scope_id: str
    scope_type: str
    created_at: datetime
    updated_at: datetime


@attrs.define(kw_only=True)
class PipelineDefinitionRecord:
    """Where a project's pipelines take their config and code from."""

    id: str
    project_id: str
    name: str
    description: str | None
    created_at: datetime
    config_source: dict[str, Any]
    checkout_source: dict[str, Any]


@attrs.define(kw_only=True)
class TriggerRecord:
    """An event source that starts the pipelines of a pipeline definition."""

    id: str
    project_id: str
    definition_id: str
    created_at: datetime
    event_source: dict[str, Any]
    event_preset: str | None = None
    event_name: str | None = None
    checkout_ref: str | None = None
    config_ref: str | None = None
    disabled: bool = False
