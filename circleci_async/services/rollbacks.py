"""The `rollbacks` service."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import checks as check
from ..endpoints import Endpoint
from ..models import Accepted, Rollback
from .base import Service, implements

__all__ = ["RollbacksService"]

CREATE = Endpoint("rollbackProject", "POST", "/projects/{project_id}/rollback")


class RollbacksService(Service):
    """Rollbacks: put a component of an environment back to an earlier version."""

    name = "rollbacks"

    @implements(CREATE)
    async def create(
        self,
        project_id: str,
        *,
        environment_name: str,
        component_name: str,
        current_version: str,
        target_version: str,
        namespace: str | None = None,
        reason: str | None = None,
        parameters: Mapping[str, Any] | None = None,
        idempotent: bool | None = None,
    ) -> Rollback | Accepted:
        """Roll a component back from `current_version` to `target_version`.

        This triggers the project's rollback pipeline (with extra `parameters`); the
        answer comes as soon as CircleCI has accepted it.
        """
        body = check.drop_none(
            {
                "environment_name": check.text(environment_name, "environment_name"),
                "component_name": check.text(component_name, "component_name"),
                "current_version": check.text(current_version, "current_version"),
                "target_version": check.text(target_version, "target_version"),
                "namespace": check.text(namespace, "namespace", optional=True),
                "reason": check.text(reason, "reason", optional=True, empty=True),
                "parameters": check.mapping(parameters, "parameters", optional=True),
            }
        )
        return await self._act(
            CREATE,
            Rollback,
            path={"project_id": check.format_path_id(project_id, name="project_id")},
            body=body,
            idempotent=idempotent,
        )
