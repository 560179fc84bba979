"""Insights: metrics and trends of workflows, jobs and tests, per project and organization."""

from __future__ import annotations

from datetime import datetime

from .base import EXPECTED, EXPECTED_LIST, JsonValue, OpenEnum, model, wire

__all__ = [
    "DurationMetrics",
    "FlakyTest",
    "FlakyTests",
    "Granularity",
    "InsightsBranches",
    "JobMetrics",
    "JobMetricsSummary",
    "JobTimeseries",
    "JobTimeseriesMetrics",
    "OrgSummary",
    "ProjectPageSummary",
    "ProjectSummaryData",
    "ProjectSummaryMetrics",
    "ProjectSummaryTrends",
    "ReportingWindow",
    "SummaryData",
    "SummaryMetrics",
    "SummaryTrends",
    "TestCaseMetrics",
    "TestCounts",
    "TimeseriesDurationMetrics",
    "WorkflowBranchPageData",
    "WorkflowMetrics",
    "WorkflowMetricsSummary",
    "WorkflowPageData",
    "WorkflowPageMetrics",
    "WorkflowPageTrends",
    "WorkflowRun",
    "WorkflowRunStatus",
    "WorkflowSummary",
    "WorkflowSummaryMetrics",
    "WorkflowTestMetrics",
    "WorkflowTestRun",
    "WorkflowTrends",
]


class ReportingWindow(OpenEnum):
    """The time window summary metrics are computed over (CircleCI's default: 90 days)."""

    LAST_24_HOURS = "last-24-hours"
    LAST_7_DAYS = "last-7-days"
    LAST_30_DAYS = "last-30-days"
    LAST_60_DAYS = "last-60-days"
    LAST_90_DAYS = "last-90-days"


class Granularity(OpenEnum):
    """The bucket size of timeseries data (hourly data is kept for 48 hours only)."""

    DAILY = "daily"
    HOURLY = "hourly"


class WorkflowRunStatus(OpenEnum):
    """How a workflow run that Insights recorded ended."""

    SUCCESS = "success"
    FAILED = "failed"
    ERROR = "error"
    CANCELED = "canceled"
    UNAUTHORIZED = "unauthorized"


@model
class DurationMetrics:
    """Run durations in seconds; None when there were no runs."""

    min: int | None = None
    mean: int | None = None
    median: int | None = None
    p95: int | None = None
    max: int | None = None
    standard_deviation: float | None = None


@model
class SummaryMetrics:
    """Aggregated metrics of an organization or a project."""

    total_runs: int | None = EXPECTED
    total_duration_secs: int | None = EXPECTED
    total_credits_used: int | None = EXPECTED
    success_rate: float | None = EXPECTED
    throughput: float | None = EXPECTED


@model
class SummaryTrends:
    """How `SummaryMetrics` changed against the previous window, as ratios."""

    total_runs: float | None = EXPECTED
    total_duration_secs: float | None = EXPECTED
    total_credits_used: float | None = EXPECTED
    success_rate: float | None = EXPECTED
    throughput: float | None = EXPECTED


@model
class SummaryData:
    """Metrics and their trends."""

    metrics: SummaryMetrics | None = EXPECTED
    trends: SummaryTrends | None = EXPECTED


@model
class WorkflowPageMetrics:
    """Metrics of one workflow on the project summary page."""

    total_credits_used: int | None = EXPECTED
    p95_duration_secs: float | None = EXPECTED
    total_runs: int | None = EXPECTED
    success_rate: float | None = EXPECTED


@model
class WorkflowPageTrends:
    """Trends of one workflow on the project summary page."""

    total_credits_used: float | None = EXPECTED
    p95_duration_secs: float | None = EXPECTED
    total_runs: float | None = EXPECTED
    success_rate: float | None = EXPECTED


@model
class WorkflowPageData:
    """A workflow's metrics and trends on the project summary page."""

    workflow_name: str | None = EXPECTED
    metrics: WorkflowPageMetrics | None = EXPECTED
    trends: WorkflowPageTrends | None = EXPECTED


@model
class WorkflowBranchPageData:
    """A workflow's metrics and trends on one branch, on the project summary page."""

    workflow_name: str | None = EXPECTED
    branch: str | None = EXPECTED
    metrics: WorkflowPageMetrics | None = EXPECTED
    trends: WorkflowPageTrends | None = EXPECTED


