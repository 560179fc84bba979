"""Handlers of the Insights tag: canned, spec-valid figures, not statistics of the runs.

Every metric is a constant below (`WORKFLOW_METRICS`, `JOB_METRICS`, ...), the same for every
project; what varies is read from the state: which workflows, jobs and branches a project ran,
and its newest test results (named as its flaky tests). So a client's decoding, paging and
query parameters are tested, while CircleCI's arithmetic is not re-implemented here.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from ..api_context import ApiContext, ApiError
from ..live_api import snake_case_keys
from ..records import (
    JobRecord,
    PipelineRecord,
    ProjectRecord,
    TestResultRecord,
    WorkflowRecord,
)
from ..renderers import JsonObject, rfc3339
from ..replies import Reply
from .bodies import Body
from .lookups import found

__all__ = [
    "FLAKY_TEST",
    "JOB_METRICS",
    "PAGE_METRICS",
    "TEST_METRICS",
    "TOTALS",
    "TRENDS",
    "WORKFLOW_METRICS",
    "WORKFLOW_RUN",
    "get_all_insights_branches",
    "get_flaky_tests",
    "get_job_timeseries",
    "get_org_summary",
    "get_project_summary",
    "get_workflow_job_metrics",
    "get_workflow_metrics",
    "get_workflow_runs",
    "get_workflow_summary",
    "get_workflow_test_metrics",
]

_WINDOWS = ("last-24-hours", "last-7-days", "last-30-days", "last-60-days", "last-90-days")
_WINDOW = timedelta(days=90)
_SERIES = 3
_DURATIONS = {"min": 62, "mean": 301, "median": 280, "p95": 615, "max": 720}

WORKFLOW_METRICS: JsonObject = {
    "total_runs": 40,
    "successful_runs": 34,
    "failed_runs": 6,
    "success_rate": 0.85,
    "throughput": 0.44,
    "mttr": 5400,
    "total_recoveries": 5,
    "total_credits_used": 12000,
    "duration_metrics": {**_DURATIONS, "standard_deviation": 118.5},
}
"""Every workflow's metrics."""
JOB_METRICS: JsonObject = {
    "total_runs": 40,
    "successful_runs": 36,
    "failed_runs": 4,
    "success_rate": 0.9,
    "throughput": 0.44,
    "total_credits_used": 4000,
    "duration_metrics": {**_DURATIONS, "standard_deviation": 97.25},
}
"""Every job's metrics."""
TRENDS: JsonObject = {
    "total_runs": 0.25,
    "failed_runs": -0.5,
    "success_rate": 0.1,
    "p95_duration_secs": -0.05,
    "median_duration_secs": 0.02,
    "total_credits_used": 0.2,
    "mttr": -0.3,
    "throughput": 0.25,
}
"""The trends of a workflow summary."""
TOTALS: JsonObject = {
    "total_runs": 120,
    "total_duration_secs": 36000,
    "total_credits_used": 30000,
    "success_rate": 0.85,
    "throughput": 1.33,
}
"""The totals of a project or an organization (projects of an organization: no throughput)."""
PAGE_METRICS: JsonObject = {
    "total_credits_used": 12000,
    "p95_duration_secs": 615.0,
    "total_runs": 40,
    "success_rate": 0.85,
}
"""Each workflow's (and workflow-and-branch's) figures on a project's summary page."""
WORKFLOW_RUN: JsonObject = {"duration": 300, "credits_used": 100}
"""Duration and credits of every workflow run."""
TEST_METRICS: JsonObject = {"total_runs": 10, "failed_runs": 3, "p95_duration": 2.5}
"""Figures of every test case in test metrics (all of them flaky)."""
FLAKY_TEST: JsonObject = {"times-flaked": 3, "time-wasted": 8}
"""Figures of every flaky test."""


def _trends_of(metrics: JsonObject) -> JsonObject:
    return {key: 0.1 for key in metrics}


def _check_scope(ctx: ApiContext) -> None:
    every = ctx.query.get("all-branches")
    if every not in (None, "true", "false"):
        raise ApiError(400, "all-branches must be true or false.")
    if every == "true" and ctx.query.get("branch"):
        raise ApiError(400, "Give branch or all-branches=true, not both.")
    window = ctx.query.get("reporting-window")
    if window is not None and window not in _WINDOWS:
        raise ApiError(400, f"reporting-window must be one of {', '.join(_WINDOWS)}.")


_Run = tuple[PipelineRecord, WorkflowRecord]


def _runs(project: ProjectRecord, name: str | None = None) -> Iterator[_Run]:
    for pipeline in project.pipelines:
        for workflow in pipeline.workflows:
            if name is None or workflow.name == name:
                yield pipeline, workflow


def _workflows(project: ProjectRecord, name: str | None = None) -> Iterator[WorkflowRecord]:
    return (workflow for _, workflow in _runs(project, name))


def _known_workflow(ctx: ApiContext, project: ProjectRecord) -> str:
    """The `{workflow-name}` of the path, 404 when the project never ran such a workflow."""
    name = ctx.params["workflow-name"]
    return found(name if any(_workflows(project, name)) else None, "Workflow")


