"""Outbound webhooks."""

from __future__ import annotations

from datetime import datetime

from .base import OpenEnum, model, wire

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

    id: str
    type: str


@model
class Webhook:
    """An outbound webhook."""

    id: str
    name: str
    url: str
    events: list[WebhookEvent]
    scope: WebhookScope
    verify_tls: bool = wire("verify-tls")
    signing_secret: str = wire("signing-secret")
    """Masked by CircleCI in its answers."""
    created_at: datetime = wire("created-at")
    updated_at: datetime = wire("updated-at")
