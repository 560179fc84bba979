"""Handlers of the Trigger tag: the event sources that start a pipeline definition's pipelines.

A `github_app` trigger takes a repository; a `webhook` trigger gets an inbound webhook URL and
needs `checkout_ref` and `config_ref`. Of an existing trigger's source, only the webhook's
sender can change.
"""

from __future__ import annotations

from typing import Any

from ..api_context import ApiContext, ApiError
from ..project_config_records import TriggerRecord
from ..records import ProjectRecord
from ..renderers import trigger_json
from ..replies import Reply
from .bodies import Body
from .definitions import definition
from .lookups import project_by_id

__all__ = ["create_trigger", "delete_trigger", "get_trigger", "list_triggers", "update_trigger"]

_PRESETS = frozenset(
    {
        "all-pushes", "only-tags", "default-branch-pushes", "only-build-prs", "only-open-prs",
        "only-labeled-prs", "only-merged-prs", "only-ready-for-review-prs", "only-branch-delete",
        "only-build-pushes-to-non-draft-prs", "only-merged-or-closed-prs",
    }
)  # fmt: skip
_SETTINGS = ("event_preset", "checkout_ref", "config_ref", "event_name", "disabled")
_WEBHOOKS = "https://internal.circleci.com/private/soc/e"


def _event_source(ctx: ApiContext, body: Body, trigger_id: str) -> dict[str, Any]:
    source = body.need_obj("event_source", fields=("provider", "repo", "webhook"))
    provider = source.need_choice("provider", ("github_app", "webhook"))
    checked: dict[str, Any] = {"provider": provider}
    if provider == "github_app":
        repo = source.need_obj("repo", fields=("external_id",))
        checked["repo"] = {"external_id": repo.need_text("external_id")}
        if source.has("webhook"):
            raise ApiError(400, "event_source.webhook is only for webhook triggers.")
        return checked
    if source.has("repo"):
        raise ApiError(400, "event_source.repo is only for github_app triggers.")
    webhook = source.obj("webhook", fields=("sender",))
    sender = None if webhook is None else webhook.text("sender")
    checked["webhook"] = {"url": f"{_WEBHOOKS}/{trigger_id}?secret={ctx.state.new_id()}"}
    if sender is not None:
        checked["webhook"]["sender"] = sender
    return checked


def _apply(trigger: TriggerRecord, body: Body) -> None:
    """Set the optional settings the body gives."""
    if body.has("event_preset"):
        trigger.event_preset = body.choice("event_preset", _PRESETS)
    for key in ("checkout_ref", "config_ref", "event_name"):
        if body.has(key):
            setattr(trigger, key, body.need_text(key))
    if body.has("disabled"):
        trigger.disabled = body.need_flag("disabled")


def _trigger(ctx: ApiContext) -> tuple[ProjectRecord, TriggerRecord]:
    project = project_by_id(ctx)
    trigger = ctx.state.triggers.get(ctx.params["trigger_id"])
    if trigger is None or trigger.project_id != project.id:
        raise ApiError(404, "Trigger not found.")
    return project, trigger


async def list_triggers(ctx: ApiContext) -> Reply:
    """GET /projects/{project_id}/pipeline-definitions/{pipeline_definition_id}/triggers."""
    project = project_by_id(ctx)
    item = definition(ctx, project)
    triggers = [t for t in ctx.state.triggers.values() if t.definition_id == item.id]
    return Reply.json(200, {"items": [trigger_json(project, t) for t in triggers]})


async def create_trigger(ctx: ApiContext) -> Reply:
    """POST .../pipeline-definitions/{pipeline_definition_id}/triggers: 200 with the trigger."""
    project = project_by_id(ctx)
    item = definition(ctx, project)
    body = await Body.read(ctx, fields=("event_source", *_SETTINGS))
    trigger_id = ctx.state.new_id()
    trigger = TriggerRecord(
        id=trigger_id,
        project_id=project.id,
        definition_id=item.id,
        created_at=ctx.state.now(),
        event_source=_event_source(ctx, body, trigger_id),
    )
    _apply(trigger, body)
    if trigger.event_source["provider"] == "webhook" and (
        trigger.checkout_ref is None or trigger.config_ref is None
    ):
        raise ApiError(400, "A webhook trigger needs checkout_ref and config_ref.")
    ctx.state.triggers[trigger.id] = trigger
    return Reply.json(200, trigger_json(project, trigger))


async def get_trigger(ctx: ApiContext) -> Reply:
    """GET /projects/{project_id}/triggers/{trigger_id}."""
    return Reply.json(200, trigger_json(*_trigger(ctx)))


async def update_trigger(ctx: ApiContext) -> Reply:
    """PATCH /projects/{project_id}/triggers/{trigger_id}: change the settings given."""
    project, trigger = _trigger(ctx)
    body = await Body.read(ctx, fields=("event_source", *_SETTINGS))
    source = body.obj("event_source", fields=("webhook",))
    if source is not None:
        webhook = source.need_obj("webhook", fields=("sender",))
        if trigger.event_source["provider"] != "webhook":
            raise ApiError(400, "Only a webhook trigger has a sender to change.")
        trigger.event_source["webhook"]["sender"] = webhook.need_text("sender")
    _apply(trigger, body)
    return Reply.json(200, trigger_json(project, trigger))


async def delete_trigger(ctx: ApiContext) -> Reply:
    """DELETE /projects/{project_id}/triggers/{trigger_id}."""
    _, trigger = _trigger(ctx)
    del ctx.state.triggers[trigger.id]
    return Reply.json(200, {"message": "Trigger deleted."})
