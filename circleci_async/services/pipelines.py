"""The `pipelines` service."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from .. import checks as check
from ..endpoints import Endpoint
from ..models import (
    Accepted,
    Message,
    Pipeline,
    PipelineConfig,
    PipelineCreation,
    PipelineNotTriggered,
    PipelineRun,
    TriggeredPipeline,
    Workflow,
)
from ..pagination import Paginator
from ..waiting import PipelineOutcome, WaitPolicy, pipeline_is_final, wait_until
from .base import Service, implements
from .workflows import wait_policy

if TYPE_CHECKING:
    from ..webhooks.events import Event

__all__ = ["PipelinesService"]

LIST_FOR_PROJECT = Endpoint("listPipelinesForProject", "GET", "/project/{project-slug}/pipeline")
GET_BY_ID = Endpoint("getPipelineById", "GET", "/pipeline/{pipeline-id}")
LIST_WORKFLOWS = Endpoint("listWorkflowsByPipelineId", "GET", "/pipeline/{pipeline-id}/workflow")
TRIGGER = Endpoint("triggerPipeline", "POST", "/project/{project-slug}/pipeline")
LIST_FOLLOWED = Endpoint("listPipelines", "GET", "/pipeline")
LIST_MINE = Endpoint("listMyPipelines", "GET", "/project/{project-slug}/pipeline/mine")
GET_BY_NUMBER = Endpoint(
    "getPipelineByNumber", "GET", "/project/{project-slug}/pipeline/{pipeline-number}"
)
GET_CONFIG = Endpoint("getPipelineConfigById", "GET", "/pipeline/{pipeline-id}/config")
GET_VALUES = Endpoint("getPipelineValuesById", "GET", "/pipeline/{pipeline-id}/values")
CONTINUE = Endpoint("continuePipeline", "POST", "/pipeline/continue")
RUN = Endpoint(
    "triggerPipelineRun", "POST", "/project/{provider}/{organization}/{project}/pipeline/run"
)


_MAX_WORKFLOWS = 500
"""The most workflows a waiter reads of one pipeline."""


def _pipeline_path(pipeline_id: str) -> dict[str, str]:
    return {"pipeline-id": check.format_path_id(pipeline_id, name="pipeline_id")}


def _ref(kind: str, branch: str | None, tag: str | None) -> dict[str, str] | None:
    """The `{branch}` or `{tag}` object of a pipeline run's `config` or `checkout`."""
    branch = check.text(branch, f"{kind}_branch", optional=True)
    tag = check.text(tag, f"{kind}_tag", optional=True)
    check.not_both(f"{kind}_branch", branch, f"{kind}_tag", tag)
    if branch is not None:
        return {"branch": branch}
    if tag is not None:
        return {"tag": tag}
    return None