def _job_names(project: ProjectRecord, workflow: str) -> list[str]:
    return sorted({job.name for w in _workflows(project, workflow) for job in w.jobs})


def _window(ctx: ApiContext) -> JsonObject:
    now = ctx.state.now()
    return {"window_start": rfc3339(now - _WINDOW), "window_end": rfc3339(now)}


def _date(ctx: ApiContext, name: str) -> None:
    text = ctx.query.get(name)
    if text is not None:
        Body({name: text}).need_moment(name)


async def get_workflow_metrics(ctx: ApiContext) -> Reply:
    """GET /insights/{project-slug}/workflows: each workflow the project ran, canned metrics."""
    project = ctx.project()
    _check_scope(ctx)
    names = sorted({workflow.name for workflow in _workflows(project)})
    items = [
        {"name": name, "metrics": WORKFLOW_METRICS, "project_id": project.id, **_window(ctx)}
        for name in names
    ]
    return ctx.page(items, lambda item: item)


async def get_workflow_runs(ctx: ApiContext) -> Reply:
    """GET /insights/{project-slug}/workflows/{workflow-name}: the workflow's runs, newest first."""
    project = ctx.project()
    name = _known_workflow(ctx, project)
    _check_scope(ctx)
    _date(ctx, "start-date")
    _date(ctx, "end-date")
    found_runs = sorted(_runs(project, name), key=lambda r: r[1].created_at, reverse=True)

    def render(run: _Run) -> JsonObject:
        pipeline, workflow = run
        stopped = workflow.stopped_at or workflow.created_at + timedelta(seconds=300)
        return {
            "id": workflow.id,
            "branch": pipeline.branch or "main",
            "created_at": rfc3339(workflow.created_at),
            "stopped_at": rfc3339(stopped),
            "status": workflow.status,
            "is_approval": any(job.type == "approval" for job in workflow.jobs),
            **WORKFLOW_RUN,
        }

    return ctx.page(found_runs, render)


async def get_workflow_job_metrics(ctx: ApiContext) -> Reply:
    """GET .../workflows/{workflow-name}/jobs: each job (`job-name` filters), canned metrics."""
    project = ctx.project()
    name = _known_workflow(ctx, project)
    _check_scope(ctx)
    part = ctx.query.get("job-name", "")
    items = [
        {"name": job, "metrics": JOB_METRICS, **_window(ctx)}
        for job in _job_names(project, name)
        if part in job
    ]
    return ctx.page(items, lambda item: item)


async def get_workflow_summary(ctx: ApiContext) -> Reply:
    """GET .../workflows/{workflow-name}/summary: canned metrics and trends."""
    project = ctx.project()
    _known_workflow(ctx, project)
    _check_scope(ctx)
    metrics = {k: v for k, v in WORKFLOW_METRICS.items() if k != "total_recoveries"}
    body = {
        "metrics": {**metrics, "completed_runs": metrics["total_runs"], **_window(ctx)},
        "trends": TRENDS,
        "workflow_names": sorted({workflow.name for workflow in _workflows(project)}),
    }
    return Reply.json(200, body)


def _newest_tested_job(
    project: ProjectRecord, workflow: str | None = None
) -> tuple[PipelineRecord, WorkflowRecord, JobRecord] | None:
    newest = sorted(_runs(project, workflow), key=lambda r: r[1].created_at, reverse=True)
    return next(((p, w, job) for p, w in newest for job in w.jobs if job.tests), None)


async def get_workflow_test_metrics(ctx: ApiContext) -> Reply:
    """GET .../workflows/{workflow-name}/test-metrics: the newest tested job's tests, canned."""
    project = ctx.project()
    name = _known_workflow(ctx, project)
    _check_scope(ctx)
    newest = _newest_tested_job(project, name)
    job_name, tests = ("", []) if newest is None else (newest[2].name, newest[2].tests[:10])
    cases = [
        {
            "test_name": test.name,
            "job_name": job_name,
            "classname": test.classname,
            "file": test.file,
            "source": test.source,
            "flaky": True,
            **TEST_METRICS,
        }
        for test in tests
    ]
    runs = [
        {
            "pipeline_number": pipeline.number,
            "workflow_id": workflow.id,
            "success_rate": 0.9,
            "test_counts": {"error": 0, "failure": 1, "skipped": 0, "success": 9, "total": 10},
        }
        for pipeline, workflow in list(_runs(project, name))[:10]
    ]
    body = {
        "average_test_count": len(tests),
        "most_failed_tests": cases,
        "most_failed_tests_extra": 0,
        "slowest_tests": cases,
        "slowest_tests_extra": 0,
        "total_test_runs": 10 * len(tests),
        "test_runs": runs,
    }
    return Reply.json(200, body)


