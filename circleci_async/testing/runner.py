"""The fake's build runner: triggered pipelines start their workflows, and jobs finish in time.

Off unless `FakeCircleCI(job_seconds=...)` is given. Then a pipeline triggered through the
API (`triggerPipeline`, `triggerPipelineRun`) after the runner was made gets the workflows of
the project's newest pipeline that has any (or a `build-and-test` workflow of `lint` and
`test` then `build`); every running job succeeds once it has run `job_seconds`, the jobs
waiting on it start, and a workflow ends when none of its jobs can run any more: what code
that watches a pipeline needs to see.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .configs import JobOutline, outline_config, read_workflows
from .lifecycle import job_ended, settle, start_workflow
from .records import FINISHED_WORKFLOW_STATUSES, Pipeline, Workflow
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

    def __init__(self, state: FakeState, *, job_seconds: float) -> None:
        if job_seconds <= 0:
            raise ValueError("job_seconds must be positive")
        self.state = state
        self.job_time = timedelta(seconds=job_seconds)
        self._started: set[str] = set(state.pipelines)
        self._running: list[Workflow] = []

    def step(self) -> None:
        """Start newly triggered pipelines, finish jobs that have run long enough."""
        now = self.state.now()
        self._start_triggered()
        still: list[Workflow] = []
        for workflow in self._running:
            self._advance(workflow, now)
            if workflow.status not in FINISHED_WORKFLOW_STATUSES:
                still.append(workflow)
        self._running = still

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

    def _template(self, pipeline: Pipeline) -> dict[str, list[JobOutline]]:
        project = self.state.projects[pipeline.project_slug]
        for earlier in project.pipelines:
            if earlier is not pipeline and earlier.workflows:
                return read_workflows(outline_config(earlier)) or DEFAULT_WORKFLOW
        return DEFAULT_WORKFLOW

    def _advance(self, workflow: Workflow, now: datetime) -> None:
        for job in workflow.jobs:
            started = job.started_at
            if job.status == "running" and started is not None and now - started >= self.job_time:
                job.status = "success"
                job.stopped_at = now
        succeeded = {job.id for job in workflow.jobs if job.status == "success"}
        for job in workflow.jobs:
            if job.status not in ("blocked", "queued") or job_ended(job):
                continue
            if set(job.dependencies) <= succeeded:
                job.status = "running"
                job.started_at = now
        settle(workflow, now)
