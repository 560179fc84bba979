"""Outbound webhooks."""

from __future__ import annotations

from datetime import datetime

from .base import EXPECTED, EXPECTED_LIST, OpenEnum, model, wire

__all__ = ["Webhook", "WebhookEvent", "WebhookScope", "WebhookScopeType"]


class WebhookEvent(OpenEnum):
    """An event that sends a webhook."""

    WORKFLOW_COMPLETED = "workflow-completed"
    JOB_COMPLETED = "job-completed"


class WebhookScopeType(OpenEnum):
    """What a webhook is attached to; only projects for now."""

    PROJECT = "project"


@model
class WebhookScope:
    """What a webhook is attached to."""

    id: str | None = EXPECTED
    type: str | None = EXPECTED


@model
class Webhook:
    """An outbound webhook."""

    id: str
    name: str | None = EXPECTED
    url: str | None = EXPECTED
    events: list[WebhookEvent] = EXPECTED_LIST
    scope: WebhookScope | None = EXPECTED
    verify_tls: bool | None = wire("verify-tls", default=EXPECTED)
    signing_secret: str | None = wire("signing-secret", default=EXPECTED)
    """Masked by CircleCI in its answers."""
    created_at: datetime | None = wire("created-at", default=EXPECTED)
    updated_at: datetime | None = wire("updated-at", default=EXPECTED)
