"""Pipelines and what triggering one returns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .base import OpenEnum, model

__all__ = [
    "Pipeline",
    "PipelineActor",
    "PipelineCommit",
    "PipelineCreation",
    "PipelineError",
    "PipelineErrorType",
    "PipelineState",
    "PipelineTrigger",
    "PipelineVcs",
    "TriggerType",
]


class PipelineState(OpenEnum):
    """Where a pipeline is in its life; unknown values are kept."""

    CREATED = "created"
    ERRORED = "errored"
    SETUP_PENDING = "setup-pending"
    SETUP = "setup"
    PENDING = "pending"


class PipelineErrorType(OpenEnum):
    """The kind of a pipeline error."""

    CONFIG = "config"
    INVALID_TRIGGER_SETUP = "invalid-trigger-setup"
    CONFIG_FETCH = "config-fetch"
    TIMEOUT = "timeout"
    PERMISSION = "permission"
    OTHER = "other"
    TRIGGER_RULE = "trigger-rule"
    PLAN = "plan"


class TriggerType(OpenEnum):
    """What started a pipeline."""

    SCHEDULED_PIPELINE = "scheduled_pipeline"
    EXPLICIT = "explicit"
    API = "api"
    WEBHOOK = "webhook"


@model
class PipelineError:
    """One error that kept a pipeline from running."""

    type: PipelineErrorType
    message: str


@model
class PipelineActor:
    """Who triggered a pipeline."""

    login: str
    avatar_url: str | None = None


@model
class PipelineTrigger:
    """How and when a pipeline was triggered."""

    type: TriggerType
    received_at: datetime
    actor: PipelineActor


@model
class PipelineCommit:
    """The commit a pipeline built."""

    subject: str | None = None
    body: str | None = None


@model
class PipelineVcs:
    """Version-control facts of a pipeline: repository, branch or tag, revision."""

    provider_name: str
    target_repository_url: str
    origin_repository_url: str
    revision: str | None = None
    branch: str | None = None
    tag: str | None = None
    review_id: str | None = None
    review_url: str | None = None
    commit: PipelineCommit | None = None


@model
class Pipeline:
    """A pipeline (`GET /pipeline/{pipeline-id}` and the pipeline lists)."""

    id: str
    number: int
    project_slug: str
    state: PipelineState
    created_at: datetime
    trigger: PipelineTrigger
    errors: list[PipelineError]
    updated_at: datetime | None = None
    trigger_parameters: dict[str, Any] | None = None
    vcs: PipelineVcs | None = None


@model
class PipelineCreation:
    """The answer to triggering a pipeline: its id, number and first state."""

    id: str
    number: int
    state: PipelineState
    created_at: datetime
