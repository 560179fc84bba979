"""Config policies: decisions, their audit logs, settings and policy bundles."""

from __future__ import annotations

from datetime import datetime

from .base import EXPECTED, model

__all__ = [
    "BundleDiff",
    "Decision",
    "DecisionLog",
    "DecisionMetadata",
    "DecisionSettings",
    "DecisionVcs",
    "Policy",
    "Violation",
]


@model
class Violation:
    """A policy rule a config broke, and why."""

    rule: str | None = EXPECTED
    reason: str | None = EXPECTED


@model
class Decision:
    """The verdict of evaluating a config against an owner's policies."""

    status: str | None = EXPECTED
    reason: str | None = None
    enabled_rules: list[str] | None = None
    hard_failures: list[Violation] | None = None
    soft_failures: list[Violation] | None = None


@model
class DecisionVcs:
    """The repository facts a decision was made for."""

    branch: str | None = None
    origin_repository_url: str | None = None
    release_tag: str | None = None
    target_repository_url: str | None = None


@model
class DecisionMetadata:
    """What a decision was made for: project, build and repository."""

    build_number: int | None = None
    project_id: str | None = None
    ssh_rerun: bool | None = None
    vcs: DecisionVcs | None = None


@model
class DecisionLog:
    """An audit log entry of one decision."""

    id: str | None = None
    created_at: datetime | None = None
    decision: Decision | None = None
    metadata: DecisionMetadata | None = None
    policies: dict[str, str] | None = None
    """Policy name → hash of the policy that was evaluated."""
    time_taken_ms: int | None = None


@model
class DecisionSettings:
    """Whether policy evaluation is on; also what `policies.update_decision_settings()` takes."""

    enabled: bool | None = None


@model
class Policy:
    """A policy document of a bundle."""

    name: str | None = None
    content: str | None = None
    created_at: datetime | None = None
    created_by: str | None = None


@model
class BundleDiff:
    """The policies a new bundle creates, deletes and modifies."""

    created: list[str] | None = None
    deleted: list[str] | None = None
    modified: list[str] | None = None
