"""Context records: contexts, their environment variables and their restrictions."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import attrs

__all__ = ["Context", "ContextEnvVar", "ContextRestriction", "OwnerType", "RestrictionType"]

OwnerType = Literal["organization", "account"]
RestrictionType = Literal["project", "expression", "group"]


@attrs.define(kw_only=True)
class ContextEnvVar:
    """An environment variable of a context; the API never shows its value."""

    name: str
    value: str
    created_at: datetime
    updated_at: datetime


@attrs.define(kw_only=True)
class ContextRestriction:
    """Who may use a context: a project (by id), a group (by id), or an expression."""

    id: str
    restriction_type: RestrictionType
    restriction_value: str
    name: str


@attrs.define(kw_only=True)
class Context:
    """A context of an organization (or, on CircleCI Server, of an account)."""

    id: str
    name: str
    owner_id: str
    owner_type: OwnerType
    created_at: datetime
    env_vars: dict[str, ContextEnvVar] = attrs.field(factory=dict, repr=False)
    restrictions: list[ContextRestriction] = attrs.field(factory=list, repr=False)
