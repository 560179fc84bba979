"""Step logs in a harvest: `LogRef` (one action's output), their listing, and saving one.

A harvest with `logs="all"` (or `"failed"`: only jobs that failed, timed out or hit an
infrastructure failure) also saves each step's output, per container, as text with its
ANSI escapes, to `<job folder>/logs/<container>/<step id>-<step name>.log` (`logs/...`
straight under the destination for one job). Artifacts sit under numeric container folders,
so the two never share a name. The output is read through the logs library
(`circleci_async.logs.StepOutput`): streamed from its pre-signed URL (never sent the token),
in bounded memory whatever its size, an expired URL renewed once, and written through a
`.part` file renamed only when complete.
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import TYPE_CHECKING, Literal

import attrs

from ..errors import CircleCIError, InvalidArgumentError
from .partfile import PartFile
from .report import ListingFailure, detached

if TYPE_CHECKING:
    from ..logs.models import JobSteps, StepAction
    from ..session import SessionCore

__all__ = [
    "FAILED_JOB_STATUSES",
    "LOGS_FOLDER",
    "LogRef",
    "LogSaver",
    "LogsChoice",
    "job_failed",
    "job_log_listing",
    "validate_logs",
]

LOGS_FOLDER = "logs"
"""The folder of a job's step logs, beside its artifacts' container folders."""
FAILED_JOB_STATUSES = frozenset({"failed", "timedout", "infrastructure_fail"})
"""Job statuses whose logs `logs="failed"` saves."""
LogsChoice = Literal["none", "all", "failed"]
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_NAME_LIMIT = 60


def validate_logs(value: object) -> LogsChoice:
    """`value` if it is "none", "all" or "failed", else `InvalidArgumentError`."""
    if value == "none":
        return "none"
    if value == "all":
        return "all"
    if value == "failed":
        return "failed"
    raise InvalidArgumentError(f"logs must be 'none', 'all' or 'failed', got {value!r}")


def _file_name(step: int, name: str | None) -> str:
    label = _UNSAFE.sub("-", name or "").strip("-.")[:_NAME_LIMIT].strip("-.")
    return f"{step:03d}-{label or 'step'}.log"


@attrs.frozen
class LogRef:
    """One action's output to save: its job, step and container, and the action itself."""

    project_slug: str
    job_number: int
    job_name: str | None
    step: int
    step_name: str | None
    index: int
    action: StepAction = attrs.field(repr=False, eq=False)

    @property
    def path(self) -> str:
        """Where the log goes inside its job's folder: `logs/<container>/<step>-<name>.log`."""
        return f"{LOGS_FOLDER}/{self.index}/{_file_name(self.step, self.step_name)}"


def job_failed(steps: JobSteps) -> bool:
    """Whether the job failed, timed out or hit an infrastructure failure."""
    return (steps.status or "") in FAILED_JOB_STATUSES or bool(steps.failed_actions())


async def job_log_listing(
    core: SessionCore,
    project_slug: str,
    job_number: int,
    job_name: str | None = None,
    *,
    failed_only: bool = False,
    status: str | None = None,
) -> AsyncGenerator[LogRef | ListingFailure, None]:
    """A `LogRef` for every action with output of one job (of a failed job only, if asked).

    `status` (the job's v2 status, when the caller has it) skips the v1.1 request for a job
    that did not fail when only failed jobs are wanted.
    """
    from ..logs.steps import fetch_steps  # the logs package imports the harvester's hosts

    if failed_only and status is not None and status not in FAILED_JOB_STATUSES:
        return
    try:
        steps = await fetch_steps(core, project_slug, job_number)
    except CircleCIError as error:
        source = f"the steps of job {job_number} of {project_slug}"
        yield ListingFailure(source, detached(error))
        return
    if failed_only and not job_failed(steps):
        return
    for step in steps.steps:
        for action in step.actions:
            if not action.output_url or action.step is None or action.index is None:
                continue
            name = step.name or action.name
            yield LogRef(
                project_slug,
                job_number,
                job_name or steps.job_name,
                action.step,
                name,
                action.index,
                action,
            )


Received = Callable[[int], None]


class LogSaver:
    """Saves one `LogRef`'s output into its `.part` file, for the harvest's workers."""

    def __init__(self, core: SessionCore) -> None:
        self._core = core

    async def save(self, ref: LogRef, part: PartFile, received: Received) -> int:
        """Stream the output into `part` and move it into place; the bytes written.

        `part` is owned by the caller (`partfile.owned`). On any failure it is emptied (and
        removed when given up) and the error raised.
        """
        from ..logs.stream import StepOutput

        output = StepOutput(
            self._core, self._details(ref), step=ref.step, index=ref.index, known=ref.action
        )
        part.open(0)
        size = 0
        try:
            async for line in output:
                data = line.message.encode("utf-8", "surrogateescape")
                part.write(data)
                size += len(data)
                received(len(data))
        except BaseException:
            part.discard()
            raise
        part.finish()
        return size

    def _details(self, ref: LogRef) -> Callable[[], Awaitable[JobSteps]]:
        from ..logs.steps import fetch_steps

        def details() -> Awaitable[JobSteps]:
            return fetch_steps(self._core, ref.project_slug, ref.job_number)

        return details
