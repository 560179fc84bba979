"""Triggers: the events that start a pipeline definition's pipelines."""

from __future__ import annotations

from datetime import datetime

from .base import OpenEnum, model
from .pipeline_definitions import SourceRepo

__all__ = ["EventSource", "EventSourceWebhook", "Trigger", "TriggerEventPreset"]


class TriggerEventPreset(OpenEnum):
    """Which events of the source start a pipeline."""

    ALL_PUSHES = "all-pushes"
    ONLY_TAGS = "only-tags"
    DEFAULT_BRANCH_PUSHES = "default-branch-pushes"
    ONLY_BUILD_PRS = "only-build-prs"
    ONLY_OPEN_PRS = "only-open-prs"
    ONLY_LABELED_PRS = "only-labeled-prs"
    ONLY_MERGED_PRS = "only-merged-prs"
    ONLY_READY_FOR_REVIEW_PRS = "only-ready-for-review-prs"
    ONLY_BRANCH_DELETE = "only-branch-delete"
    ONLY_BUILD_PUSHES_TO_NON_DRAFT_PRS = "only-build-pushes-to-non-draft-prs"
    ONLY_MERGED_OR_CLOSED_PRS = "only-merged-or-closed-prs"


@model
class EventSourceWebhook:
    """The inbound webhook of a trigger: its URL and the name of its sender."""

    url: str | None = None
    sender: str | None = None


@model
class EventSource:
    """Where a trigger's events come from; also what `triggers.create()` takes.

    Use `EventSource.github_app(repo_id)` or `EventSource.inbound_webhook(sender)` to create one.
    """

    provider: str | None = None
    repo: SourceRepo | None = None
    webhook: EventSourceWebhook | None = None

    @classmethod
    def github_app(cls, repo_id: str) -> EventSource:
        """Events of a GitHub App repository."""
        return cls(provider="github_app", repo=SourceRepo(external_id=repo_id))

    @classmethod
    def inbound_webhook(cls, sender: str | None = None) -> EventSource:
        """Events posted to an inbound webhook, optionally naming their sender."""
        return cls(provider="webhook", webhook=EventSourceWebhook(sender=sender))


@model
class Trigger:
    """A trigger of a pipeline definition."""

    id: str | None = None
    event_name: str | None = None
    created_at: datetime | None = None
    event_source: EventSource | None = None
    event_preset: TriggerEventPreset | None = None
    checkout_ref: str | None = None
    config_ref: str | None = None
    disabled: bool | None = None
