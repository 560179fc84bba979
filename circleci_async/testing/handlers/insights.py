"""Handlers of the Insights tag at project and organization level, computed from the runs.

See `..insight_data` for what a run is and how credits, throughput and trends are reckoned.
Summaries cover `reporting-window` (90 days by default), and their trends compare it with
the window of the same length before it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import timedelta
from typing import Any

import attrs

from ..api_context import ApiContext, ApiError
from ..insight_data import Run, percentile, runs, success_rate, throughput, trend
from ..payloads import JsonObject, rfc3339
from ..records import ProjectRecord
from ..replies import Reply
from .lookups import found

__all__ = [
    "REPORTING_WINDOWS",
    "Scope",
    "get_all_insights_branches",
    "get_flaky_tests",
    "get_org_summary",
    "get_project_summary",
    "known_workflow",
    "scope",
    "trends",
]

REPORTING_WINDOWS = {
    "last-24-hours": timedelta(days=1),
    "last-7-days": timedelta(days=7),
    "last-30-days": timedelta(days=30),
    "last-60-days": timedelta(days=60),
    "last-90-days": timedelta(days=90),
}
"""The `reporting-window` values and the time each covers."""
_DEFAULT_WINDOW = REPORTING_WINDOWS["last-90-days"]
_FAILED_TESTS = frozenset({"failure", "error"})


@attrs.frozen
class Scope:
    """Which runs a request is about: a branch (or all), over a window."""

    branch: str | None
    all_branches: bool
    window: timedelta


def scope(ctx: ApiContext) -> Scope:
    """The `branch`, `all-branches` and `reporting-window` of a request (400 when invalid)."""
    every = ctx.query.get("all-branches")
    if every not in (None, "true", "false"):
        raise ApiError(400, "all-branches must be true or false.")
    branch = ctx.query.get("branch") or None
    if every == "true" and branch is not None:
        raise ApiError(400, "Give branch or all-branches=true, not both.")
    name = ctx.query.get("reporting-window")
    if name is not None and name not in REPORTING_WINDOWS:
        raise ApiError(400, f"reporting-window must be one of {', '.join(REPORTING_WINDOWS)}.")
    window = REPORTING_WINDOWS[name] if name else _DEFAULT_WINDOW
    return Scope(branch, every == "true", window)


def known_workflow(ctx: ApiContext, project: ProjectRecord) -> str:
    """The `{workflow-name}` of the path, 404 when the project never ran such a workflow."""
    name = ctx.params["workflow-name"]
    ever = any(w.name == name for p in project.pipelines for w in p.workflows)
    return found(name if ever else None, "Workflow")


def trends(current: JsonObject, previous: JsonObject) -> JsonObject:
    """The trend of each metric."""
    return {key: trend(value, previous[key]) for key, value in current.items()}


def _windows(
    ctx: ApiContext, project: ProjectRecord, window: timedelta, **options: Any
) -> tuple[list[Run], list[Run]]:
    """The runs of the window, and of the window before it."""
    now = ctx.state.now()
    current = runs(ctx.state, project, since=now - window, **options)
    before = runs(ctx.state, project, since=now - 2 * window, until=now - window, **options)
    return current, before


def _totals(found_runs: list[Run], window: timedelta) -> JsonObject:
    return {
        "total_runs": len(found_runs),
        "total_duration_secs": sum(run.duration for run in found_runs),
        "total_credits_used": sum(run.credits for run in found_runs),
        "success_rate": success_rate(run.succeeded for run in found_runs),
        "throughput": throughput(len(found_runs), window),
    }


def _page_metrics(found_runs: list[Run]) -> JsonObject:
    durations = [run.duration for run in found_runs]
    return {
        "total_credits_used": sum(run.credits for run in found_runs),
        "p95_duration_secs": float(percentile(durations, 0.95)) if durations else 0.0,
        "total_runs": len(found_runs),
        "success_rate": success_rate(run.succeeded for run in found_runs),
    }


def _grouped(found_runs: list[Run], *, by_branch: bool) -> dict[tuple[str, str], list[Run]]:
    groups: dict[tuple[str, str], list[Run]] = defaultdict(list)
    for run in found_runs:
        groups[(run.workflow.name, run.branch if by_branch else "")].append(run)
    return groups


async def get_project_summary(ctx: ApiContext) -> Reply:
    """GET /insights/pages/{project-slug}/summary, over all branches.

    `branches` and `workflow-names` narrow the per-workflow and per-branch data.
    """
    project = ctx.project()
    window = scope(ctx).window
    current, before = _windows(ctx, project, window, all_branches=True)
    names = set(ctx.query_all("workflow-names"))
    branches = set(ctx.query_all("branches"))
    workflow_data, branch_data = [], []
    earlier = _grouped(before, by_branch=False)
    for (name, _), group in sorted(_grouped(current, by_branch=False).items()):
        if names and name not in names:
            continue
        metrics = _page_metrics(group)
        previous = _page_metrics(earlier.get((name, ""), []))
        workflow_data.append(
            {"workflow_name": name, "metrics": metrics, "trends": trends(metrics, previous)}
        )
    earlier = _grouped(before, by_branch=True)
    for (name, branch), group in sorted(_grouped(current, by_branch=True).items()):
        if (names and name not in names) or (branches and branch not in branches):
            continue
        metrics = _page_metrics(group)
        previous = _page_metrics(earlier.get((name, branch), []))
        branch_data.append(
            {
                "workflow_name": name,
                "branch": branch,
                "metrics": metrics,
                "trends": trends(metrics, previous),
            }
        )
    totals = _totals(current, window)
    body = {
        "org_id": project.organization_id,
        "project_id": project.id,
        "project_data": {"metrics": totals, "trends": trends(totals, _totals(before, window))},
        "project_workflow_data": workflow_data,
        "project_workflow_branch_data": branch_data,
        "all_branches": sorted({run.branch for run in current}),
        "all_workflows": sorted({run.workflow.name for run in current}),
    }
    return Reply.json(200, body)


async def get_org_summary(ctx: ApiContext) -> Reply:
    """GET /insights/{org-slug}/summary: the organization's totals, and each project's.

    `project-names` narrows the projects listed.
    """
    org = found(ctx.state.organization(ctx.params["org-slug"]), "Organization")
    window = scope(ctx).window
    wanted = set(ctx.query_all("project-names"))
    projects = ctx.state.projects_of(org)
    org_now: list[Run] = []
    org_before: list[Run] = []
    project_data = []
    for project in projects:
        current, before = _windows(ctx, project, window, all_branches=True)
        org_now += current
        org_before += before
        if wanted and project.name not in wanted:
            continue
        metrics, previous = _totals(current, window), _totals(before, window)
        for totals in (metrics, previous):
            del totals["throughput"]
        project_data.append(
            {"project_name": project.name, "metrics": metrics, "trends": trends(metrics, previous)}
        )
    totals = _totals(org_now, window)
    body = {
        "org_data": {"metrics": totals, "trends": trends(totals, _totals(org_before, window))},
        "org_project_data": project_data,
        "all_projects": sorted(project.name for project in projects),
    }
    return Reply.json(200, body)


async def get_all_insights_branches(ctx: ApiContext) -> Reply:
    """GET /insights/{project-slug}/branches[?workflow-name]: branches run in 90 days."""
    project = ctx.project()
    name = ctx.query.get("workflow-name") or None
    since = ctx.state.now() - _DEFAULT_WINDOW
    found_runs = runs(ctx.state, project, name=name, all_branches=True, since=since)
    branches = sorted({run.branch for run in found_runs if run.branch})
    body = {"org_id": project.organization_id, "project_id": project.id, "branches": branches}
    return Reply.json(200, body)


async def get_flaky_tests(ctx: ApiContext) -> Reply:
    """GET /insights/{project-slug}/flaky-tests: tests that passed and failed on one commit.

    `times-flaked` counts the failures of such tests; `time-wasted` is their run time (s).
    """
    project = ctx.project()
    outcomes: dict[tuple[Any, ...], set[bool]] = defaultdict(set)
    failures: dict[tuple[Any, ...], list[tuple[Any, ...]]] = defaultdict(list)
    for pipeline in project.pipelines:
        for workflow in pipeline.workflows:
            for job in workflow.jobs:
                for test in job.tests:
                    key = (workflow.name, job.name, test.classname, test.name)
                    failed = test.result in _FAILED_TESTS
                    outcomes[(*key, pipeline.revision)].add(failed)
                    if failed:
                        failures[key].append((pipeline, workflow, job, test))
    flaky = []
    for key, failed_runs in failures.items():
        flaky_runs = [f for f in failed_runs if outcomes[(*key, f[0].revision)] == {True, False}]
        if not flaky_runs:
            continue
        pipeline, workflow, job, test = max(flaky_runs, key=lambda f: f[1].created_at)
        flaky.append(
            {
                "workflow-created-at": rfc3339(workflow.created_at),
                "workflow-id": workflow.id,
                "pipeline-number": pipeline.number,
                "workflow-name": workflow.name,
                "test-name": test.name,
                "job-name": job.name,
                "job-number": job.number,
                "times-flaked": len(flaky_runs),
                "classname": test.classname,
                "source": test.source,
                "file": test.file,
                "time-wasted": math.ceil(sum(f[3].run_time for f in flaky_runs)),
            }
        )
    flaky.sort(key=lambda item: (-item["times-flaked"], item["test-name"]))
    return Reply.json(200, {"flaky-tests": flaky, "total-flaky-tests": len(flaky)})