@model
class ProjectPageSummary:
    """A project's metrics and trends across its workflows and branches."""

    org_id: JsonValue = None
    project_id: JsonValue = None
    project_data: SummaryData | None = None
    project_workflow_data: list[WorkflowPageData] | None = None
    project_workflow_branch_data: list[WorkflowBranchPageData] | None = None
    all_branches: list[str] | None = None
    all_workflows: list[str] | None = None


@model
class ProjectSummaryMetrics:
    """Metrics of one project in an organization summary."""

    total_credits_used: int | None = EXPECTED
    total_duration_secs: int | None = EXPECTED
    total_runs: int | None = EXPECTED
    success_rate: float | None = EXPECTED


@model
class ProjectSummaryTrends:
    """Trends of one project in an organization summary."""

    total_credits_used: float | None = EXPECTED
    total_duration_secs: float | None = EXPECTED
    total_runs: float | None = EXPECTED
    success_rate: float | None = EXPECTED


@model
class ProjectSummaryData:
    """One project's metrics and trends in an organization summary."""

    project_name: str | None = EXPECTED
    metrics: ProjectSummaryMetrics | None = EXPECTED
    trends: ProjectSummaryTrends | None = EXPECTED


@model
class OrgSummary:
    """Metrics and trends of a whole organization, and of each of its projects."""

    org_data: SummaryData | None = EXPECTED
    org_project_data: list[ProjectSummaryData] = EXPECTED_LIST
    all_projects: list[str] | None = None


@model
class TimeseriesDurationMetrics:
    """Job durations in seconds in one timeseries bucket."""

    min: int | None = None
    median: int | None = None
    max: int | None = None
    p95: int | None = None
    total: int | None = None


@model
class JobTimeseriesMetrics:
    """Metrics of a job in one timeseries bucket."""

    total_runs: int | None = EXPECTED
    failed_runs: int | None = EXPECTED
    successful_runs: int | None = EXPECTED
    throughput: float | None = EXPECTED
    median_credits_used: int | None = EXPECTED
    total_credits_used: int | None = EXPECTED
    duration_metrics: TimeseriesDurationMetrics | None = EXPECTED


@model
class JobTimeseries:
    """A job's metrics in one time bucket."""

    name: str | None = EXPECTED
    min_started_at: datetime | None = EXPECTED
    max_ended_at: datetime | None = EXPECTED
    timestamp: datetime | None = EXPECTED
    metrics: JobTimeseriesMetrics | None = EXPECTED


@model
class InsightsBranches:
    """The branches Insights knows for a project (at most 5,000)."""

    org_id: JsonValue = EXPECTED
    project_id: JsonValue = EXPECTED
    branches: list[str] = EXPECTED_LIST


@model
class FlakyTest:
    """A test that both passed and failed on the same commit."""

    workflow_created_at: str | None = wire("workflow-created-at", default=EXPECTED)
    workflow_id: JsonValue = wire("workflow-id", default=EXPECTED)
    pipeline_number: int | None = wire("pipeline-number", default=EXPECTED)
    workflow_name: str | None = wire("workflow-name", default=EXPECTED)
    test_name: str | None = wire("test-name", default=EXPECTED)
    job_name: str | None = wire("job-name", default=EXPECTED)
    job_number: int | None = wire("job-number", default=EXPECTED)
    times_flaked: int | None = wire("times-flaked", default=EXPECTED)
    classname: str | None = None
    source: str | None = None
    file: str | None = None
    time_wasted: int | None = wire("time-wasted", default=None)


@model
class FlakyTests:
    """A project's flaky tests."""

    flaky_tests: list[FlakyTest] = wire("flaky-tests", default=EXPECTED_LIST)
    total_flaky_tests: float | None = wire("total-flaky-tests", default=EXPECTED)


@model
class WorkflowMetrics:
    """Summary metrics of a workflow's runs."""

    total_runs: int | None = EXPECTED
    successful_runs: int | None = EXPECTED
    failed_runs: int | None = EXPECTED
    success_rate: float | None = EXPECTED
    throughput: float | None = EXPECTED
    duration_metrics: DurationMetrics | None = EXPECTED
    mttr: int | None = None
    """Mean time to recovery, in seconds."""
    total_credits_used: int | None = None
    total_recoveries: int | None = None


