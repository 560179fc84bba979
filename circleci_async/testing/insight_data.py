"""What the fake's Insights are computed from: finished workflow runs, and the numbers on them.

A run is a workflow that ended (success, failed, error, canceled or unauthorized). Its
duration runs from creation to stop. Credits are per job: minutes run (rounded up) × the
resource class's rate × parallelism. Throughput is runs per day of the window; a trend is the
relative change against the window before it (`0.25` = a quarter more), 0 when that was empty.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

import attrs

from .records import JobRecord, PipelineRecord, ProjectRecord, WorkflowRecord
from .state import FakeState

__all__ = [
    "CREDITS_PER_MINUTE",
    "RUN_STATUSES",
    "Run",
    "duration_stats",
    "job_credits",
    "job_seconds",
    "mttr",
    "percentile",
    "runs",
    "success_rate",
    "throughput",
    "trend",
]

RUN_STATUSES = frozenset({"success", "failed", "error", "canceled", "unauthorized"})
"""Statuses of the workflow runs Insights counts."""
CREDITS_PER_MINUTE = {
    "small": 5, "medium": 10, "medium+": 15, "large": 20, "xlarge": 40, "2xlarge": 80,
    "2xlarge+": 100,
}  # fmt: skip
"""Credits a container of each Docker resource class uses a minute (others: as medium)."""


def job_seconds(job: JobRecord) -> int | None:
    """How long a job ran, in whole seconds; None when it did not run to an end."""
    if job.started_at is None or job.stopped_at is None:
        return None
    return round((job.stopped_at - job.started_at).total_seconds())


def job_credits(job: JobRecord) -> int:
    """Credits a job used."""
    ran = job_seconds(job)
    if not ran:
        return 0
    rate = CREDITS_PER_MINUTE.get(job.resource_class, CREDITS_PER_MINUTE["medium"])
    return math.ceil(ran / 60) * rate * job.parallelism


@attrs.frozen
class Run:
    """A workflow that ended, as Insights sees it."""

    workflow: WorkflowRecord
    pipeline: PipelineRecord
    stopped_at: datetime

    @property
    def branch(self) -> str:
        """The branch built (empty for a tag)."""
        return self.pipeline.branch or ""

    @property
    def created_at(self) -> datetime:
        """When the run started."""
        return self.workflow.created_at

    @property
    def duration(self) -> int:
        """Seconds from creation to stop."""
        return round((self.stopped_at - self.workflow.created_at).total_seconds())

    @property
    def credits(self) -> int:
        """Credits its jobs used."""
        return sum(job_credits(job) for job in self.workflow.jobs)

    @property
    def succeeded(self) -> bool:
        """Whether it ended in success."""
        return self.workflow.status == "success"


def runs(
    state: FakeState,
    project: ProjectRecord,
    *,
    name: str | None = None,
    branch: str | None = None,
    all_branches: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Run]:
    """The project's finished runs (of workflow `name`), newest first.

    Only those on `branch` (by default the project's default branch) unless `all_branches`;
    only those created in [`since`, `until`) when given.
    """
    wanted_branch = branch or project.default_branch
    found: list[Run] = []
    for pipeline in project.pipelines:
        if not all_branches and pipeline.branch != wanted_branch:
            continue
        for workflow in pipeline.workflows:
            if workflow.status not in RUN_STATUSES or workflow.stopped_at is None:
                continue
            if name is not None and workflow.name != name:
                continue
            if since is not None and workflow.created_at < since:
                continue
            if until is not None and workflow.created_at >= until:
                continue
            found.append(Run(workflow, pipeline, workflow.stopped_at))
    found.sort(key=lambda run: run.created_at, reverse=True)
    return found


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (`share` 0.95 for p95) of non-empty `values`."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def duration_stats(seconds: Sequence[int]) -> dict[str, int | float | None]:
    """min, mean, median, p95, max and standard deviation of durations (None when empty)."""
    if not seconds:
        return dict.fromkeys(("min", "mean", "median", "p95", "max", "standard_deviation"))
    return {
        "min": min(seconds),
        "mean": round(statistics.fmean(seconds)),
        "median": round(statistics.median(seconds)),
        "p95": round(percentile(seconds, 0.95)),
        "max": max(seconds),
        "standard_deviation": statistics.pstdev(seconds),
    }


def success_rate(outcomes: Iterable[bool]) -> float:
    """The share of successes, 0 when there were none at all."""
    listed = list(outcomes)
    return sum(listed) / len(listed) if listed else 0.0


def throughput(count: int, window: timedelta) -> float:
    """Runs per day over `window`."""
    days = window.total_seconds() / 86400
    return count / days if days else 0.0


def trend(current: float, previous: float) -> float:
    """Relative change from `previous` to `current` (0 when `previous` is 0)."""
    return 0.0 if not previous else (current - previous) / previous


def mttr(found: Iterable[Run]) -> tuple[int | None, int]:
    """Mean time to recovery in seconds, and how many recoveries there were.

    A recovery is a success after one or more failures; it took from the first failure's
    stop to the success's stop.
    """
    recoveries: list[float] = []
    failed_since: datetime | None = None
    for run in sorted(found, key=lambda item: item.created_at):
        if not run.succeeded:
            failed_since = failed_since or run.stopped_at
        elif failed_since is not None:
            recoveries.append((run.stopped_at - failed_since).total_seconds())
            failed_since = None
    if not recoveries:
        return None, 0
    return round(statistics.fmean(recoveries)), len(recoveries)
