"""`WebhookDeliveries`: the fake sends its webhooks when the build runner finishes work.

When a job or a workflow of a running pipeline ends, every webhook of its project that asks
for that event gets a POST with CircleCI's headers (`content-type`, `user-agent:
CircleCI-Webhook/1.0`, `circleci-event-type`, and `circleci-signature: v1=...` when the
webhook has a signing secret) and a body shaped like CircleCI's payload. A delivery answered
other than 2xx, or not answered within `timeout` seconds, is tried again after each of
`retry_seconds` (on the fake state's clock), then given up. Deliveries go only to loopback
addresses: a webhook pointing anywhere else is recorded as refused and never sent.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from datetime import datetime, timedelta

import aiohttp
import attrs

from ..jsoncodec import dumps
from ..loopback import is_loopback_url
from ..webhooks.signature import SIGNATURE_HEADER, sign
from .faults import Faults
from .records import JobRecord, WorkflowRecord
from .state import FakeState
from .webhook_payloads import event_payload

__all__ = ["DEFAULT_RETRY_SECONDS", "USER_AGENT", "Delivery", "WebhookDeliveries"]

USER_AGENT = "CircleCI-Webhook/1.0"
DEFAULT_RETRY_SECONDS = (2.0, 10.0, 30.0)
"""Waits before the second, third and fourth (last) attempt of a failed delivery."""


@attrs.define(kw_only=True)
class Delivery:
    """One webhook event the fake sends to one webhook, with the outcome of every attempt."""

    webhook_id: str
    url: str
    event_id: str
    event_type: str
    body: bytes = attrs.field(repr=False)
    headers: dict[str, str] = attrs.field(repr=False)
    verify_tls: bool = True
    outcomes: list[int | str] = attrs.field(factory=list)
    """Each attempt's HTTP status, or what went wrong below HTTP."""
    due_at: datetime | None = None
    """When the next attempt is due; None once delivered, given up or refused."""
    delivered: bool = False
    refused: str | None = None
    """Why it was never sent (a URL that is not a loopback address)."""
    duplicate: bool = False
    """A second copy sent by the `duplicate_webhook` fault."""
    in_flight: bool = attrs.field(default=False, repr=False)


class WebhookDeliveries:
    """The webhooks the fake sends; `sent` lists every delivery in the order they were made."""

    def __init__(
        self,
        state: FakeState,
        faults: Faults | None = None,
        *,
        retry_seconds: Sequence[float] = DEFAULT_RETRY_SECONDS,
        timeout: float = 10.0,
    ) -> None:
        self.state = state
        self.faults = faults
        self.retry_seconds = tuple(retry_seconds)
        """Waits between attempts; its length is how many times a delivery is retried."""
        self.timeout = timeout
        """Seconds an attempt may take, as CircleCI allows about 10."""
        self.sent: list[Delivery] = []
        self._pending: list[Delivery] = []
        self._session: aiohttp.ClientSession | None = None

    def notify(self, workflow: WorkflowRecord, job: JobRecord | None) -> None:
        """A job (or, with `job=None`, a workflow) ended: queue its event for every webhook."""
        pipeline = self.state.pipelines.get(workflow.pipeline_id)
        project = self.state.projects.get(workflow.project_slug)
        if pipeline is None or project is None:
            return
        kind = "workflow-completed" if job is None else "job-completed"
        now = self.state.now()
        for webhook in list(self.state.webhooks.values()):
            if webhook.scope_id != project.id or kind not in webhook.events:
                continue
            event_id = self.state.new_id()
            body = dumps(
                event_payload(
                    event_id=event_id,
                    webhook=webhook,
                    project=project,
                    pipeline=pipeline,
                    workflow=workflow,
                    job=job,
                    happened_at=now,
                )
            )
            headers = {
                "content-type": "application/json",
                "user-agent": USER_AGENT,
                "circleci-event-type": kind,
            }
            if webhook.signing_secret:
                headers[SIGNATURE_HEADER] = sign(body, webhook.signing_secret)
            copies = 2 if self.faults is not None and self.faults.take_webhook_duplicate() else 1
            for copy in range(copies):
                delivery = Delivery(
                    webhook_id=webhook.id,
                    url=webhook.url,
                    event_id=event_id,
                    event_type=kind,
                    body=body,
                    headers=headers,
                    verify_tls=webhook.verify_tls,
                    due_at=now,
                    duplicate=copy > 0,
                )
                self._queue(delivery)

    def _queue(self, delivery: Delivery) -> None:
        self.sent.append(delivery)
        if not is_loopback_url(delivery.url):
            delivery.refused = "the fake delivers only to loopback addresses"
            delivery.due_at = None
            return
        self._pending.append(delivery)

    @property
    def pending(self) -> int:
        """Deliveries not yet delivered or given up."""
        return len(self._pending)

    def due(self) -> list[Delivery]:
        """Deliveries whose next attempt is due now and not under way."""
        now = self.state.now()
        return [d for d in self._pending if not d.in_flight and d.due_at and d.due_at <= now]

    async def deliver_due(self) -> int:
        """Make every attempt that is due (concurrently); how many were made."""
        due = self.due()
        if not due:
            return 0
        if self._session is None:
            self._session = aiohttp.ClientSession()
        await asyncio.gather(*(self._attempt(self._session, d) for d in due))
        return len(due)

    async def _attempt(self, session: aiohttp.ClientSession, delivery: Delivery) -> None:
        delivery.in_flight = True
        try:
            outcome = await self._post(session, delivery)
        finally:
            delivery.in_flight = False
        delivery.outcomes.append(outcome)
        if isinstance(outcome, int) and 200 <= outcome < 300:
            delivery.delivered = True
        elif len(delivery.outcomes) <= len(self.retry_seconds):
            wait = self.retry_seconds[len(delivery.outcomes) - 1]
            delivery.due_at = self.state.now() + timedelta(seconds=wait)
            return
        delivery.due_at = None
        self._pending.remove(delivery)

    async def _post(self, session: aiohttp.ClientSession, delivery: Delivery) -> int | str:
        try:
            async with session.post(
                delivery.url,
                data=delivery.body,
                headers=delivery.headers,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                allow_redirects=False,
                ssl=delivery.verify_tls,
            ) as response:
                return response.status
        except TimeoutError:
            return "timeout"
        except aiohttp.ClientError as error:
            return type(error).__name__

    async def close(self) -> None:
        """Close the HTTP session the deliveries use; pending ones stay unsent."""
        session, self._session = self._session, None
        if session is not None:
            with contextlib.suppress(Exception):
                await session.close()
