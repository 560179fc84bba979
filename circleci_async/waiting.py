"""Waiting for a pipeline or a workflow to end: polite polling, or webhooks, bounded by a timeout.

`PipelinesService.wait` and `WorkflowsService.wait` use `wait_until`: it reads the object,
and until it is final sleeps a growing interval (`first_interval`, times `growth` each poll,
at most `max_interval`) on the client's clock, every read going through the client's gate and
retries like any other call. With `events` (a `WebhookReceiver` or any async iterator of
webhook events), an event that names the object ends the pause at once, so a webhook-driven
wait reads the object right after CircleCI reports it; polling goes on at `max_interval` in
case a delivery is lost. `timeout` bounds the whole wait: `WaitTimeoutError` then carries the
last object seen.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import attrs

from .errors import InvalidArgumentError, WaitTimeoutError
from .models import Pipeline, PipelineState, Workflow, WorkflowStatus, WorkflowTag
from .session import SessionCore

if TYPE_CHECKING:
    from .webhooks.events import Event

__all__ = [
    "FINAL_WORKFLOW_STATUSES",
    "PASSED_WORKFLOW_STATUSES",
    "PipelineOutcome",
    "WaitPolicy",
    "pipeline_is_final",
    "wait_until",
]

T = TypeVar("T")

FINAL_WORKFLOW_STATUSES = frozenset(
    {
        WorkflowStatus.SUCCESS,
        WorkflowStatus.NOT_RUN,
        WorkflowStatus.FAILED,
        WorkflowStatus.ERROR,
        WorkflowStatus.CANCELED,
        WorkflowStatus.UNAUTHORIZED,
    }
)
"""Workflow statuses that no longer change (`on_hold` waits for an approval, so is not one)."""

PASSED_WORKFLOW_STATUSES = frozenset({WorkflowStatus.SUCCESS, WorkflowStatus.NOT_RUN})
"""Final statuses that are not a failure (`not_run`: skipped by its conditions)."""


@attrs.frozen
class WaitPolicy:
    """How a waiter polls: seconds of the first pause, its growth per poll, its cap, the limit."""

    timeout: float = 3600.0
    first_interval: float = 2.0
    growth: float = 1.5
    max_interval: float = 30.0

    def __attrs_post_init__(self) -> None:
        for name in ("timeout", "first_interval", "max_interval"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise InvalidArgumentError(f"{name} must be a positive number of seconds")
        if isinstance(self.growth, bool) or not isinstance(self.growth, int | float):
            raise InvalidArgumentError("growth must be a number of at least 1")
        if self.growth < 1:
            raise InvalidArgumentError(f"growth must be at least 1, got {self.growth}")
        if self.first_interval > self.max_interval:
            raise InvalidArgumentError("first_interval must not exceed max_interval")


@attrs.frozen
class PipelineOutcome:
    """A pipeline seen at its end, with its workflows."""

    pipeline: Pipeline
    workflows: list[Workflow]

    @property
    def passed(self) -> bool:
        """True when it created workflows and none of them failed, errored or was canceled."""
        if self.pipeline.state == PipelineState.ERRORED or not self.workflows:
            return False
        return all(w.status in PASSED_WORKFLOW_STATUSES for w in self.workflows)

    @property
    def status(self) -> str:
        """`success`, `errored` (the pipeline itself), or the first failed workflow's status."""
        if self.pipeline.state == PipelineState.ERRORED:
            return "errored"
        for workflow in self.workflows:
            if workflow.status not in PASSED_WORKFLOW_STATUSES:
                return str(getattr(workflow.status, "value", workflow.status))
        return "success" if self.workflows else "no workflows"


def pipeline_is_final(pipeline: Pipeline, workflows: list[Workflow]) -> bool:
    """Whether a pipeline has ended: errored, or every workflow final.

    A lone setup workflow that passed is not the end: its continuation is yet to come.
    """
    if pipeline.state == PipelineState.ERRORED:
        return True
    if not workflows or any(w.status not in FINAL_WORKFLOW_STATUSES for w in workflows):
        return False
    only_setup = all(w.tag == WorkflowTag.SETUP for w in workflows)
    return not (only_setup and all(w.status == WorkflowStatus.SUCCESS for w in workflows))


async def wait_until(
    core: SessionCore,
    read: Callable[[], Awaitable[T]],
    final: Callable[[T], bool],
    *,
    what: str,
    policy: WaitPolicy,
    events: AsyncIterator[Event] | None = None,
    names: Callable[[Event], bool] = lambda _event: True,
    on_poll: Callable[[T], Awaitable[None]] | None = None,
) -> T:
    """Read with `read()` until `final` holds; the last value read.

    Between reads, pause on `core.sleep` for the policy's growing interval, or until an
    event of `events` for which `names` holds. Raises `WaitTimeoutError` once `policy.timeout`
    seconds (on `core.clock`) have passed without a final value.
    """
    deadline = core.clock() + policy.timeout
    interval = policy.max_interval if events is not None else policy.first_interval
    listener: asyncio.Task[Event | None] | None = None
    try:
        while True:
            seen = await read()
            if on_poll is not None:
                await on_poll(seen)
            if final(seen):
                return seen
            left = deadline - core.clock()
            if left <= 0:
                raise WaitTimeoutError(
                    f"{what} did not finish within {policy.timeout:g} s", last=seen
                )
            pause = min(interval, left)
            interval = min(interval * policy.growth, policy.max_interval)
            if events is None:
                await core.sleep(pause)
                continue
            listener, ended = await _pause_or_event(core, pause, events, names, listener)
            if ended:
                events, interval = None, policy.first_interval
    finally:
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener


async def _next_naming(
    events: AsyncIterator[Event], names: Callable[[Event], bool]
) -> Event | None:
    """The next event that names the object; None once `events` ends."""
    async for event in events:
        if names(event):
            return event
    return None


async def _pause_or_event(
    core: SessionCore,
    seconds: float,
    events: AsyncIterator[Event],
    names: Callable[[Event], bool],
    listener: asyncio.Task[Event | None] | None,
) -> tuple[asyncio.Task[Event | None] | None, bool]:
    """Sleep `seconds` or until an event names the object.

    Returns the listener if it is still pending, and whether `events` has ended.
    """
    if listener is None:
        listener = asyncio.ensure_future(_next_naming(events, names))
    sleeper = asyncio.ensure_future(core.sleep(seconds))
    try:
        await asyncio.wait({listener, sleeper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        sleeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sleeper
    if not listener.done():
        return listener, False
    return None, listener.result() is None
