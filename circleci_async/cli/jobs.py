"""`circleci-async jobs list | get | cancel | tests | artifacts`: a job by project and number."""

from __future__ import annotations

import argparse
from typing import Any

from ..client import CircleCI
from ..models import Artifact, TestResult
from .common import add_api_command, add_group, job_number, project_slug
from .output import Column, Output
from .workflows import JOB_COLUMNS

__all__ = ["ARTIFACT_COLUMNS", "TEST_COLUMNS", "register"]

_MESSAGE_WIDTH = 80


def _message(test: TestResult) -> str | None:
    if test.message is None:
        return None
    first = test.message.strip().splitlines()[0] if test.message.strip() else ""
    return first if len(first) <= _MESSAGE_WIDTH else first[: _MESSAGE_WIDTH - 1] + "…"


TEST_COLUMNS: list[Column[TestResult]] = [
    Column("RESULT", lambda t: t.result),
    Column("NAME", lambda t: t.name),
    Column("CLASSNAME", lambda t: t.classname),
    Column("FILE", lambda t: t.file),
    Column("SECONDS", lambda t: t.run_time, right=True),
    Column("MESSAGE", _message),
]
"""The columns of a job's test results."""

ARTIFACT_COLUMNS: list[Column[Artifact]] = [
    Column("NODE", lambda a: a.node_index, right=True),
    Column("PATH", lambda a: a.path),
    Column("URL", lambda a: a.url),
]
"""The columns of a job's artifacts."""


def register(groups: Any) -> None:
    """Add the `jobs` group to the top-level sub-parsers."""
    commands = add_group(groups, "jobs", "inspect and cancel jobs, list tests and artifacts")
    listing = add_api_command(commands, "list", "the jobs of a workflow", _list)
    listing.add_argument("workflow_id", metavar="WORKFLOW_ID", help="a workflow id")
    for name, help_text, body in (
        ("get", "one job in full", _get),
        ("cancel", "cancel a job", _cancel),
        ("tests", "the test results a job reported", _tests),
        ("artifacts", "the artifacts a job stored", _artifacts),
    ):
        command = add_api_command(commands, name, help_text, body)
        command.add_argument("project_slug", type=project_slug, metavar="SLUG", help="gh/org/repo")
        command.add_argument("job_number", type=job_number, metavar="N", help="the job number")
        if name == "tests":
            command.add_argument(
                "--failed", action="store_true", help="only tests that did not pass or skip"
            )


async def _list(circle: CircleCI, args: argparse.Namespace, out: Output) -> None:
    """Print the jobs of a workflow (as `workflows jobs`)."""
    jobs = circle.workflows.jobs(args.workflow_id)
    await out.stream_table(JOB_COLUMNS, jobs, empty="no jobs")


async def _get(circle: CircleCI, args: argparse.Namespace, out: Output) -> None:
    """Print one job."""
    job = await circle.jobs.get(args.project_slug, args.job_number)
    workflow, executor = job.latest_workflow, job.executor
    fields: list[tuple[str, object]] = [
        ("number", job.number),
        ("name", job.name),
        ("status", job.status),
        ("project", job.project.slug if job.project else None),
        ("workflow", f"{workflow.name} ({workflow.id})" if workflow else None),
        ("pipeline", job.pipeline.id if job.pipeline else None),
        ("executor", f"{executor.type or '-'} {executor.resource_class}" if executor else None),
        ("parallelism", job.parallelism),
        ("created", job.created_at),
        ("started", job.started_at),
        ("stopped", job.stopped_at),
        ("duration", None if job.duration is None else f"{job.duration / 1000:.1f} s"),
        ("web url", job.web_url),
    ]
    out.record(fields, job)


async def _cancel(circle: CircleCI, args: argparse.Namespace, out: Output) -> None:
    """Cancel a job."""
    answer = await circle.jobs.cancel(args.project_slug, args.job_number)
    out.record([("canceled", f"job {args.job_number}"), ("message", answer.message)], answer)


async def _tests(circle: CircleCI, args: argparse.Namespace, out: Output) -> None:
    """Print a job's test results."""
    tests = [test async for test in circle.jobs.tests(args.project_slug, args.job_number)]
    if args.failed:
        tests = [test for test in tests if test.result not in ("success", "skipped")]
    out.table(TEST_COLUMNS, tests, empty="no failed tests" if args.failed else "no test results")


async def _artifacts(circle: CircleCI, args: argparse.Namespace, out: Output) -> None:
    """Print a job's artifacts."""
    artifacts = circle.jobs.artifacts(args.project_slug, args.job_number)
    await out.stream_table(ARTIFACT_COLUMNS, artifacts, empty="no artifacts")
