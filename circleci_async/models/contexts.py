"""Contexts: shared sets of environment variables, and the restrictions on who may use them."""

from __future__ import annotations

from datetime import datetime

from .base import EXPECTED, OpenEnum, model

__all__ = [
    "Context",
    "ContextEnvironmentVariable",
    "ContextRestriction",
    "OwnerType",
    "RestrictionType",
]


class OwnerType(OpenEnum):
    """What owns a context; accounts own contexts only on CircleCI Server."""

    ACCOUNT = "account"
    ORGANIZATION = "organization"


class RestrictionType(OpenEnum):
    """What a context restriction checks."""

    PROJECT = "project"
    EXPRESSION = "expression"
    GROUP = "group"


@model
class Context:
    """A context (`GET /context/{context_id}` and the context list)."""

    id: str
    name: str | None = EXPECTED
    created_at: datetime | None = EXPECTED


@model
class ContextEnvironmentVariable:
    """An environment variable of a context; CircleCI never returns its value."""

    variable: str
    created_at: datetime | None = EXPECTED
    updated_at: datetime | None = EXPECTED
    context_id: str | None = EXPECTED


@model
class ContextRestriction:
    """A restriction on a context: a project, an expression or a group that may use it."""

    id: str | None = None
    context_id: str | None = None
    project_id: str | None = None
    """Deprecated by CircleCI: read a project restriction's project from `restriction_value`."""
    name: str | None = None
    restriction_type: RestrictionType | None = None
    restriction_value: str | None = None
