"""The `pipeline_definitions` service."""

from __future__ import annotations

import builtins
from typing import Any

from .. import checks as check
from ..endpoints import Endpoint
from ..errors import InvalidArgumentError
from ..models import CheckoutSource, ConfigSource, Deletion, PipelineDefinition
from .base import Service, implements

__all__ = ["PipelineDefinitionsService"]

_DEFINITIONS = "/projects/{project_id}/pipeline-definitions"
LIST = Endpoint("listPipelineDefinitions", "GET", _DEFINITIONS)
CREATE = Endpoint("createPipelineDefinition", "POST", _DEFINITIONS)
GET = Endpoint("getPipelineDefinition", "GET", f"{_DEFINITIONS}/{{pipeline_definition_id}}")
UPDATE = Endpoint("updatePipelineDefinition", "PATCH", f"{_DEFINITIONS}/{{pipeline_definition_id}}")
DELETE = Endpoint(
    "deletePipelineDefinition", "DELETE", f"{_DEFINITIONS}/{{pipeline_definition_id}}"
)


def _project_path(project_id: str) -> dict[str, str]:
    return {"project_id": check.format_path_id(project_id, name="project_id")}


def _definition_path(project_id: str, pipeline_definition_id: str) -> dict[str, str]:
    return {
        **_project_path(project_id),
        "pipeline_definition_id": check.format_path_id(
            pipeline_definition_id, name="pipeline_definition_id"
        ),
    }


def _only(data: dict[str, Any], name: str, allowed: set[str]) -> None:
    """Refuse fields the request schema does not take (CircleCI rejects unknown ones)."""
    extra = sorted(set(data) - allowed)
    if extra:
        raise InvalidArgumentError(f"{name} cannot set {', '.join(extra)} here")


def _repo(data: dict[str, Any], name: str) -> None:
    repo = data.get("repo")
    if repo is None or "external_id" not in repo:
        raise InvalidArgumentError(f"{name}.repo.external_id is required")
    _only(repo, f"{name}.repo", {"external_id"})


def _new_config_source(value: object) -> dict[str, Any]:
    """A create's `config_source`: a GitHub App repository file, or a CircleCI-stored file."""
    data: dict[str, Any] = check.record(value, ConfigSource, "config_source")
    if "provider" not in data or "file_path" not in data:
        raise InvalidArgumentError("config_source needs a provider and a file_path")
    if data["provider"] == "circleci":
        _only(data, "config_source", {"provider", "file_path"})
    else:
        _repo(data, "config_source")
    return data


def _new_checkout_source(value: object) -> dict[str, Any]:
    """A create's `checkout_source`: a provider and a repository."""
    data: dict[str, Any] = check.record(value, CheckoutSource, "checkout_source")
    if "provider" not in data:
        raise InvalidArgumentError("checkout_source.provider is required")
    _repo(data, "checkout_source")
    return data


class PipelineDefinitionsService(Service):
    """Pipeline definitions of a project: where its pipelines take config and code from."""

    name = "pipeline_definitions"

    @implements(LIST)
    async def list(self, project_id: str) -> builtins.list[PipelineDefinition]:
        """The pipeline definitions of a project."""
        return await self._items(
            LIST, PipelineDefinition, path=_project_path(project_id), sparse=True
        )

    @implements(CREATE)
    async def create(
        self,
        project_id: str,
        *,
        name: str,
        config_source: ConfigSource,
        checkout_source: CheckoutSource,
        description: str | None = None,
        idempotent: bool | None = None,
    ) -> PipelineDefinition:
        """Create a pipeline definition.

        For example `config_source=ConfigSource.github_app(repo_id, ".circleci/config.yml")`
        and `checkout_source=CheckoutSource.github_app(repo_id)`.
        """
        body = check.drop_none(
            {
                "name": check.text(name, "name"),
                "description": check.text(description, "description", optional=True, empty=True),
                "config_source": _new_config_source(config_source),
                "checkout_source": _new_checkout_source(checkout_source),
            }
        )
        return await self._call(
            CREATE,
            PipelineDefinition,
            path=_project_path(project_id),
            body=body,
            idempotent=idempotent,
        )

    @implements(GET)
    async def get(self, project_id: str, pipeline_definition_id: str) -> PipelineDefinition:
        """A pipeline definition by id."""
        return await self._call(
            GET, PipelineDefinition, path=_definition_path(project_id, pipeline_definition_id)
        )

    @implements(UPDATE)
    async def update(
        self,
        project_id: str,
        pipeline_definition_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        config_source: ConfigSource | None = None,
        checkout_source: CheckoutSource | None = None,
        idempotent: bool | None = None,
    ) -> PipelineDefinition:
        """Change the given fields of a pipeline definition.

        Of `config_source` only `file_path` can change; `checkout_source` takes a provider
        and a repository, e.g. `CheckoutSource.github_app(repo_id)`.
        """
        config = check.record(config_source, ConfigSource, "config_source", optional=True)
        if config is not None:
            _only(config, "config_source", {"file_path"})
        checkout = check.record(checkout_source, CheckoutSource, "checkout_source", optional=True)
        if checkout is not None and "repo" in checkout:
            _repo(checkout, "checkout_source")
        body = check.drop_none(
            {
                "name": check.text(name, "name", optional=True),
                "description": check.text(description, "description", optional=True, empty=True),
                "config_source": config,
                "checkout_source": checkout,
            }
        )
        return await self._call(
            UPDATE,
            PipelineDefinition,
            path=_definition_path(project_id, pipeline_definition_id),
            body=body,
            idempotent=idempotent,
        )

    @implements(DELETE)
    async def delete(self, project_id: str, pipeline_definition_id: str) -> Deletion:
        """Delete a pipeline definition."""
        return await self._call(
            DELETE, Deletion, path=_definition_path(project_id, pipeline_definition_id)
        )
