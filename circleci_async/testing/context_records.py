"""Context records: contexts, their environment variables and their restrictions."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import attrs

__all__ = [
    "ContextEnvVar",
    "ContextRecord",
    "ContextRestrictionRecord",
    "OwnerTypeValue",
    "RestrictionTypeValue",
]

OwnerTypeValue = Literal["organization", "account"]
RestrictionTypeValue = Literal["project", "expression", "group"]


@attrs.define(kw_only=True)
class ContextEnvVar:
    """An environment variable of a context; the API never shows its value."""

    name: str
    value: str
    created_at: datetime
    updated_at: datetime


@attrs.define(kw_only=True)
class ContextRestrictionRecord:
    """Who may use a context: a project (by id), a group (by id), or an expression."""

    id: str
    restriction_type: RestrictionTypeValue
    restriction_value: str
    name: str


@attrs.define(kw_only=True)
class ContextRecord:
    """A context of an organization (or, on CircleCI Server, of an account)."""

    id: str
    name: str
    owner_id: str
    owner_type: OwnerTypeValue
    created_at: datetime
    env_vars: dict[str, ContextEnvVar] = attrs.field(factory=dict, repr=False)
    restrictions: list[ContextRestrictionRecord] = attrs.field(factory=list, repr=False)
