"""Deploys: the environments and components CircleCI tracks releases of."""

from __future__ import annotations

from datetime import datetime

from .base import model

__all__ = ["Component", "ComponentVersion", "Environment", "Label"]


@model
class Label:
    """A key and value attached to an environment or component."""

    key: str | None = None
    value: str | None = None


@model
class Environment:
    """A deploy environment of an organization."""

    id: str | None = None
    name: str | None = None
    description: str | None = None
    labels: list[Label] | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@model
class Component:
    """A deployable component of a project."""

    id: str | None = None
    name: str | None = None
    project_id: str | None = None
    labels: list[Label] | None = None
    release_count: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@model
class ComponentVersion:
    """A version of a component, and where and when it was deployed."""

    name: str | None = None
    environment_id: str | None = None
    namespace: str | None = None
    is_live: bool | None = None
    pipeline_id: str | None = None
    workflow_id: str | None = None
    job_id: str | None = None
    job_number: int | None = None
    last_deployed_at: datetime | None = None
