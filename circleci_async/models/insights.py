"""Insights: metrics and trends of workflows, jobs and tests, per project and organization."""

from __future__ import annotations

from datetime import datetime

from .base import OpenEnum, model, wire

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

    total_runs: int
    total_duration_secs: int
    total_credits_used: int
    success_rate: float
    throughput: float


@model
class SummaryTrends:
    """How `SummaryMetrics` changed against the previous window, as ratios."""

    total_runs: float
    total_duration_secs: float
    total_credits_used: float
    success_rate: float
    throughput: float


@model
class SummaryData:
    """Metrics and their trends."""

    metrics: SummaryMetrics
    trends: SummaryTrends


@model
class WorkflowPageMetrics:
    """Metrics of one workflow on the project summary page."""

    total_credits_used: int
    p95_duration_secs: float
    total_runs: int
    success_rate: float


@model
class WorkflowPageTrends:
    """Trends of one workflow on the project summary page."""

    total_credits_used: float
    p95_duration_secs: float
    total_runs: float
    success_rate: float


@model
class WorkflowPageData:
    """A workflow's metrics and trends on the project summary page."""

    workflow_name: str
    metrics: WorkflowPageMetrics
    trends: WorkflowPageTrends


@model
class WorkflowBranchPageData:
    """A workflow's metrics and trends on one branch, on the project summary page."""

    workflow_name: str
    branch: str
    metrics: WorkflowPageMetrics
    trends: WorkflowPageTrends


@model
class ProjectPageSummary:
    """A project's metrics and trends across its workflows and branches."""

    org_id: str | None = None
    project_id: str | None = None
    project_data: SummaryData | None = None
    project_workflow_data: list[WorkflowPageData] | None = None
    project_workflow_branch_data: list[WorkflowBranchPageData] | None = None
    all_branches: list[str] | None = None
    all_workflows: list[str] | None = None


@model
class ProjectSummaryMetrics:
    """Metrics of one project in an organization summary."""

    total_credits_used: int
    total_duration_secs: int
    total_runs: int
    success_rate: float


@model
class ProjectSummaryTrends:
    """Trends of one project in an organization summary."""

    total_credits_used: float
    total_duration_secs: float
    total_runs: float
    success_rate: float


@model
class ProjectSummaryData:
    """One project's metrics and trends in an organization summary."""

    project_name: str
    metrics: ProjectSummaryMetrics
    trends: ProjectSummaryTrends


@model
class OrgSummary:
    """Metrics and trends of a whole organization, and of each of its projects."""

    org_data: SummaryData
    org_project_data: list[ProjectSummaryData]
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

    total_runs: int
    failed_runs: int
    successful_runs: int
    throughput: float
    median_credits_used: int
    total_credits_used: int
    duration_metrics: TimeseriesDurationMetrics


@model
class JobTimeseries:
    """A job's metrics in one time bucket."""

    name: str
    min_started_at: datetime
    max_ended_at: datetime
    timestamp: datetime
    metrics: JobTimeseriesMetrics


@model
class InsightsBranches:
    """The branches Insights knows for a project (at most 5,000)."""

    org_id: str
    project_id: str
    branches: list[str]


@model
class FlakyTest:
    """A test that both passed and failed on the same commit."""

    workflow_created_at: str = wire("workflow-created-at")
    workflow_id: str = wire("workflow-id")
    pipeline_number: int = wire("pipeline-number")
    workflow_name: str = wire("workflow-name")
    test_name: str = wire("test-name")
    job_name: str = wire("job-name")
    job_number: int = wire("job-number")
    times_flaked: int = wire("times-flaked")
    classname: str | None = None
    source: str | None = None
    file: str | None = None
    time_wasted: int | None = wire("time-wasted", default=None)


@model
class FlakyTests:
    """A project's flaky tests."""

    flaky_tests: list[FlakyTest] = wire("flaky-tests")
    total_flaky_tests: float = wire("total-flaky-tests")


@model
class WorkflowMetrics:
    """Summary metrics of a workflow's runs."""

    total_runs: int
    successful_runs: int
    failed_runs: int
    success_rate: float
    throughput: float
    duration_metrics: DurationMetrics
    mttr: int | None = None
    """Mean time to recovery, in seconds."""
    total_credits_used: int | None = None
    total_recoveries: int | None = None


@model
class WorkflowMetricsSummary:
    """One workflow of a project with its summary metrics."""

    name: str
    metrics: WorkflowMetrics
    window_start: datetime
    window_end: datetime
    project_id: str


@model
class WorkflowRun:
    """A recent run of a workflow, as Insights recorded it."""

    id: str
    branch: str
    created_at: datetime
    credits_used: int
    is_approval: bool
    duration: int | None = None
    stopped_at: datetime | None = None
    status: WorkflowRunStatus | None = None


@model
class JobMetrics:
    """Summary metrics of a job's runs."""

    total_runs: int
    failed_runs: int
    successful_runs: int
    success_rate: float
    total_credits_used: int
    throughput: float
    duration_metrics: DurationMetrics


@model
class JobMetricsSummary:
    """One job of a workflow with its summary metrics."""

    name: str
    metrics: JobMetrics
    window_start: datetime
    window_end: datetime


@model
class WorkflowSummaryMetrics:
    """Metrics of a workflow over the reporting window."""

    total_runs: int
    successful_runs: int
    failed_runs: int
    success_rate: float
    throughput: float
    window_start: datetime
    window_end: datetime
    duration_metrics: DurationMetrics
    mttr: int | None = None
    total_credits_used: int | None = None
    completed_runs: int | None = None


@model
class WorkflowTrends:
    """How a workflow's metrics changed against the previous window, as ratios."""

    total_runs: float
    failed_runs: float
    success_rate: float
    p95_duration_secs: float
    median_duration_secs: float
    total_credits_used: float
    mttr: float
    throughput: float


@model
class WorkflowSummary:
    """A workflow's metrics and trends."""

    metrics: WorkflowSummaryMetrics
    trends: WorkflowTrends
    workflow_names: list[str]


@model
class TestCaseMetrics:
    """Metrics of one test across a workflow's recent runs."""

    __test__ = False

    test_name: str
    job_name: str
    total_runs: int
    failed_runs: int
    flaky: bool
    p95_duration: float | None = None
    classname: str | None = None
    source: str | None = None
    file: str | None = None


@model
class TestCounts:
    """How many tests of a run ended which way."""

    __test__ = False

    error: int
    failure: int
    skipped: int
    success: int
    total: int


@model
class WorkflowTestRun:
    """The test results of one recent workflow run."""

    pipeline_number: int
    workflow_id: str
    success_rate: float
    test_counts: TestCounts


@model
class WorkflowTestMetrics:
    """Test metrics of a workflow's ten most recent runs."""

    average_test_count: int
    most_failed_tests: list[TestCaseMetrics]
    most_failed_tests_extra: int
    slowest_tests: list[TestCaseMetrics]
    slowest_tests_extra: int
    total_test_runs: int
    test_runs: list[WorkflowTestRun]
