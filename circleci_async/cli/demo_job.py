"""The main job the demo runs with the library, narrated as it goes.

Trigger a pipeline with parameters; stream the newest pipelines of a branch page by page;
fan out to their workflows, then to the workflows' jobs, all at once; read the test results
of the failed jobs; harvest the jobs' artifacts in parallel while their lists are still
being read.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ..artifacts import ArtifactRef, DownloadReport
from ..client import CircleCI
from ..errors import DecodeError
from ..models import Accepted, Job, JobDetails, Pipeline, PipelineCreation, TestResult, Workflow
from .output import Column, Output, cell
from .pipelines import ref_of
from .progress_bar import ProgressBar

__all__ = ["DEMO_PARAMETERS", "JobFigures", "run_main_job"]

T = TypeVar("T")

DEMO_PARAMETERS: dict[str, bool | int | str] = {
    "deploy": True,
    "image_tag": "v1.12.0",
    "replicas": 3,
}
"""The pipeline parameters the demo triggers with."""

_SHOWN_ROWS = 8


@dataclass
class JobFigures:
    """What the main job saw and did."""

    login: str = ""
    triggered: PipelineCreation | None = None
    pipelines: list[Pipeline] = field(default_factory=list)
    pages: int = 0
    workflows: list[Workflow] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    failed_jobs: list[Job] = field(default_factory=list)
    failed_tests: list[tuple[Job, TestResult]] = field(default_factory=list)
    failed_details: dict[int, JobDetails] = field(default_factory=dict)
    """The details of each failed job, by job number."""
    report: DownloadReport | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    """Wall seconds of each step, by name."""


async def _concurrently(calls: Sequence[Coroutine[Any, Any, T]]) -> list[T]:
    """Run every call at once in a TaskGroup; their results in order."""
    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(call) for call in calls]
    return [task.result() for task in tasks]


async def run_main_job(
    circle: CircleCI,
    *,
    slug: str,
    branch: str,
    limit: int,
    dest: Path,
    out: Output,
    bar: ProgressBar | None = None,
) -> JobFigures:
    """Run the main job on `branch` of `slug`, at most `limit` pipelines deep.

    Artifacts land in `dest`. Each step prints a line (or a table) on `out` as it ends;
    `bar` shows the harvest's progress.
    """
    figures = JobFigures()
    clock = time.monotonic

    started = clock()
    user = await circle.users.me()
    figures.login = user.login or user.id
    out.line(f"signed in as {user.login} ({user.name})")
    project = await circle.projects.get(slug)
    out.line(f"project {project.slug}: {project.name} of {project.organization_name}")

    created = await circle.pipelines.trigger(slug, branch=branch, parameters=DEMO_PARAMETERS)
    if isinstance(created, Accepted):
        raise DecodeError("triggerPipeline", "CircleCI accepted the trigger but sent no pipeline")
    figures.triggered = created
    given = " ".join(f"{key}={cell(value)}" for key, value in DEMO_PARAMETERS.items())
    out.line(
        f"triggered pipeline {created.number} on {branch} of {slug} with {given}: "
        f"{cell(created.state)} ({created.id})"
    )
    figures.seconds["trigger"] = clock() - started

    started = clock()
    async for page in circle.pipelines.list(slug, branch=branch).pages():
        figures.pages += 1
        figures.pipelines.extend(page.items[: limit - len(figures.pipelines)])
        if len(figures.pipelines) >= limit:
            break
    figures.seconds["stream"] = clock() - started
    numbers = [p.number for p in figures.pipelines]
    out.line(
        f"streamed the newest {len(numbers)} pipelines of {branch} in {figures.pages} pages "
        f"(numbers {min(numbers, default=0)} to {max(numbers, default=0)}) "
        f"in {figures.seconds['stream']:.1f} s"
    )

    await _fan_out(circle, figures, out)
    await _failed_tests(circle, figures, out, slug)

    started = clock()
    numbered = [job for job in figures.jobs if job.job_number]
    out.line(f"harvesting the artifacts of {len(numbered)} jobs into {dest}")
    out.stream.flush()
    try:
        figures.report = await circle.artifacts.download(
            _artifact_refs(circle, slug, numbered),
            dest,
            concurrency=8,
            progress=None if bar is None else bar.update,
            keep="failed",
        )
    finally:
        if bar is not None:
            bar.finish()
    figures.seconds["harvest"] = clock() - started
    out.line(figures.report.summary())
    for failure in figures.report.failures:
        out.line(f"  failed {failure.path}: {failure.error}")
    return figures


async def _fan_out(circle: CircleCI, figures: JobFigures, out: Output) -> None:
    """Every pipeline's workflows at once, then every workflow's jobs at once."""
    started = time.monotonic()
    sent = circle.core.requests_sent
    by_pipeline = await _concurrently(
        [circle.pipelines.workflows(p.id).collect() for p in figures.pipelines]
    )
    figures.workflows = [w for batch in by_pipeline for w in batch]
    by_workflow = await _concurrently(
        [circle.workflows.jobs(w.id).collect() for w in figures.workflows]
    )
    figures.jobs = [j for batch in by_workflow for j in batch]
    figures.seconds["fan-out"] = time.monotonic() - started
    out.line(
        f"fanned out to {len(figures.workflows)} workflows and {len(figures.jobs)} jobs with "
        f"{circle.core.requests_sent - sent} concurrent requests in "
        f"{figures.seconds['fan-out']:.1f} s:"
    )
    rows = list(zip(figures.pipelines, by_pipeline, strict=True))
    columns: list[Column[tuple[Pipeline, list[Workflow]]]] = [
        Column("NUMBER", lambda row: row[0].number, right=True),
        Column("STATE", lambda row: row[0].state),
        Column("BRANCH", lambda row: ref_of(row[0])),
        Column("WORKFLOWS", lambda row: ", ".join(f"{w.name}={w.status}" for w in row[1])),
    ]
    out.table(columns, rows[:_SHOWN_ROWS], empty="no pipelines")
    if len(rows) > _SHOWN_ROWS:
        out.line(f"  ... and {len(rows) - _SHOWN_ROWS} more")


async def _failed_tests(circle: CircleCI, figures: JobFigures, out: Output, slug: str) -> None:
    """The failed tests of every failed job, read at once."""
    started = time.monotonic()
    figures.failed_jobs = [j for j in figures.jobs if j.status == "failed" and j.job_number]
    results = await _concurrently(
        [
            circle.jobs.tests(j.project_slug or slug, j.job_number or 0).collect()
            for j in figures.failed_jobs
        ]
    )
    details = await _concurrently(
        [circle.jobs.get(j.project_slug or slug, j.job_number or 0) for j in figures.failed_jobs]
    )
    figures.failed_details = {detail.number: detail for detail in details}
    figures.failed_tests = [
        (job, test)
        for job, tests in zip(figures.failed_jobs, results, strict=True)
        for test in tests
        if test.result not in ("success", "skipped")
    ]
    figures.seconds["tests"] = time.monotonic() - started
    out.line(f"{len(figures.failed_jobs)} failed jobs, {len(figures.failed_tests)} failed tests:")
    columns: list[Column[tuple[Job, TestResult]]] = [
        Column("JOB", lambda row: f"{row[0].job_number} {row[0].name}"),
        Column("ON", lambda row: _resource_class(figures, row[0])),
        Column("TEST", lambda row: f"{row[1].classname}::{row[1].name}"),
        Column("MESSAGE", lambda row: row[1].message),
    ]
    out.table(columns, figures.failed_tests, empty="  none")


def _resource_class(figures: JobFigures, job: Job) -> str | None:
    details = figures.failed_details.get(job.job_number or 0)
    executor = details.executor if details is not None else None
    return executor.resource_class if executor is not None else None


async def _artifact_refs(
    circle: CircleCI, slug: str, jobs: Sequence[Job]
) -> AsyncIterator[ArtifactRef]:
    """The artifacts of `jobs`, listed all at once and handed on as each list comes in."""

    async def listing(job: Job) -> list[ArtifactRef]:
        number = job.job_number or 0
        found = await circle.jobs.artifacts(slug, number).collect()
        return [ArtifactRef(artifact, slug, number, job.name) for artifact in found]

    tasks = [asyncio.ensure_future(listing(job)) for job in jobs]
    try:
        for done in asyncio.as_completed(tasks):
            for ref in await done:
                yield ref
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
