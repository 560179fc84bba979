"""Deploy records: environments, components, the versions deployed, and rollbacks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

__all__ = ["Component", "ComponentVersion", "Environment", "Rollback"]


@attrs.define(kw_only=True)
class Environment:
    """A deploy environment of an organization."""

    id: str
    org_id: str
    name: str
    description: str | None
    labels: dict[str, str]
    created_at: datetime
    updated_at: datetime


@attrs.define(kw_only=True)
class ComponentVersion:
    """A version of a component deployed to an environment; `is_live` while it runs there."""

    name: str
    environment_id: str
    namespace: str
    is_live: bool
    last_deployed_at: datetime
    pipeline_id: str | None = None
    workflow_id: str | None = None
    job_id: str | None = None
    job_number: int | None = None


@attrs.define(kw_only=True)
class Component:
    """A deployable component of a project."""

    id: str
    org_id: str
    project_id: str
    name: str
    labels: dict[str, str]
    created_at: datetime
    updated_at: datetime
    versions: list[ComponentVersion] = attrs.field(factory=list, repr=False)
    """Newest deployment first."""


@attrs.define(kw_only=True)
class Rollback:
    """A rollback of a component in an environment, from one version to an earlier one."""

    id: str
    project_id: str
    component_id: str
    environment_id: str
    current_version: str
    target_version: str
    namespace: str | None
    reason: str | None
    parameters: dict[str, Any]
    created_at: datetime
    rollback_type: str = "PIPELINE"
