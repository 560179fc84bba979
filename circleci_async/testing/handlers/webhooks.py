"""Handlers of the Webhook tag: a project's outbound webhooks (scoped by project id)."""

from __future__ import annotations

from ...loopback import is_loopback_url
from ..api_context import ApiContext, ApiError
from ..project_config_records import WebhookRecord
from ..renderers import webhook_json
from ..replies import Reply
from .bodies import Body
from .lookups import found

__all__ = ["create_webhook", "delete_webhook", "get_webhook", "list_webhooks", "update_webhook"]

_EVENTS = frozenset({"workflow-completed", "job-completed"})
_SCOPES = frozenset({"project"})
_CHANGEABLE = ("name", "events", "url", "verify-tls", "signing-secret")


def _url(body: Body) -> str:
    """An https URL, or (the fake's one allowance, for local receivers) http to loopback."""
    url = body.need_text("url")
    if not url.startswith("https://") and not (url.startswith("http://") and is_loopback_url(url)):
        raise ApiError(400, "url must be an https:// URL.")
    return url


def _events(body: Body) -> list[str]:
    events = body.strings("events")
    if not events or not set(events) <= _EVENTS:
        raise ApiError(400, f"events must name some of {', '.join(sorted(_EVENTS))}.")
    return events


def _scope(ctx: ApiContext, scope_id: str, scope_type: str) -> None:
    """404 unless the scope is a project the fake knows."""
    if scope_type not in _SCOPES:
        raise ApiError(400, "scope-type must be project.")
    found(ctx.state.project_by_id(scope_id), "Project")


def _webhook(ctx: ApiContext) -> WebhookRecord:
    return found(ctx.state.webhooks.get(ctx.params["webhook-id"]), "Webhook")


async def list_webhooks(ctx: ApiContext) -> Reply:
    """GET /webhook?scope-id&scope-type: the webhooks of a project."""
    scope_id = ctx.query.get("scope-id")
    scope_type = ctx.query.get("scope-type")
    if not scope_id or not scope_type:
        raise ApiError(400, "scope-id and scope-type are required.")
    _scope(ctx, scope_id, scope_type)
    hooks = [item for item in ctx.state.webhooks.values() if item.scope_id == scope_id]
    return ctx.page(hooks, webhook_json)


async def create_webhook(ctx: ApiContext) -> Reply:
    """POST /webhook: 201 with the webhook, its signing secret masked."""
    body = await Body.read(ctx, fields=(*_CHANGEABLE, "scope"))
    scope = body.need_obj("scope", fields=("id", "type"))
    scope_id, scope_type = scope.need_text("id"), scope.need_text("type")
    _scope(ctx, scope_id, scope_type)
    now = ctx.state.now()
    webhook = WebhookRecord(
        id=ctx.state.new_id(),
        name=body.need_text("name"),
        url=_url(body),
        events=_events(body),
        verify_tls=body.need_flag("verify-tls"),
        signing_secret=body.need_text("signing-secret", empty=True),
        scope_id=scope_id,
        scope_type=scope_type,
        created_at=now,
        updated_at=now,
    )
    ctx.state.webhooks[webhook.id] = webhook
    return Reply.json(201, webhook_json(webhook))


async def get_webhook(ctx: ApiContext) -> Reply:
    """GET /webhook/{webhook-id}."""
    return Reply.json(200, webhook_json(_webhook(ctx)))


async def update_webhook(ctx: ApiContext) -> Reply:
    """PUT /webhook/{webhook-id}: change the fields given."""
    webhook = _webhook(ctx)
    body = await Body.read(ctx, fields=_CHANGEABLE)
    if body.has("name"):
        webhook.name = body.need_text("name")
    if body.has("url"):
        webhook.url = _url(body)
    if body.has("events"):
        webhook.events = _events(body)
    if body.has("verify-tls"):
        webhook.verify_tls = body.need_flag("verify-tls")
    if body.has("signing-secret"):
        webhook.signing_secret = body.need_text("signing-secret", empty=True)
    webhook.updated_at = ctx.state.now()
    return Reply.json(200, webhook_json(webhook))


async def delete_webhook(ctx: ApiContext) -> Reply:
    """DELETE /webhook/{webhook-id}."""
    del ctx.state.webhooks[_webhook(ctx).id]
    return Reply.json(200, {"message": "Webhook deleted."})