@model
class WorkflowMetricsSummary:
    """One workflow of a project with its summary metrics."""

    name: str | None = EXPECTED
    metrics: WorkflowMetrics | None = EXPECTED
    window_start: datetime | None = EXPECTED
    window_end: datetime | None = EXPECTED
    project_id: JsonValue = EXPECTED


@model
class WorkflowRun:
    """A recent run of a workflow, as Insights recorded it."""

    id: str
    branch: str | None = EXPECTED
    created_at: datetime | None = EXPECTED
    credits_used: int | None = EXPECTED
    is_approval: bool | None = EXPECTED
    duration: int | None = None
    stopped_at: datetime | None = None
    status: WorkflowRunStatus | None = None


@model
class JobMetrics:
    """Summary metrics of a job's runs."""

    total_runs: int | None = EXPECTED
    failed_runs: int | None = EXPECTED
    successful_runs: int | None = EXPECTED
    success_rate: float | None = EXPECTED
    total_credits_used: int | None = EXPECTED
    throughput: float | None = EXPECTED
    duration_metrics: DurationMetrics | None = EXPECTED


@model
class JobMetricsSummary:
    """One job of a workflow with its summary metrics."""

    name: str | None = EXPECTED
    metrics: JobMetrics | None = EXPECTED
    window_start: datetime | None = EXPECTED
    window_end: datetime | None = EXPECTED


@model
class WorkflowSummaryMetrics:
    """Metrics of a workflow over the reporting window."""

    total_runs: int | None = EXPECTED
    successful_runs: int | None = EXPECTED
    failed_runs: int | None = EXPECTED
    success_rate: float | None = EXPECTED
    throughput: float | None = EXPECTED
    window_start: datetime | None = EXPECTED
    window_end: datetime | None = EXPECTED
    duration_metrics: DurationMetrics | None = EXPECTED
    mttr: int | None = None
    total_credits_used: int | None = None
    completed_runs: int | None = None


@model
class WorkflowTrends:
    """How a workflow's metrics changed against the previous window, as ratios."""

    total_runs: float | None = EXPECTED
    failed_runs: float | None = EXPECTED
    success_rate: float | None = EXPECTED
    p95_duration_secs: float | None = EXPECTED
    median_duration_secs: float | None = EXPECTED
    total_credits_used: float | None = EXPECTED
    mttr: float | None = EXPECTED
    throughput: float | None = EXPECTED


@model
class WorkflowSummary:
    """A workflow's metrics and trends."""

    metrics: WorkflowSummaryMetrics | None = EXPECTED
    trends: WorkflowTrends | None = EXPECTED
    workflow_names: list[str] = EXPECTED_LIST


@model
class TestCaseMetrics:
    """Metrics of one test across a workflow's recent runs."""

    __test__ = False

    test_name: str | None = EXPECTED
    job_name: str | None = EXPECTED
    total_runs: int | None = EXPECTED
    failed_runs: int | None = EXPECTED
    flaky: bool | None = EXPECTED
    p95_duration: float | None = None
    classname: str | None = None
    source: str | None = None
    file: str | None = None


@model
class TestCounts:
    """How many tests of a run ended which way."""

    __test__ = False

    error: int | None = EXPECTED
    failure: int | None = EXPECTED
    skipped: int | None = EXPECTED
    success: int | None = EXPECTED
    total: int | None = EXPECTED


@model
class WorkflowTestRun:
    """The test results of one recent workflow run."""

    pipeline_number: int | None = EXPECTED
    workflow_id: JsonValue = EXPECTED
    success_rate: float | None = EXPECTED
    test_counts: TestCounts | None = EXPECTED


@model
class WorkflowTestMetrics:
    """Test metrics of a workflow's ten most recent runs."""

    average_test_count: int | None = EXPECTED
    most_failed_tests: list[TestCaseMetrics] = EXPECTED_LIST
    most_failed_tests_extra: int | None = EXPECTED
    slowest_tests: list[TestCaseMetrics] = EXPECTED_LIST
    slowest_tests_extra: int | None = EXPECTED
    total_test_runs: int | None = EXPECTED
    test_runs: list[WorkflowTestRun] = EXPECTED_LIST
