"""Deploy records: environments, components, the versions deployed, and rollbacks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

__all__ = ["ComponentRecord", "ComponentVersionRecord", "EnvironmentRecord", "RollbackRecord"]


@attrs.define(kw_only=True)
class EnvironmentRecord:
    """A deploy environment of an organization."""

    id: str
    org_id: str
    name: str
    description: str | None
    labels: dict[str, str]
    created_at: datetime
    updated_at: datetime


@attrs.define(kw_only=True)
class ComponentVersionRecord:
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
class ComponentRecord:
    """A deployable component of a project."""

    id: str
    org_id: str
    project_id: str
    name: str
    labels: dict[str, str]
    created_at: datetime
    updated_at: datetime
    versions: list[ComponentVersionRecord] = attrs.field(factory=list, repr=False)
    """Newest deployment first."""


@attrs.define(kw_only=True)
class RollbackRecord:
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
