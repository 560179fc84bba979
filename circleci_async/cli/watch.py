"""`pipelines watch`, `workflows watch` and `pipelines trigger --wait`: follow a build to its end.

On a terminal the view redraws in place (a block of lines: the pipeline, its workflows, their
jobs); otherwise one line is printed per change of state, for logs. With `--json` only the
final object is printed, with `-q` only the verdict. `--exit-status` makes the command end
with 1 when the build failed, as `gh run watch --exit-status` does.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any, TextIO

from ..client import CircleCI
from ..models import Job, Workflow
from ..waiting import PASSED_WORKFLOW_STATUSES, PipelineOutcome, WaitPolicy
from .common import add_api_command, positive_number
from .output import Output
from .style import Style

__all__ = ["WatchView", "add_wait_options", "register_workflow_watch", "watch_pipeline"]

_MAX_JOBS = 500
"""The most jobs a view reads of one workflow."""

Line = tuple[str, str, str]
"""One line of a view: its key (what it is about), its text, and the status that colours it."""


class WatchView:
    """Shows lines that change over time: redrawn in place on a terminal, else each change once."""

    def __init__(self, stream: TextIO, *, live: bool, style: Style) -> None:
        self.stream = stream
        self.live = live
        self.style = style
        self._drawn = 0
        self._said: dict[str, str] = {}

    def show(self, lines: Sequence[Line]) -> None:
        """Draw the view's current `lines`."""
        if self.live:
            if self._drawn:
                self.stream.write(f"\x1b[{self._drawn}F\x1b[J")
            for _key, text, status in lines:
                self.stream.write(self.style.status(text, status) + "\n")
            self._drawn = len(lines)
        else:
            for key, text, status in lines:
                if self._said.get(key) != text:
                    self._said[key] = text
                    self.stream.write(self.style.status(text, status) + "\n")
        self.stream.flush()


def _status(value: object) -> str:
    return str(getattr(value, "value", value) or "-")


_FAILED = frozenset(
    {"failed", "error", "canceled", "unauthorized", "infrastructure_fail", "timedout",
     "terminated-unknown", "errored"}
)  # fmt: skip


def _mark(status: str) -> str:
    if status == "success":
        return "✓"
    if status == "not_run":
        return "-"
    return "✗" if status in _FAILED else "*"


async def _lines_of_workflow(
    circle: CircleCI, workflow: Workflow, *, indent: str = ""
) -> list[Line]:
    status = _status(workflow.status)
    lines: list[Line] = [
        (workflow.id, f"{indent}{_mark(status)} workflow {workflow.name}: {status}  {workflow.id}",
         status)
    ]  # fmt: skip
    jobs: list[Job] = await circle.workflows.jobs(workflow.id).collect(_MAX_JOBS)
    for job in jobs:
        job_status = _status(job.status)
        number = f" #{job.job_number}" if job.job_number is not None else ""
        lines.append(
            (job.id, f"{indent}  {_mark(job_status)} job {job.name}{number}: {job_status}",
             job_status)
        )  # fmt: skip
    return lines


def add_wait_options(command: argparse.ArgumentParser, *, exit_status: bool = True) -> None:
    """Add `--exit-status`, `--interval` and `--timeout` to a command that waits."""
    if exit_status:
        command.add_argument(
            "--exit-status", action="store_true", help="exit with 1 when the build failed"
        )
    command.add_argument(
        "--interval",
        type=positive_number,
        default=2.0,
        metavar="S",
        help="seconds before the first re-read; it grows to 30 (2)",
    )
    command.add_argument(
        "--timeout",
        type=positive_number,
        default=3600.0,
        metavar="S",
        help="give up after S seconds (3600)",
    )


def _policy(args: argparse.Namespace) -> WaitPolicy:
    first = float(args.interval)
    return WaitPolicy(timeout=args.timeout, first_interval=first, max_interval=max(30.0, first))


def _view(out: Output, args: argparse.Namespace) -> WatchView:
    return WatchView(out.stream, live=out.stream.isatty(), style=Style.for_stream(out.stream, args))


async def watch_pipeline(
    circle: CircleCI, pipeline_id: str, args: argparse.Namespace, out: Output
) -> int:
    """Follow a pipeline to its end; 1 when it failed and `--exit-status` was given, else 0."""
    view = _view(out, args)

    async def draw(outcome: PipelineOutcome) -> None:
        if out.json_lines or args.quiet:
            return
        pipeline = outcome.pipeline
        state = _status(pipeline.state)
        lines: list[Line] = [
            ("pipeline", f"pipeline {pipeline.number} of {pipeline.project_slug}: {state}", state)
        ]
        for workflow in outcome.workflows:
            lines.extend(await _lines_of_workflow(circle, workflow, indent="  "))
        view.show(lines)

    outcome = await circle.pipelines.wait(pipeline_id, policy=_policy(args), on_poll=draw)
    if out.json_lines:
        out.json({"pipeline": outcome.pipeline, "workflows": outcome.workflows,
                  "passed": outcome.passed, "status": outcome.status})  # fmt: skip
    else:
        verdict = "passed" if outcome.passed else "failed"
        line = f"pipeline {outcome.pipeline.number} {verdict}: {outcome.status}"
        out.line(view.style.status(line, "success" if outcome.passed else "failed"))
    return 1 if args.exit_status and not outcome.passed else 0


async def _watch_workflow(circle: CircleCI, args: argparse.Namespace, out: Output) -> int:
    """Follow a workflow and its jobs to the end."""
    view = _view(out, args)

    async def draw(workflow: Workflow) -> None:
        if not out.json_lines and not args.quiet:
            view.show(await _lines_of_workflow(circle, workflow))

    workflow = await circle.workflows.wait(args.workflow_id, policy=_policy(args), on_poll=draw)
    passed = workflow.status in PASSED_WORKFLOW_STATUSES
    if out.json_lines:
        out.json(workflow)
    else:
        verdict = "passed" if passed else "failed"
        line = f"workflow {workflow.name} {verdict}: {_status(workflow.status)}"
        out.line(view.style.status(line, "success" if passed else "failed"))
    return 1 if args.exit_status and not passed else 0


async def _watch_pipeline(circle: CircleCI, args: argparse.Namespace, out: Output) -> int:
    """Follow a pipeline, its workflows and their jobs to the end."""
    return await watch_pipeline(circle, args.pipeline_id, args, out)


def register_pipeline_watch(commands: Any) -> None:
    """Add `pipelines watch ID`."""
    command = add_api_command(
        commands,
        "watch",
        "follow a pipeline until it ends",
        _watch_pipeline,
        "Follow a pipeline, its workflows and their jobs until it ends: redrawn in place on a "
        "terminal, one line per change otherwise. Exit status with --exit-status: 0 passed, "
        "1 failed.",
    )
    command.add_argument("pipeline_id", metavar="ID", help="a pipeline id")
    add_wait_options(command)


def register_workflow_watch(commands: Any) -> None:
    """Add `workflows watch ID`."""
    command = add_api_command(
        commands,
        "watch",
        "follow a workflow until it ends",
        _watch_workflow,
        "Follow a workflow and its jobs until it ends: redrawn in place on a terminal, one "
        "line per change otherwise. Exit status with --exit-status: 0 passed, 1 failed.",
    )
    command.add_argument("workflow_id", metavar="ID", help="a workflow id")
    add_wait_options(command)
