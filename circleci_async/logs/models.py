"""Typed v1.1 job details (steps and their actions), log lines and the failure summary.

Read tolerantly like every model (`circleci_async.models`): v1.1 has no schema, so every
field may be missing or null, and statuses CircleCI adds later are kept as strings.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from enum import StrEnum

import attrs

from ..models.base import JsonValue, model, wire
from ..models.jobs import JobDetails, TestResult

__all__ = [
    "ActionStatus",
    "FailedAction",
    "JobFailure",
    "JobStep",
    "JobSteps",
    "LogLine",
    "StepAction",
    "V11Job",
    "V11Step",
    "V11Workflows",
]


class ActionStatus(StrEnum):
    """The statuses of an action (a step on one container) known here.

    `StepAction.status` is a plain string, so that a status CircleCI adds later is kept
    without a warning (v1.1 has no schema to drift from); it compares equal to these.
    """

    SUCCESS = "success"
    FAILED = "failed"
    TIMEDOUT = "timedout"
    CANCELED = "canceled"
    RUNNING = "running"
    INFRASTRUCTURE_FAIL = "infrastructure_fail"
    QUEUED = "queued"
    NOT_RUN = "not_run"


_FAILED_STATUSES = frozenset({"failed", "timedout", "infrastructure_fail"})


@model
class StepAction:
    """One step as it ran on one container (`index`); `step` is its id in the job.

    Step ids are not contiguous (0, 1, 115 occur). `output_url` is a pre-signed storage URL,
    left out of `repr`.
    """

    index: int | None = None
    step: int | None = None
    name: str | None = None
    status: str | None = None
    """An `ActionStatus` value, or a status CircleCI added later, kept as sent."""
    failed: bool | None = None
    timedout: bool | None = None
    infrastructure_fail: bool | None = None
    canceled: bool | None = None
    exit_code: int | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    run_time_millis: int | None = None
    has_output: bool | None = None
    truncated: bool | None = None
    output_url: str | None = attrs.field(default=None, repr=False)
    parallel: bool | None = None
    background: bool | None = None
    type: str | None = None
    bash_command: str | None = None
    allocation_id: str | None = None
    insignificant: bool | None = None
    continue_: JsonValue = wire("continue", default=None)

    @property
    def timed_out(self) -> bool:
        """Whether the step was stopped by a timeout (the no-output timeout included)."""
        return self.status == ActionStatus.TIMEDOUT or self.timedout is True

    @property
    def is_failed(self) -> bool:
        """Failed, timed out, an infrastructure failure, or a non-zero exit code."""
        return (
            self.status in _FAILED_STATUSES
            or self.failed is True
            or self.timedout is True
            or self.infrastructure_fail is True
            or (self.exit_code is not None and self.exit_code != 0)
        )

    @property
    def outcome(self) -> str:
        """How the action ended, in words: `exit code 1`, `timed out`, or its status."""
        if self.timed_out:
            return "timed out"
        if self.exit_code is not None:
            return f"exit code {self.exit_code}"
        if self.infrastructure_fail is True:
            return "infrastructure failure"
        return self.status if self.status is not None else "unknown"


@model
class V11Step:
    """A step of a v1.1 job, as sent: its name and one action per container."""

    name: str | None = None
    actions: list[StepAction] | None = None


@model
class V11Workflows:
    """The `workflows` part of a v1.1 job: `job_id` is the v2 job's id (its UUID)."""

    job_name: str | None = None
    job_id: str | None = None
    workflow_id: str | None = None
    workflow_name: str | None = None


@model
class V11Job:
    """The parts of a v1.1 job-details answer the logs use."""

    build_num: int | None = None
    status: str | None = None
    lifecycle: str | None = None
    outcome: str | None = None
    parallel: int | None = None
    failed: bool | None = None
    steps: list[V11Step] | None = None
    workflows: V11Workflows | None = None


@attrs.frozen(kw_only=True)
class JobStep:
    """One step of a job: its name, id and its actions (one per container, by `index`)."""

    name: str | None
    id: int | None
    actions: tuple[StepAction, ...]

    def action(self, index: int) -> StepAction | None:
        """The action on container `index`, or None."""
        return next((a for a in self.actions if a.index == index), None)


@attrs.frozen(kw_only=True)
class JobSteps:
    """A job's steps from v1.1 job details, with the answer kept as sent in `raw`."""

    number: int | None
    status: str | None
    lifecycle: str | None
    parallelism: int | None
    job_name: str | None
    job_id: str | None
    """The v2 job's id (a UUID), which v3 uses; None when the answer lacks it."""
    steps: tuple[JobStep, ...]
    raw: JsonValue = attrs.field(repr=False, eq=False)

    def actions(self) -> Iterator[StepAction]:
        """Every action of every step, in order."""
        for step in self.steps:
            yield from step.actions

    def failed_actions(self) -> list[StepAction]:
        """The actions that failed, timed out, hit an infrastructure failure or exited non-zero."""
        return [action for action in self.actions() if action.is_failed]

    def ending_step(self) -> JobStep | None:
        """The step that ended the job: the first with a failed action, else None."""
        return next((s for s in self.steps if any(a.is_failed for a in s.actions)), None)

    def containers(self) -> list[int]:
        """The container indexes that ran any step, in order."""
        return sorted({a.index for a in self.actions() if a.index is not None})

    def find(self, step: int | str) -> JobStep | None:
        """The step with id `step` (an int), or the first named `step` (a str)."""
        for candidate in self.steps:
            if isinstance(step, int) and candidate.id == step:
                return candidate
            if isinstance(step, str) and candidate.name == step:
                return candidate
        return None


@attrs.frozen
class LogLine:
    """One element of a step's output: its text (ANSI escapes kept), time and stream."""

    message: str
    time: datetime | None = None
    stream: str = "out"
    """`out` or `err` (another value CircleCI sends is kept)."""


@attrs.frozen(kw_only=True)
class FailedAction:
    """A failed action with the last lines of its output (ANSI stripped)."""

    step: str | None
    step_id: int | None
    index: int | None
    outcome: str
    """`exit code 1`, `timed out`, ...: see `StepAction.outcome`."""
    exit_code: int | None
    timed_out: bool
    tail: tuple[str, ...]
    action: StepAction = attrs.field(repr=False)


@attrs.frozen(kw_only=True)
class JobFailure:
    """Why a job failed: the job, each failed action with its tail, the failed tests."""

    job: JobDetails
    steps: JobSteps = attrs.field(repr=False)
    actions: tuple[FailedAction, ...]
    failed_tests: tuple[TestResult, ...]

    def summary(self) -> str:
        """A few lines for a person: each failed step, how it ended and its last lines."""
        lines: list[str] = []
        for failed in self.actions:
            where = f" (container {failed.index})" if failed.index else ""
            lines.append(f"step {failed.step!r}{where}: {failed.outcome}")
            lines.extend(f"    {text}" for text in failed.tail)
        for test in self.failed_tests:
            lines.append(f"test failed: {test.classname}.{test.name}")
        return "\n".join(lines)
