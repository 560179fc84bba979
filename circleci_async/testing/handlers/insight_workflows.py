"""Handlers of the Insights tag for one project's workflows, their runs, jobs and tests.

Each takes the runs in scope: the default branch unless `branch` or `all-branches=true`,
over `reporting-window` (90 days by default). A workflow name the project never ran is a 404.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from ..api_context import ApiContext, ApiError
from ..insight_data import (
    Run,
    duration_stats,
    job_credits,
    job_seconds,
    mttr,
    percentile,
    runs,
    success_rate,
    throughput,
)
from ..payloads import JsonObject, rfc3339
from ..records import JobRecord, ProjectRecord, TestResultRecord
from ..replies import Reply
from .bodies import Body
from .insights import Scope, known_workflow, scope, trends

__all__ = [
    "get_job_timeseries",
    "get_workflow_job_metrics",
    "get_workflow_metrics",
    "get_workflow_runs",
    "get_workflow_summary",
    "get_workflow_test_metrics",
]

_RECENT_RUNS = 10
"""Test metrics look at this many of the latest runs."""
_TOP = 10
"""Most-failed and slowest tests listed."""
_BUCKETS = {"daily": timedelta(days=1), "hourly": timedelta(hours=1)}
_SPANS = {"daily": timedelta(days=90), "hourly": timedelta(hours=48)}


def _scoped(
    ctx: ApiContext, project: ProjectRecord, found_scope: Scope, name: str | None = None
) -> list[Run]:
    since = ctx.state.now() - found_scope.window
    return runs(
        ctx.state,
        project,
        name=name,
        branch=found_scope.branch,
        all_branches=found_scope.all_branches,
        since=since,
    )


def _workflow_metrics(found_runs: list[Run], window: timedelta) -> JsonObject:
    recovery, recoveries = mttr(found_runs)
    succeeded = sum(run.succeeded for run in found_runs)
    return {
        "total_runs": len(found_runs),
        "successful_runs": succeeded,
        "failed_runs": len(found_runs) - succeeded,
        "success_rate": success_rate(run.succeeded for run in found_runs),
        "throughput": throughput(len(found_runs), window),
        "mttr": recovery,
        "total_recoveries": recoveries,
        "total_credits_used": sum(run.credits for run in found_runs),
        "duration_metrics": duration_stats([run.duration for run in found_runs]),
    }


def _window(ctx: ApiContext, window: timedelta) -> JsonObject:
    now = ctx.state.now()
    return {"window_start": rfc3339(now - window), "window_end": rfc3339(now)}


async def get_workflow_metrics(ctx: ApiContext) -> Reply:
    """GET /insights/{project-slug}/workflows: metrics of each workflow, by name."""
    project = ctx.project()
    found_scope = scope(ctx)
    by_name: dict[str, list[Run]] = defaultdict(list)
    for run in _scoped(ctx, project, found_scope):
        by_name[run.workflow.name].append(run)
    items = [
        {
            "name": name,
            "metrics": _workflow_metrics(group, found_scope.window),
            "project_id": project.id,
            **_window(ctx, found_scope.window),
        }
        for name, group in sorted(by_name.items())
    ]
    return ctx.page(items, lambda item: item)


def _date(ctx: ApiContext, name: str, default: datetime) -> datetime:
    """A date-time query parameter (read like a body field: 400 when malformed)."""
    text = ctx.query.get(name)
    return default if text is None else Body({name: text}).need_moment(name)


async def get_workflow_runs(ctx: ApiContext) -> Reply:
    """GET /insights/{project-slug}/workflows/{workflow-name}: a workflow's runs.

    Those between `start-date` and `end-date` (the last 90 days by default), newest first.
    """
    project = ctx.project()
    name = known_workflow(ctx, project)
    found_scope = scope(ctx)
    now = ctx.state.now()
    start = _date(ctx, "start-date", now - found_scope.window)
    end = _date(ctx, "end-date", now)
    found_runs = runs(
        ctx.state,
        project,
        name=name,
        branch=found_scope.branch,
        all_branches=found_scope.all_branches,
        since=start,
        until=end + timedelta(microseconds=1),
    )

    def render(run: Run) -> JsonObject:
        return {
            "id": run.workflow.id,
            "branch": run.branch,
            "duration": run.duration,
            "created_at": rfc3339(run.created_at),
            "stopped_at": rfc3339(run.stopped_at),
            "credits_used": run.credits,
            "status": run.workflow.status,
            "is_approval": any(job.type == "approval" for job in run.workflow.jobs),
        }

    return ctx.page(found_runs, render)


def _finished_jobs(found_runs: Iterable[Run]) -> list[JobRecord]:
    return [job for run in found_runs for job in run.workflow.jobs if job_seconds(job) is not None]


def _job_metrics(jobs: list[JobRecord], window: timedelta) -> JsonObject:
    succeeded = sum(job.status == "success" for job in jobs)
    return {
        "total_runs": len(jobs),
        "successful_runs": succeeded,
        "failed_runs": len(jobs) - succeeded,
        "success_rate": success_rate(job.status == "success" for job in jobs),
        "total_credits_used": sum(job_credits(job) for job in jobs),
        "throughput": throughput(len(jobs), window),
        "duration_metrics": duration_stats([job_seconds(job) or 0 for job in jobs]),
    }


async def get_workflow_job_metrics(ctx: ApiContext) -> Reply:
    """GET /insights/{project-slug}/workflows/{workflow-name}/jobs: metrics of each job.

    `job-name` keeps the jobs whose name holds it.
    """
    project = ctx.project()
    name = known_workflow(ctx, project)
    found_scope = scope(ctx)
    part = ctx.query.get("job-name", "")
    by_job: dict[str, list[JobRecord]] = defaultdict(list)
    for job in _finished_jobs(_scoped(ctx, project, found_scope, name)):
        if part in job.name:
            by_job[job.name].append(job)
    items = [
        {
            "name": job_name,
            "metrics": _job_metrics(jobs, found_scope.window),
            **_window(ctx, found_scope.window),
        }
        for job_name, jobs in sorted(by_job.items())
    ]
    return ctx.page(items, lambda item: item)


def _summary_trends(current: list[Run], before: list[Run], window: timedelta) -> JsonObject:
    def figures(found_runs: list[Run]) -> JsonObject:
        durations = [run.duration for run in found_runs]
        metrics = _workflow_metrics(found_runs, window)
        return {
            "total_runs": metrics["total_runs"],
            "failed_runs": metrics["failed_runs"],
            "success_rate": metrics["success_rate"],
            "p95_duration_secs": float(percentile(durations, 0.95)) if durations else 0.0,
            "median_duration_secs": float(statistics.median(durations)) if durations else 0.0,
            "total_credits_used": metrics["total_credits_used"],
            "mttr": metrics["mttr"] or 0,
            "throughput": metrics["throughput"],
        }

    return trends(figures(current), figures(before))


async def get_workflow_summary(ctx: ApiContext) -> Reply:
    """GET /insights/{project-slug}/workflows/{workflow-name}/summary.

    Metrics over the window (90 days by default), trends against the window before it.
    """
    project = ctx.project()
    name = known_workflow(ctx, project)
    found_scope = scope(ctx)
    now = ctx.state.now()
    window = found_scope.window
    current = _scoped(ctx, project, found_scope, name)
    before = runs(
        ctx.state,
        project,
        name=name,
        branch=found_scope.branch,
        all_branches=found_scope.all_branches,
        since=now - 2 * window,
        until=now - window,
    )
    metrics = _workflow_metrics(current, window)
    del metrics["total_recoveries"]
    metrics["completed_runs"] = len(current)
    metrics.update(_window(ctx, window))
    names = sorted({w.name for p in project.pipelines for w in p.workflows})
    body = {
        "metrics": metrics,
        "trends": _summary_trends(current, before, window),
        "workflow_names": names,
    }
    return Reply.json(200, body)


def _case_metrics(job_name: str, results: list[TestResultRecord]) -> JsonObject:
    first = results[0]
    failed = sum(result.result in ("failure", "error") for result in results)
    return {
        "test_name": first.name,
        "job_name": job_name,
        "classname": first.classname,
        "file": first.file,
        "source": first.source,
        "total_runs": len(results),
        "failed_runs": failed,
        "flaky": 0 < failed < len(results),
        "p95_duration": percentile([result.run_time for result in results], 0.95),
    }


def _counts(results: list[TestResultRecord]) -> JsonObject:
    counts = {key: sum(r.result == key for r in results) for key in ("error", "failure", "skipped")}
    counts["success"] = sum(r.result == "success" for r in results)
    counts["total"] = len(results)
    return counts


async def get_workflow_test_metrics(ctx: ApiContext) -> Reply:
    """GET /insights/{project-slug}/workflows/{workflow-name}/test-metrics.

    The tests of the latest ten runs; the ten most failed and the ten slowest.
    """
    project = ctx.project()
    name = known_workflow(ctx, project)
    recent = _scoped(ctx, project, scope(ctx), name)[:_RECENT_RUNS]
    cases: dict[tuple[str, str, str], list[TestResultRecord]] = defaultdict(list)
    test_runs = []
    for run in recent:
        results = [(job.name, test) for job in run.workflow.jobs for test in job.tests]
        for job_name, test in results:
            cases[(job_name, test.classname, test.name)].append(test)
        tests = [test for _, test in results]
        test_runs.append(
            {
                "pipeline_number": run.pipeline.number,
                "workflow_id": run.workflow.id,
                "success_rate": success_rate(test.result == "success" for test in tests),
                "test_counts": _counts(tests),
            }
        )
    metrics = [_case_metrics(key[0], results) for key, results in sorted(cases.items())]
    failing = sorted(
        (m for m in metrics if m["failed_runs"]), key=lambda m: (-m["failed_runs"], m["test_name"])
    )
    slowest = sorted(metrics, key=lambda m: (-m["p95_duration"], m["test_name"]))
    total = sum(len(results) for results in cases.values())
    body = {
        "average_test_count": round(total / len(recent)) if recent else 0,
        "most_failed_tests": failing[:_TOP],
        "most_failed_tests_extra": max(0, len(failing) - _TOP),
        "slowest_tests": slowest[:_TOP],
        "slowest_tests_extra": max(0, len(slowest) - _TOP),
        "total_test_runs": total,
        "test_runs": test_runs,
    }
    return Reply.json(200, body)


def _bucket(moment: datetime, size: timedelta) -> datetime:
    if size >= timedelta(days=1):
        return moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return moment.replace(minute=0, second=0, microsecond=0)


async def get_job_timeseries(ctx: ApiContext) -> Reply:
    """GET /insights/time-series/{project-slug}/workflows/{workflow-name}/jobs.

    Each job's metrics per day (`granularity=daily`, 90 days back by default) or hour
    (`hourly`, 48 hours back); throughput is runs per day.
    """
    project = ctx.project()
    name = known_workflow(ctx, project)
    granularity = ctx.query.get("granularity", "daily")
    if granularity not in _BUCKETS:
        raise ApiError(400, "granularity must be daily or hourly.")
    size = _BUCKETS[granularity]
    now = ctx.state.now()
    start = _date(ctx, "start-date", now - _SPANS[granularity])
    end = _date(ctx, "end-date", now)
    branch = ctx.query.get("branch") or None
    found_runs = runs(ctx.state, project, name=name, branch=branch, since=start - size)
    groups: dict[tuple[datetime, str], list[JobRecord]] = defaultdict(list)
    for job in _finished_jobs(found_runs):
        started = job.started_at
        if started is not None and start <= started <= end:
            groups[(_bucket(started, size), job.name)].append(job)
    items = []
    for (bucket, job_name), jobs in sorted(groups.items()):
        seconds = [job_seconds(job) or 0 for job in jobs]
        credits = [job_credits(job) for job in jobs]
        succeeded = sum(job.status == "success" for job in jobs)
        items.append(
            {
                "name": job_name,
                "min_started_at": rfc3339(min(job.started_at or bucket for job in jobs)),
                "max_ended_at": rfc3339(max(job.stopped_at or bucket for job in jobs)),
                "timestamp": rfc3339(bucket),
                "metrics": {
                    "total_runs": len(jobs),
                    "successful_runs": succeeded,
                    "failed_runs": len(jobs) - succeeded,
                    "throughput": throughput(len(jobs), size),
                    "median_credits_used": round(statistics.median(credits)),
                    "total_credits_used": sum(credits),
                    "duration_metrics": {
                        "min": min(seconds),
                        "median": round(statistics.median(seconds)),
                        "max": max(seconds),
                        "p95": round(percentile(seconds, 0.95)),
                        "total": sum(seconds),
                    },
                },
            }
        )
    return ctx.page(items, lambda item: item)
