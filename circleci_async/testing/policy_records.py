"""Policy records: policy documents, decision logs, and the policy state of an owner's context."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

__all__ = ["DecisionLogRecord", "PolicyContext", "PolicyRecord"]


@attrs.define(kw_only=True)
class PolicyRecord:
    """A policy document of a bundle: a Rego source with its name."""

    name: str
    content: str
    created_at: datetime
    created_by: str


@attrs.define(kw_only=True)
class DecisionLogRecord:
    """The audit log of one decision, with the bundle it was made with."""

    id: str
    created_at: datetime
    decision: dict[str, Any]
    metadata: dict[str, Any]
    bundle: dict[str, PolicyRecord]
    time_taken_ms: int


@attrs.define(kw_only=True)
class PolicyContext:
    """What an owner holds in one policy context: its bundle, its setting, its decisions."""

    bundle: dict[str, PolicyRecord] = attrs.field(factory=dict)
    """Policies by name."""
    enabled: bool = True
    """Whether pipelines are evaluated against the bundle."""
    decisions: list[DecisionLogRecord] = attrs.field(factory=list)
    """Newest first."""
