"""The fake's build runner: triggered pipelines start their workflows, and jobs finish in time.

Off unless `FakeCircleCI(job_seconds=...)` is given. Then a pipeline triggered through the
API (`triggerPipeline`, `triggerPipelineRun`) after the runner was made gets the workflows of
the project's newest pipeline that has any (or a `build-and-test` workflow of `lint` and
`test` then `build`); every running job succeeds once it has run `job_seconds` (or fails,
when its name is in `failing`), the jobs waiting on it start (or will not run, after a
failure), and a workflow ends when none of its jobs can run any more: what code that watches
a pipeline needs to see. `on_finished(workflow, job)` hears of every job of a running
workflow that ends, then (with `job=None`) of the workflow's end: the fake's webhooks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from .configs import JobOutline, outline_config, read_workflows
from .lifecycle import job_ended, settle, start_workflow
from .records import (
    FINISHED_JOB_STATUSES,
    FINISHED_WORKFLOW_STATUSES,
    JobRecord,
    PipelineRecord,
    WorkflowRecord,
)
from .state import FakeState

__all__ = ["DEFAULT_WORKFLOW", "BuildRunner"]

DEFAULT_WORKFLOW = {
    "build-and-test": [
        JobOutline("lint"),
        JobOutline("test"),
        JobOutline("build", requires=("lint", "test")),
    ]
}
"""The workflows a triggered pipeline runs when its project has no pipeline to copy."""


class BuildRunner:
    """Moves triggered pipelines along; `step()` does what is due at the state's time."""

    def __init__(
        self,
        state: FakeState,
        *,
        job_seconds: float,
        on_finished: Callable[[WorkflowRecord, JobRecord | None], object] | None = None,
    ) -> None:
        if job_seconds <= 0:
            raise ValueError("job_seconds must be positive")
        self.state = state
        self.job_time = timedelta(seconds=job_seconds)
        self.on_finished = on_finished
        self.failing: set[str] = set()
        """Names of jobs that fail instead of succeeding; each reports one failed test."""
        self._started: set[str] = set(state.pipelines)
        self._running: list[WorkflowRecord] = []
        self._told: set[str] = set()

    def step(self) -> None:
        """Start newly triggered pipelines, finish jobs that have run long enough."""
        now = self.state.now()
        self._start_triggered()
        still: list[WorkflowRecord] = []
        for workflow in self._running:
            self._advance(workflow, now)
            self._tell(workflow)
            if workflow.status not in FINISHED_WORKFLOW_STATUSES:
                still.append(workflow)
        self._running = still

    def _tell(self, workflow: WorkflowRecord) -> None:
        """Report each job that ended since the last step, then the workflow if it ended."""
        if self.on_finished is None:
            return
        for job in workflow.jobs:
            if job.status in FINISHED_JOB_STATUSES and job.id not in self._told:
                self._told.add(job.id)
                self.on_finished(workflow, job)
        if workflow.status in FINISHED_WORKFLOW_STATUSES:
            self.on_finished(workflow, None)

    def _start_triggered(self) -> None:
        for pipeline in self.state.pipelines.values():
            if pipeline.id in self._started or pipeline.workflows or pipeline.state == "errored":
                continue
            if pipeline.trigger_type != "api":
                continue
            self._started.add(pipeline.id)
            now = self.state.now()
            for name, jobs in self._template(pipeline).items():
                workflow = start_workflow(self.state, pipeline, name, jobs)
                for job in workflow.jobs:
                    if job.status == "running":
                        job.queued_at = job.started_at = now
                self._running.append(workflow)
            pipeline.state = "created"

    def _template(self, pipeline: PipelineRecord) -> dict[str, list[JobOutline]]:
        project = self.state.projects[pipeline.project_slug]
        for earlier in project.pipelines:
            if earlier is not pipeline and earlier.workflows:
                return read_workflows(outline_config(earlier)) or DEFAULT_WORKFLOW
        return DEFAULT_WORKFLOW

    def _advance(self, workflow: WorkflowRecord, now: datetime) -> None:
        for job in workflow.jobs:
            started = job.started_at
            if job.status == "running" and started is not None and now - started >= self.job_time:
                self._finish(job, now)
        succeeded = {job.id for job in workflow.jobs if job.status == "success"}
        ended = {job.id for job in workflow.jobs if job_ended(job)}
        for job in workflow.jobs:
            if job.status not in ("blocked", "queued") or job_ended(job):
                continue
            if set(job.dependencies) <= succeeded:
                job.status = "running"
                job.started_at = now
            elif set(job.dependencies) & (ended - succeeded):
                job.status = "not_run"
                ended.add(job.id)
        settle(workflow, now)

    def _finish(self, job: JobRecord, now: datetime) -> None:
        job.stopped_at = now
        if job.name not in self.failing or job.number is None:
            job.status = "success"
            return
        job.status = "failed"
        self.state.add_test(
            job.project_slug,
            job.number,
            name=f"test_{job.name.replace('-', '_')}_passes",
            result="failure",
            message=f"AssertionError: {job.name} failed in the fake runner",
        )