class PipelinesService(Service):
    """Pipelines: list, inspect and trigger them."""

    name = "pipelines"

    @implements(LIST_FOR_PROJECT)
    def list(
        self, project_slug: str, *, branch: str | None = None, page_token: str | None = None
    ) -> Paginator[Pipeline]:
        """The pipelines of a project, newest first, optionally of one branch."""
        slug = check.validate_project_slug(project_slug)
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
            path=_pipeline_path(pipeline_id),
        )

    @implements(LIST_WORKFLOWS)
    def workflows(self, pipeline_id: str, *, page_token: str | None = None) -> Paginator[Workflow]:
        """The workflows of a pipeline."""
        return self._paginate(
            LIST_WORKFLOWS,
            Workflow,
            path=_pipeline_path(pipeline_id),
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
    ) -> PipelineCreation | Accepted:
        """Trigger a new pipeline on a branch or tag, with optional pipeline parameters.

        `Accepted` when the answer lacks the pipeline's id and number.

        Sent once unless CircleCI answers 429 or the connection fails before sending: a
        5xx or timeout might mean the pipeline was created, so it is not retried unless
        `idempotent=True`.
        """
        slug = check.validate_project_slug(project_slug)
        check.not_both("branch", branch, "tag", tag)
        body = check.drop_none(
            {
                "branch": check.text(branch, "branch", optional=True),
                "tag": check.text(tag, "tag", optional=True),
                "parameters": check.pipeline_parameters(parameters, optional=True),
            }
        )
        return await self._act(
            TRIGGER,
            PipelineCreation,
            path={"project-slug": slug},
            body=body,
            idempotent=idempotent,
        )

    @implements(LIST_FOLLOWED)
    def followed(
        self,
        *,
        org_slug: str | None = None,
        mine: bool | None = None,
        page_token: str | None = None,
    ) -> Paginator[Pipeline]:
        """The pipelines of the most recently built projects you follow (at most 250).

        `org_slug` (`gh/org`) picks the organization; `mine=True` keeps your own pipelines.
        """
        return self._paginate(
            LIST_FOLLOWED,
            Pipeline,
            query={
                "org-slug": check.org_slug(org_slug, "org_slug", optional=True),
                "mine": check.flag(mine, "mine", optional=True),
            },
            page_token=page_token,
        )

    @implements(LIST_MINE)
    def mine(self, project_slug: str, *, page_token: str | None = None) -> Paginator[Pipeline]:
        """The pipelines of a project that you triggered."""
        slug = check.validate_project_slug(project_slug)
        return self._paginate(
            LIST_MINE, Pipeline, path={"project-slug": slug}, page_token=page_token
        )

    @implements(GET_BY_NUMBER)
    async def get_by_number(self, project_slug: str, pipeline_number: int) -> Pipeline:
        """A pipeline by project and pipeline number."""
        path = {
            "project-slug": check.validate_project_slug(project_slug),
            "pipeline-number": check.format_job_number(pipeline_number, name="pipeline_number"),
        }
        return await self._call(GET_BY_NUMBER, Pipeline, path=path)

    @implements(GET_CONFIG)
    async def config(self, pipeline_id: str) -> PipelineConfig:
        """A pipeline's configuration, as written and as compiled."""
        return await self._call(GET_CONFIG, PipelineConfig, path=_pipeline_path(pipeline_id))

    @implements(GET_VALUES)
    async def values(self, pipeline_id: str) -> dict[str, Any]:
        """A pipeline's pipeline values (`pipeline.git.branch`, ...) by name."""
        return await self._call(GET_VALUES, dict[str, Any], path=_pipeline_path(pipeline_id))

    @implements(CONTINUE)
    async def continue_from_setup(
        self,
        *,
        continuation_key: str,
        configuration: str,
        parameters: Mapping[str, Any] | None = None,
        idempotent: bool | None = None,
    ) -> Message | Accepted:
        """Continue a pipeline from its setup phase with the given configuration."""
        body = check.drop_none(
            {
                "continuation-key": check.text(continuation_key, "continuation_key"),
                "configuration": check.text(configuration, "configuration"),
                "parameters": check.pipeline_parameters(parameters, optional=True),
            }
        )
        return await self._act(CONTINUE, Message, body=body, idempotent=idempotent)

    @implements(RUN)
    async def run(
        self,
        project_slug: str,
        *,
        definition_id: str | None = None,
        config_branch: str | None = None,
        config_tag: str | None = None,
        checkout_branch: str | None = None,
        checkout_tag: str | None = None,
        parameters: Mapping[str, Any] | None = None,
        idempotent: bool | None = None,
    ) -> PipelineRun | Accepted:
        """Trigger a pipeline of a pipeline definition (CircleCI's recommended way).

        The config comes from `config_branch` or `config_tag`, the code from
        `checkout_branch` or `checkout_tag`. The answer is a `TriggeredPipeline`, or a
        `PipelineNotTriggered` (with CircleCI's reason) when no pipeline was created;
        `.triggered` tells which; `Accepted` for an answer that is neither. Sent once
        unless it may safely be retried, as `trigger()`.
        """
        path = check.slug_parts(project_slug)
        body = check.drop_none(
            {
                "definition_id": check.uuid(definition_id, "definition_id", optional=True),
                "config": _ref("config", config_branch, config_tag),
                "checkout": _ref("checkout", checkout_branch, checkout_tag),
                "parameters": check.mapping(parameters, "parameters", optional=True),
            }
        )
        response = await self._send_action(RUN, path=path, body=body, idempotent=idempotent)
        if isinstance(response, Accepted):
            return response
        if response.status == 201:
            return self._read_action(response, TriggeredPipeline, RUN)
        return self._read_action(response, PipelineNotTriggered, RUN)

    async def wait(
        self,
        pipeline_id: str,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 (on the client's clock)
        policy: WaitPolicy | None = None,
        events: AsyncIterator[Event] | None = None,
        on_poll: Callable[[PipelineOutcome], Awaitable[None]] | None = None,
    ) -> PipelineOutcome:
        """Wait until a pipeline ends; the pipeline with its workflows (`.passed`, `.status`).

        It has ended when it errored or every workflow is final (a setup workflow alone is
        not the end). Polls `get()` and `workflows()` at a growing interval (2 s, times 1.5,
        at most 30 s: see `WaitPolicy`); with `events` (a `WebhookReceiver`), a webhook
        about the pipeline triggers the next read at once. `on_poll` is awaited with every
        state read. Raises `WaitTimeoutError` (`.last`: the last `PipelineOutcome`) after
        `timeout` seconds (default: the policy's, one hour).
        """
        _pipeline_path(pipeline_id)
        policy = wait_policy(policy, timeout)

        async def read() -> PipelineOutcome:
            pipeline = await self.get(pipeline_id)
            workflows = await self.workflows(pipeline_id).collect(_MAX_WORKFLOWS)
            return PipelineOutcome(pipeline, workflows)

        def names(event: Event) -> bool:
            return event.pipeline.id == pipeline_id

        return await wait_until(
            self._core,
            read,
            lambda seen: pipeline_is_final(seen.pipeline, seen.workflows),
            what=f"pipeline {pipeline_id}",
            policy=policy,
            events=events,
            names=names,
            on_poll=on_poll,
        )
