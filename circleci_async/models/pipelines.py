"""Pipelines, their configuration, and what triggering one returns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .base import EXPECTED, EXPECTED_LIST, OpenEnum, model, wire

__all__ = [
    "Pipeline",
    "PipelineActor",
    "PipelineCommit",
    "PipelineConfig",
    "PipelineCreation",
    "PipelineError",
    "PipelineErrorType",
    "PipelineNotTriggered",
    "PipelineRun",
    "PipelineState",
    "PipelineTrigger",
    "PipelineVcs",
    "TriggerType",
    "TriggeredPipeline",
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
    SCHEDULE = "schedule"
    """Not in the spec: what most recorded answers of scheduled pipelines carry (see
    `spec_fixes.ENUM_VALUES_SEEN`)."""


@model
class PipelineError:
    """One error that kept a pipeline from running."""

    type: PipelineErrorType | None = EXPECTED
    message: str | None = EXPECTED


@model
class PipelineActor:
    """Who triggered a pipeline."""

    login: str | None = EXPECTED
    avatar_url: str | None = None


@model
class PipelineTrigger:
    """How and when a pipeline was triggered."""

    type: TriggerType | None = EXPECTED
    received_at: datetime | None = EXPECTED
    actor: PipelineActor | None = EXPECTED


@model
class PipelineCommit:
    """The commit a pipeline built."""

    subject: str | None = None
    body: str | None = None


@model
class PipelineVcs:
    """Version-control facts of a pipeline: repository, branch or tag, revision."""

    provider_name: str | None = EXPECTED
    target_repository_url: str | None = EXPECTED
    origin_repository_url: str | None = EXPECTED
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
    project_slug: str | None = EXPECTED
    state: PipelineState | None = EXPECTED
    created_at: datetime | None = EXPECTED
    trigger: PipelineTrigger | None = EXPECTED
    errors: list[PipelineError] = EXPECTED_LIST
    updated_at: datetime | None = None
    trigger_parameters: dict[str, Any] | None = None
    vcs: PipelineVcs | None = None


@model
class PipelineCreation:
    """The answer to triggering a pipeline: its id, number and first state."""

    id: str
    number: int
    state: PipelineState | None = EXPECTED
    created_at: datetime | None = EXPECTED


@model
class PipelineConfig:
    """A pipeline's configuration, as written and as compiled (`GET .../config`)."""

    source: str | None = EXPECTED
    compiled: str | None = EXPECTED
    setup_config: str | None = wire("setup-config", default=None)
    compiled_setup_config: str | None = wire("compiled-setup-config", default=None)


@model
class TriggeredPipeline:
    """`pipelines.run()` created a pipeline (HTTP 201); the spec makes every field optional."""

    id: str | None = None
    number: int | None = None
    state: PipelineState | None = None
    created_at: datetime | None = None

    @property
    def triggered(self) -> bool:
        """Always True: a pipeline was created."""
        return True


@model
class PipelineNotTriggered:
    """`pipelines.run()` created no pipeline (HTTP 200), e.g. because of `[ci skip]`."""

    message: str | None = None

    @property
    def triggered(self) -> bool:
        """Always False: no pipeline was created; `message` says why."""
        return False


PipelineRun = TriggeredPipeline | PipelineNotTriggered
"""What `pipelines.run()` returns: check `.triggered` or `isinstance(result, TriggeredPipeline)`."""