async def get_job_timeseries(ctx: ApiContext) -> Reply:
    """GET /insights/time-series/.../jobs: the last three days (or hours) of each job, canned."""
    project = ctx.project()
    name = _known_workflow(ctx, project)
    granularity = ctx.query.get("granularity", "daily")
    if granularity not in ("daily", "hourly"):
        raise ApiError(400, "granularity must be daily or hourly.")
    _date(ctx, "start-date")
    _date(ctx, "end-date")
    step = timedelta(days=1) if granularity == "daily" else timedelta(hours=1)
    now = ctx.state.now().replace(minute=0, second=0, microsecond=0)
    latest = now.replace(hour=0) if granularity == "daily" else now
    durations = {key: _DURATIONS[key] for key in ("min", "median", "max", "p95")}
    metrics = {
        **{key: JOB_METRICS[key] for key in ("total_runs", "successful_runs", "failed_runs")},
        "throughput": JOB_METRICS["throughput"],
        "median_credits_used": 100,
        "total_credits_used": JOB_METRICS["total_credits_used"],
        "duration_metrics": {**durations, "total": 12040},
    }
    items = [
        {
            "name": job,
            "min_started_at": rfc3339(start),
            "max_ended_at": rfc3339(start + step - timedelta(minutes=1)),
            "timestamp": rfc3339(start),
            "metrics": metrics,
        }
        for start in (latest - step * back for back in range(_SERIES, 0, -1))
        for job in _job_names(project, name)
    ]
    return ctx.page(items, lambda item: item)


def _branches(project: ProjectRecord, workflow: str | None = None) -> list[str]:
    return sorted({p.branch for p, _ in _runs(project, workflow) if p.branch})


async def get_project_summary(ctx: ApiContext) -> Reply:
    """GET /insights/pages/{project-slug}/summary: canned figures per workflow and branch.

    `branches` and `workflow-names` narrow the per-workflow and per-branch data.
    """
    project = ctx.project()
    _check_scope(ctx)
    wanted_names = set(ctx.query_all("workflow-names"))
    wanted_branches = set(ctx.query_all("branches"))
    names = sorted({w.name for w in _workflows(project)})
    page = {"metrics": PAGE_METRICS, "trends": _trends_of(PAGE_METRICS)}
    shown = [name for name in names if not wanted_names or name in wanted_names]
    body = {
        "org_id": project.organization_id,
        "project_id": project.id,
        "project_data": {"metrics": TOTALS, "trends": _trends_of(TOTALS)},
        "project_workflow_data": [{"workflow_name": name, **page} for name in shown],
        "project_workflow_branch_data": [
            {"workflow_name": name, "branch": branch, **page}
            for name in shown
            for branch in _branches(project, name)
            if not wanted_branches or branch in wanted_branches
        ],
        "all_branches": _branches(project),
        "all_workflows": names,
    }
    return Reply.json(200, body)


async def get_org_summary(ctx: ApiContext) -> Reply:
    """GET /insights/{org-slug}/summary: canned totals; `project-names` narrows the projects."""
    org = found(ctx.state.organization(ctx.params["org-slug"]), "Organization")
    _check_scope(ctx)
    wanted = set(ctx.query_all("project-names"))
    projects = ctx.state.projects_of(org)
    metrics = {key: value for key, value in TOTALS.items() if key != "throughput"}
    body = {
        "org_data": {"metrics": TOTALS, "trends": _trends_of(TOTALS)},
        "org_project_data": [
            {"project_name": project.name, "metrics": metrics, "trends": _trends_of(metrics)}
            for project in projects
            if not wanted or project.name in wanted
        ],
        "all_projects": sorted(project.name for project in projects),
    }
    return Reply.json(200, body)


async def get_all_insights_branches(ctx: ApiContext) -> Reply:
    """GET /insights/{project-slug}/branches[?workflow-name]: the branches the project ran."""
    project = ctx.project()
    branches = _branches(project, ctx.query.get("workflow-name") or None)
    body = {"org_id": project.organization_id, "project_id": project.id, "branches": branches}
    return Reply.json(200, body)


def _flaky(
    pipeline: PipelineRecord, workflow: WorkflowRecord, job: JobRecord, test: TestResultRecord
) -> JsonObject:
    return {
        "workflow-created-at": rfc3339(workflow.created_at),
        "workflow-id": workflow.id,
        "pipeline-number": pipeline.number,
        "workflow-name": workflow.name,
        "test-name": test.name,
        "job-name": job.name,
        "job-number": job.number,
        "classname": test.classname,
        "source": test.source,
        "file": test.file,
        **FLAKY_TEST,
    }


async def get_flaky_tests(ctx: ApiContext) -> Reply:
    """GET /insights/{project-slug}/flaky-tests: the first two tests of its newest tested job.

    Their figures are canned (`FLAKY_TEST`); a project without test results has none. The
    keys are in snake_case, as the live API sends them (`live_api.LIVE_DEVIATIONS`).
    """
    newest = _newest_tested_job(ctx.project())
    flaky = [] if newest is None else [_flaky(*newest, test) for test in newest[2].tests[:2]]
    answer = {"flaky-tests": flaky, "total-flaky-tests": len(flaky)}
    return Reply.json(200, snake_case_keys(answer))
