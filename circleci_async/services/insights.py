"""The `insights` service."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from .. import checks as check
from ..endpoints import Endpoint
from ..errors import InvalidArgumentError
from ..models import (
    FlakyTests,
    Granularity,
    InsightsBranches,
    JobMetricsSummary,
    JobTimeseries,
    OrgSummary,
    ProjectPageSummary,
    ReportingWindow,
    WorkflowMetricsSummary,
    WorkflowRun,
    WorkflowSummary,
    WorkflowTestMetrics,
)
from ..pagination import Paginator
from .base import Service, implements

__all__ = ["InsightsService"]

PROJECT_SUMMARY = Endpoint(
    "getProjectWorkflowsPageData", "GET", "/insights/pages/{project-slug}/summary"
)
JOB_TIMESERIES = Endpoint(
    "getJobTimeseries",
    "GET",
    "/insights/time-series/{project-slug}/workflows/{workflow-name}/jobs",
)
ORG_SUMMARY = Endpoint("getOrgSummaryData", "GET", "/insights/{org-slug}/summary")
BRANCHES = Endpoint("getAllInsightsBranches", "GET", "/insights/{project-slug}/branches")
FLAKY_TESTS = Endpoint("getFlakyTests", "GET", "/insights/{project-slug}/flaky-tests")
WORKFLOW_METRICS = Endpoint(
    "getProjectWorkflowMetrics", "GET", "/insights/{project-slug}/workflows"
)
WORKFLOW_RUNS = Endpoint(
    "getProjectWorkflowRuns", "GET", "/insights/{project-slug}/workflows/{workflow-name}"
)
JOB_METRICS = Endpoint(
    "getProjectWorkflowJobMetrics",
    "GET",
    "/insights/{project-slug}/workflows/{workflow-name}/jobs",
)
WORKFLOW_SUMMARY = Endpoint(
    "getWorkflowSummary", "GET", "/insights/{project-slug}/workflows/{workflow-name}/summary"
)
TEST_METRICS = Endpoint(
    "getProjectWorkflowTestMetrics",
    "GET",
    "/insights/{project-slug}/workflows/{workflow-name}/test-metrics",
)


def _project_path(project_slug: str) -> dict[str, str]:
    return {"project-slug": check.validate_project_slug(project_slug)}


def _workflow_path(project_slug: str, workflow_name: str) -> dict[str, str]:
    return {
        **_project_path(project_slug),
        "workflow-name": check.format_path_id(workflow_name, name="workflow_name"),
    }


def _branches(all_branches: bool | None, branch: str | None) -> dict[str, object]:
    """The branch scope: one branch, all branches, or (neither) the default branch."""
    every = check.flag(all_branches, "all_branches", optional=True)
    one = check.text(branch, "branch", optional=True)
    check.not_both("branch", one, "all_branches=True", every or None)
    return {"all-branches": every, "branch": one}


def _window(
    start_date: datetime | str | None, end_date: datetime | str | None
) -> dict[str, object]:
    start = check.moment(start_date, "start_date", optional=True)
    end = check.moment(end_date, "end_date", optional=True)
    if end is not None and start is None:
        raise InvalidArgumentError("end_date needs a start_date")
    return {"start-date": start, "end-date": end}


def _reporting_window(value: ReportingWindow | str | None) -> str | None:
    return check.member(value, ReportingWindow, "reporting_window", optional=True)


class InsightsService(Service):
    """Insights: metrics and trends of workflows, jobs and tests (refreshed daily)."""

    name = "insights"

    @implements(PROJECT_SUMMARY)
    async def project_summary(
        self,
        project_slug: str,
        *,
        reporting_window: ReportingWindow | str | None = None,
        branches: Sequence[str] | None = None,
        workflow_names: Sequence[str] | None = None,
    ) -> ProjectPageSummary:
        """A project's metrics and trends by workflow and branch (over 90 days by default).

        `branches` and `workflow_names` limit the branch- and workflow-level data.
        """
        query = {
            "reporting-window": _reporting_window(reporting_window),
            "branches": check.strings(branches, "branches", optional=True),
            "workflow-names": check.strings(workflow_names, "workflow_names", optional=True),
        }
        return await self._call(
            PROJECT_SUMMARY, ProjectPageSummary, path=_project_path(project_slug), query=query
        )

    @implements(JOB_TIMESERIES)
    def job_timeseries(
        self,
        project_slug: str,
        workflow_name: str,
        *,
        branch: str | None = None,
        granularity: Granularity | str | None = None,
        start_date: datetime | str | None = None,
        end_date: datetime | str | None = None,
        page_token: str | None = None,
    ) -> Paginator[JobTimeseries]:
        """Per-job metrics of a workflow over time, hourly (last 48 hours) or daily."""
        query = {
            "branch": check.text(branch, "branch", optional=True),
            "granularity": check.member(granularity, Granularity, "granularity", optional=True),
            **_window(start_date, end_date),
        }
        return self._paginate(
            JOB_TIMESERIES,
            JobTimeseries,
            path=_workflow_path(project_slug, workflow_name),
            query=query,
            page_token=page_token,
        )

    @implements(ORG_SUMMARY)
    async def org_summary(
        self,
        org_slug: str,
        *,
        reporting_window: ReportingWindow | str | None = None,
        project_names: Sequence[str] | None = None,
    ) -> OrgSummary:
        """Metrics and trends of an organization (`gh/org`) and of each of its projects."""
        path = {"org-slug": str(check.org_slug(org_slug, "org_slug"))}
        query = {
            "reporting-window": _reporting_window(reporting_window),
            "project-names": check.strings(project_names, "project_names", optional=True),
        }
        return await self._call(ORG_SUMMARY, OrgSummary, path=path, query=query)

    @implements(BRANCHES)
    async def branches(
        self, project_slug: str, *, workflow_name: str | None = None
    ) -> InsightsBranches:
        """The branches Insights has data for, in a project or in one of its workflows."""
        query = {"workflow-name": check.text(workflow_name, "workflow_name", optional=True)}
        return await self._call(
            BRANCHES, InsightsBranches, path=_project_path(project_slug), query=query
        )

    @implements(FLAKY_TESTS)
    async def flaky_tests(self, project_slug: str) -> FlakyTests:
        """A project's flaky tests: tests that passed and failed on the same commit."""
        return await self._call(FLAKY_TESTS, FlakyTests, path=_project_path(project_slug))

    @implements(WORKFLOW_METRICS)
    def workflow_metrics(
        self,
        project_slug: str,
        *,
        branch: str | None = None,
        all_branches: bool | None = None,
        reporting_window: ReportingWindow | str | None = None,
        page_token: str | None = None,
    ) -> Paginator[WorkflowMetricsSummary]:
        """Summary metrics of a project's workflows (default branch unless told otherwise)."""
        query = {
            **_branches(all_branches, branch),
            "reporting-window": _reporting_window(reporting_window),
        }
        return self._paginate(
            WORKFLOW_METRICS,
            WorkflowMetricsSummary,
            path=_project_path(project_slug),
            query=query,
            page_token=page_token,
        )

    @implements(WORKFLOW_RUNS)
    def workflow_runs(
        self,
        project_slug: str,
        workflow_name: str,
        *,
        branch: str | None = None,
        all_branches: bool | None = None,
        start_date: datetime | str | None = None,
        end_date: datetime | str | None = None,
        page_token: str | None = None,
    ) -> Paginator[WorkflowRun]:
        """Recent runs of a workflow (at most 90 days back)."""
        query = {**_branches(all_branches, branch), **_window(start_date, end_date)}
        return self._paginate(
            WORKFLOW_RUNS,
            WorkflowRun,
            path=_workflow_path(project_slug, workflow_name),
            query=query,
            page_token=page_token,
        )

    @implements(JOB_METRICS)
    def job_metrics(
        self,
        project_slug: str,
        workflow_name: str,
        *,
        branch: str | None = None,
        all_branches: bool | None = None,
        reporting_window: ReportingWindow | str | None = None,
        job_name: str | None = None,
        page_token: str | None = None,
    ) -> Paginator[JobMetricsSummary]:
        """Summary metrics of a workflow's jobs; `job_name` filters by (part of) the name."""
        query = {
            **_branches(all_branches, branch),
            "reporting-window": _reporting_window(reporting_window),
            "job-name": check.text(job_name, "job_name", optional=True),
        }
        return self._paginate(
            JOB_METRICS,
            JobMetricsSummary,
            path=_workflow_path(project_slug, workflow_name),
            query=query,
            page_token=page_token,
        )

    @implements(WORKFLOW_SUMMARY)
    async def workflow_summary(
        self,
        project_slug: str,
        workflow_name: str,
        *,
        branch: str | None = None,
        all_branches: bool | None = None,
    ) -> WorkflowSummary:
        """A workflow's metrics and trends, on one branch or all of them."""
        return await self._call(
            WORKFLOW_SUMMARY,
            WorkflowSummary,
            path=_workflow_path(project_slug, workflow_name),
            query=_branches(all_branches, branch),
        )

    @implements(TEST_METRICS)
    async def test_metrics(
        self,
        project_slug: str,
        workflow_name: str,
        *,
        branch: str | None = None,
        all_branches: bool | None = None,
    ) -> WorkflowTestMetrics:
        """Test metrics of a workflow's ten most recent runs."""
        return await self._call(
            TEST_METRICS,
            WorkflowTestMetrics,
            path=_workflow_path(project_slug, workflow_name),
            query=_branches(all_branches, branch),
        )
