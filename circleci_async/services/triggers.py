"""The `triggers` service."""

from __future__ import annotations

import builtins
from typing import Any

from .. import checks as check
from ..endpoints import Endpoint
from ..errors import InvalidArgumentError
from ..models import Deletion, EventSource, Trigger, TriggerEventPreset
from .base import Service, implements

__all__ = ["TriggersService"]

_DEFINITION_TRIGGERS = (
    "/projects/{project_id}/pipeline-definitions/{pipeline_definition_id}/triggers"
)
LIST = Endpoint("listPipelineDefinitionTriggers", "GET", _DEFINITION_TRIGGERS)
CREATE = Endpoint("createTrigger", "POST", _DEFINITION_TRIGGERS)
GET = Endpoint("getTrigger", "GET", "/projects/{project_id}/triggers/{trigger_id}")
UPDATE = Endpoint("updateTrigger", "PATCH", "/projects/{project_id}/triggers/{trigger_id}")
DELETE = Endpoint("deleteTrigger", "DELETE", "/projects/{project_id}/triggers/{trigger_id}")


def _definition_path(project_id: str, pipeline_definition_id: str) -> dict[str, str]:
    return {
        "project_id": check.format_path_id(project_id, name="project_id"),
        "pipeline_definition_id": check.format_path_id(
            pipeline_definition_id, name="pipeline_definition_id"
        ),
    }


def _trigger_path(project_id: str, trigger_id: str) -> dict[str, str]:
    return {
        "project_id": check.format_path_id(project_id, name="project_id"),
        "trigger_id": check.format_path_id(trigger_id, name="trigger_id"),
    }


def _new_event_source(value: object) -> dict[str, Any]:
    """A create's `event_source`: a provider, with a repository or an inbound webhook."""
    data: dict[str, Any] = check.record(value, EventSource, "event_source")
    provider = data.get("provider")
    if provider is None:
        raise InvalidArgumentError("event_source.provider is required")
    repo = data.get("repo")
    if repo is not None and set(repo) != {"external_id"}:
        raise InvalidArgumentError("event_source.repo takes only external_id")
    if provider == "github_app" and repo is None:
        raise InvalidArgumentError("event_source.repo is required for a github_app trigger")
    webhook = data.get("webhook")
    if webhook is not None and (provider != "webhook" or "url" in webhook):
        raise InvalidArgumentError(
            "event_source.webhook is only for a webhook trigger, and takes only sender"
        )
    return data


def _changed_event_source(value: object) -> dict[str, Any] | None:
    """An update's `event_source`: only the webhook sender can change."""
    data: dict[str, Any] | None = check.record(value, EventSource, "event_source", optional=True)
    if data is not None and data.get("provider") == "webhook":
        data = {key: item for key, item in data.items() if key != "provider"}
    if data is not None and (set(data) != {"webhook"} or set(data["webhook"]) != {"sender"}):
        raise InvalidArgumentError("an update's event_source may only set webhook.sender")
    return data


class TriggersService(Service):
    """Triggers: the events that start the pipelines of a pipeline definition."""

    name = "triggers"

    @implements(LIST)
    async def list(self, project_id: str, pipeline_definition_id: str) -> builtins.list[Trigger]:
        """The triggers of a pipeline definition."""
        return await self._items(
            LIST, Trigger, path=_definition_path(project_id, pipeline_definition_id), sparse=True
        )

    @implements(CREATE)
    async def create(
        self,
        project_id: str,
        pipeline_definition_id: str,
        *,
        event_source: EventSource,
        event_preset: TriggerEventPreset | str | None = None,
        checkout_ref: str | None = None,
        config_ref: str | None = None,
        event_name: str | None = None,
        disabled: bool | None = None,
        idempotent: bool | None = None,
    ) -> Trigger:
        """Create a trigger, e.g. `event_source=EventSource.github_app(repo_id)`.

        A webhook trigger (`EventSource.inbound_webhook(sender)`) needs `checkout_ref` and
        `config_ref`.
        """
        source = _new_event_source(event_source)
        body = check.drop_none(
            {
                "event_source": source,
                "event_preset": check.member(
                    event_preset, TriggerEventPreset, "event_preset", optional=True
                ),
                "checkout_ref": check.text(checkout_ref, "checkout_ref", optional=True),
                "config_ref": check.text(config_ref, "config_ref", optional=True),
                "event_name": check.text(event_name, "event_name", optional=True),
                "disabled": check.flag(disabled, "disabled", optional=True),
            }
        )
        if source["provider"] == "webhook" and (
            "checkout_ref" not in body or "config_ref" not in body
        ):
            raise InvalidArgumentError("a webhook trigger needs checkout_ref and config_ref")
        return await self._call(
            CREATE,
            Trigger,
            path=_definition_path(project_id, pipeline_definition_id),
            body=body,
            idempotent=idempotent,
        )

    @implements(GET)
    async def get(self, project_id: str, trigger_id: str) -> Trigger:
        """A trigger by id."""
        return await self._call(GET, Trigger, path=_trigger_path(project_id, trigger_id))

    @implements(UPDATE)
    async def update(
        self,
        project_id: str,
        trigger_id: str,
        *,
        event_preset: TriggerEventPreset | str | None = None,
        checkout_ref: str | None = None,
        config_ref: str | None = None,
        event_name: str | None = None,
        disabled: bool | None = None,
        event_source: EventSource | None = None,
        idempotent: bool | None = None,
    ) -> Trigger:
        """Change the given fields of a trigger; of `event_source`, only the webhook sender."""
        body = check.drop_none(
            {
                "event_preset": check.member(
                    event_preset, TriggerEventPreset, "event_preset", optional=True
                ),
                "checkout_ref": check.text(checkout_ref, "checkout_ref", optional=True),
                "config_ref": check.text(config_ref, "config_ref", optional=True),
                "event_name": check.text(event_name, "event_name", optional=True),
                "disabled": check.flag(disabled, "disabled", optional=True),
                "event_source": _changed_event_source(event_source),
            }
        )
        return await self._call(
            UPDATE,
            Trigger,
            path=_trigger_path(project_id, trigger_id),
            body=body,
            idempotent=idempotent,
        )

    @implements(DELETE)
    async def delete(self, project_id: str, trigger_id: str) -> Deletion:
        """Delete a trigger."""
        return await self._call(DELETE, Deletion, path=_trigger_path(project_id, trigger_id))
