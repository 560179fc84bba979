"""The `webhooks` service."""

from __future__ import annotations

from collections.abc import Sequence

from .. import checks as check
from ..endpoints import Endpoint
from ..errors import InvalidArgumentError
from ..loopback import is_loopback_url
from ..models import Message, Webhook, WebhookEvent, WebhookScopeType
from ..pagination import Paginator
from .base import Service, implements

__all__ = ["WebhooksService"]

LIST = Endpoint("getWebhooks", "GET", "/webhook")
CREATE = Endpoint("createWebhook", "POST", "/webhook")
GET = Endpoint("getWebhookById", "GET", "/webhook/{webhook-id}")
UPDATE = Endpoint("updateWebhook", "PUT", "/webhook/{webhook-id}")
DELETE = Endpoint("deleteWebhook", "DELETE", "/webhook/{webhook-id}")


def _webhook_path(webhook_id: str) -> dict[str, str]:
    return {"webhook-id": check.format_path_id(webhook_id, name="webhook_id")}


def _url(url: object, *, optional: bool = False) -> str | None:
    """An https URL; http only to a loopback address (a local receiver, the fake's tests)."""
    checked = check.text(url, "url", optional=optional)
    if checked is None or checked.startswith("https://"):
        return checked
    if checked.startswith("http://") and is_loopback_url(checked):
        return checked
    raise InvalidArgumentError(f"url must be an https:// URL, got {checked!r}")


def _events(events: object, *, optional: bool = False) -> list[str] | None:
    checked = check.members(events, WebhookEvent, "events", optional=optional)
    if checked is not None and not checked:
        raise InvalidArgumentError("events must name at least one event")
    return checked


class WebhooksService(Service):
    """Outbound webhooks: CircleCI posts workflow and job events to a URL."""

    name = "webhooks"

    @implements(LIST)
    def list(
        self,
        *,
        scope_id: str,
        scope_type: WebhookScopeType | str = WebhookScopeType.PROJECT,
        page_token: str | None = None,
    ) -> Paginator[Webhook]:
        """The webhooks of a scope: for now a project, by its id."""
        query = {
            "scope-id": check.uuid(scope_id, "scope_id"),
            "scope-type": check.member(scope_type, WebhookScopeType, "scope_type"),
        }
        return self._paginate(LIST, Webhook, query=query, page_token=page_token)

    @implements(CREATE)
    async def create(
        self,
        *,
        name: str,
        url: str,
        events: Sequence[WebhookEvent | str],
        verify_tls: bool,
        signing_secret: str,
        scope_id: str,
        scope_type: WebhookScopeType | str = WebhookScopeType.PROJECT,
        idempotent: bool | None = None,
    ) -> Webhook:
        """Create a webhook that posts `events` of a project (`scope_id`) to an https URL.

        `http://` is taken for a loopback address only (a local receiver, or the fake's tests).
        """
        body = {
            "name": check.text(name, "name"),
            "url": _url(url),
            "events": _events(events),
            "verify-tls": check.flag(verify_tls, "verify_tls"),
            "signing-secret": check.text(signing_secret, "signing_secret"),
            "scope": {
                "id": check.uuid(scope_id, "scope_id"),
                "type": check.member(scope_type, WebhookScopeType, "scope_type"),
            },
        }
        return await self._call(CREATE, Webhook, body=body, idempotent=idempotent)

    @implements(GET)
    async def get(self, webhook_id: str) -> Webhook:
        """A webhook by id."""
        return await self._call(GET, Webhook, path=_webhook_path(webhook_id))

    @implements(UPDATE)
    async def update(
        self,
        webhook_id: str,
        *,
        name: str | None = None,
        url: str | None = None,
        events: Sequence[WebhookEvent | str] | None = None,
        verify_tls: bool | None = None,
        signing_secret: str | None = None,
    ) -> Webhook:
        """Change the given fields of a webhook; the others stay as they are."""
        path = _webhook_path(webhook_id)
        body = check.drop_none(
            {
                "name": check.text(name, "name", optional=True),
                "url": _url(url, optional=True),
                "events": _events(events, optional=True),
                "verify-tls": check.flag(verify_tls, "verify_tls", optional=True),
                "signing-secret": check.text(signing_secret, "signing_secret", optional=True),
            }
        )
        return await self._call(UPDATE, Webhook, path=path, body=body)

    @implements(DELETE)
    async def delete(self, webhook_id: str) -> Message:
        """Delete a webhook."""
        return await self._call(DELETE, Message, path=_webhook_path(webhook_id))
