"""The `pipelines` service."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import InvalidArgumentError
from ..models import Pipeline, PipelineCreation, Workflow
from ..pagination import Paginator
from ..session import Endpoint
from ..wire import format_path_id, validate_project_slug
from .base import Service, implements

__all__ = ["PipelinesService"]

LIST_FOR_PROJECT = Endpoint("listPipelinesForProject", "GET", "/project/{project-slug}/pipeline")
GET_BY_ID = Endpoint("getPipelineById", "GET", "/pipeline/{pipeline-id}")
LIST_WORKFLOWS = Endpoint("listWorkflowsByPipelineId", "GET", "/pipeline/{pipeline-id}/workflow")
TRIGGER = Endpoint("triggerPipeline", "POST", "/project/{project-slug}/pipeline")

_PARAMETER_TYPES = (str, int, float, bool)


def _check_parameters(parameters: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if parameters is None:
        return None
    if not isinstance(parameters, Mapping):
        raise InvalidArgumentError(
            f"parameters must be a mapping of names to values, not {type(parameters).__name__}"
        )
    for key, value in parameters.items():
        if not isinstance(key, str) or not key:
            raise InvalidArgumentError(f"pipeline parameter names must be strings, got {key!r}")
        if not isinstance(value, _PARAMETER_TYPES):
            raise InvalidArgumentError(
                f"pipeline parameter {key!r} must be a string, number or boolean, "
                f"not {type(value).__name__}"
            )
    return dict(parameters)


class PipelinesService(Service):
    """Pipelines: list, inspect and trigger them."""

    name = "pipelines"

    @implements(LIST_FOR_PROJECT)
    def list(
        self, project_slug: str, *, branch: str | None = None, page_token: str | None = None
    ) -> Paginator[Pipeline]:
        """The pipelines of a project, newest first, optionally of one branch."""
        slug = validate_project_slug(project_slug)
        return self._paginate(
            LIST_FOR_PROJECT,
            Pipeline,
            path={"project-slug": slug},
            query={"branch": branch},
            page_token=page_token,
        )

    @implements(GET_BY_ID)
    async def get(self, pipeline_id: str) -> Pipeline:
        """A pipeline by its id."""
        return await self._call(
            GET_BY_ID,
            Pipeline,
            path={"pipeline-id": format_path_id(pipeline_id, name="pipeline_id")},
        )

    @implements(LIST_WORKFLOWS)
    def workflows(self, pipeline_id: str, *, page_token: str | None = None) -> Paginator[Workflow]:
        """The workflows of a pipeline."""
        return self._paginate(
            LIST_WORKFLOWS,
            Workflow,
            path={"pipeline-id": format_path_id(pipeline_id, name="pipeline_id")},
            page_token=page_token,
        )

    @implements(TRIGGER)
    async def trigger(
        self,
        project_slug: str,
        *,
        branch: str | None = None,
        tag: str | None = None,
        parameters: Mapping[str, Any] | None = None,
        idempotent: bool | None = None,
    ) -> PipelineCreation:
        """Trigger a new pipeline on a branch or tag, with optional pipeline parameters.

        Sent once unless CircleCI answers 429 or the connection fails before sending: a
        5xx or timeout might mean the pipeline was created, so it is not retried unless
        `idempotent=True`.
        """
        slug = validate_project_slug(project_slug)
        if branch is not None and tag is not None:
            raise InvalidArgumentError("pass branch or tag, not both")
        for name, value in (("branch", branch), ("tag", tag)):
            if value is not None and (not isinstance(value, str) or not value):
                raise InvalidArgumentError(f"{name} must be a non-empty string")
        body: dict[str, Any] = {}
        if branch is not None:
            body["branch"] = branch
        if tag is not None:
            body["tag"] = tag
        checked = _check_parameters(parameters)
        if checked is not None:
            body["parameters"] = checked
        return await self._call(
            TRIGGER,
            PipelineCreation,
            path={"project-slug": slug},
            body=body,
            idempotent=idempotent,
        )
