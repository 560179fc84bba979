"""`circleci-async jobs get | cancel | tests | artifacts | logs`: a job by project and number."""

from __future__ import annotations

import argparse
from typing import Any

from ..client import CircleCI
from ..errors import CircleCIError, InvalidArgumentError
from ..logs import JobStep, JobSteps, LogLine, StepAction, keep_colours, strip_ansi
from ..models import Artifact, TestResult
from .common import add_api_command, add_group, job_number, positive_int, project_slug
from .output import Column, Output

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
    _register_logs(commands)


def _step_choice(text: str) -> int | str:
    return int(text) if text.isascii() and text.isdigit() else text


def _container(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(f"a container index is a number >= 0, not {text!r}")
    return int(text)


def _register_logs(commands: Any) -> None:
    command = add_api_command(
        commands,
        "logs",
        "a job's step output",
        _logs,
        description=(
            "Print a job's step output (API v1.1), every step of container 0 unless told "
            "otherwise. Colours pass through on a terminal and are removed elsewhere; --raw "
            "prints the text exactly as CircleCI sent it."
        ),
    )
    command.add_argument("project_slug", type=project_slug, metavar="SLUG", help="gh/org/repo")
    command.add_argument("job_number", type=job_number, metavar="N", help="the job number")
    command.add_argument(
        "--step", type=_step_choice, metavar="NAME|ID", help="one step, by name or id"
    )
    command.add_argument(
        "--container", type=_container, metavar="I", help="the parallel container (default 0)"
    )
    command.add_argument(
        "--failed", action="store_true", help="only the steps that failed, on any container"
    )
    command.add_argument("--tail", type=positive_int, metavar="N", help="the last N lines only")
    command.add_argument(
        "--follow", action="store_true", help="print new output as it comes, until the job ends"
    )
    command.add_argument(
        "--raw", action="store_true", help="the text as sent: escapes kept, no step headers"
    )


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


def _targets(steps: JobSteps, args: argparse.Namespace) -> list[tuple[JobStep, StepAction]]:
    """The (step, action) pairs the options select, in the job's order."""
    chosen = list(steps.steps)
    if args.step is not None:
        found = steps.find(args.step)
        if found is None:
            known = ", ".join(f"{s.id} {s.name!r}" for s in steps.steps[:20]) or "none yet"
            raise InvalidArgumentError(f"job {steps.number} has no step {args.step!r}: {known}")
        chosen = [found]
    pairs = [(step, action) for step in chosen for action in step.actions]
    if args.failed:
        pairs = [(step, action) for step, action in pairs if action.is_failed]
    if args.container is not None or not args.failed:
        index = args.container or 0
        pairs = [(step, action) for step, action in pairs if action.index == index]
        if args.step is not None and not pairs and not args.failed:
            raise InvalidArgumentError(f"step {args.step!r} did not run on container {index}")
    return pairs


class _Printer:
    """Writes log text for a terminal (colours only), a file or pipe (plain), or as sent."""

    def __init__(self, out: Output, *, raw: bool) -> None:
        self.out = out
        self.raw = raw
        terminal = out.stream.isatty()
        self.clean = (lambda t: t) if raw else keep_colours if terminal else strip_ansi
        self.step: JobStep | None = None
        self.action: StepAction | None = None

    def header(self, step: JobStep, action: StepAction) -> None:
        self.step, self.action = step, action
        if self.raw or self.out.json_lines:
            return
        where = f" [container {action.index}]" if action.index else ""
        ending = "" if action.status in (None, "success") else f" ({action.outcome})"
        self.out.line(keep_colours(f"==> {step.name} (step {step.id}){where}{ending}"))

    def text(self, text: str) -> None:
        self.out.stream.write(self.clean(text))
        self.out.stream.flush()

    def line(self, line: LogLine) -> None:
        if self.out.json_lines:
            step, action = self.step, self.action
            self.out.json(
                {
                    "step": step.name if step else None,
                    "step_id": step.id if step else None,
                    "index": action.index if action else None,
                    "message": line.message,
                    "time": line.time.isoformat() if line.time else None,
                    "type": line.stream,
                }
            )
            return
        self.text(line.message)


async def _logs(circle: CircleCI, args: argparse.Namespace, out: Output) -> None:
    """Print a job's step output."""
    if args.follow and args.tail:
        raise InvalidArgumentError("--tail and --follow cannot be combined")
    printer = _Printer(out, raw=args.raw)
    slug, number = args.project_slug, args.job_number
    steps = await circle.jobs.steps(slug, number)
    if args.follow and args.step is None and not args.failed:
        await _follow_job(circle, args, printer, steps)
        return
    pairs = _targets(steps, args)
    if not pairs and not out.json_lines:
        out.line("no failed steps" if args.failed else "no steps yet")
    for step, action in pairs:
        printer.header(step, action)
        stream = circle.jobs.output(
            slug, number, step=_id(step, action), index=action.index or 0, follow=args.follow
        )
        if args.tail and not out.json_lines:
            printer.text(await stream.text(tail=args.tail, ansi=True) + "\n")
            continue
        async for line in stream:
            printer.line(line)


def _id(step: JobStep, action: StepAction) -> int | str:
    if action.step is not None:
        return action.step
    return step.name or 0


async def _follow_job(
    circle: CircleCI, args: argparse.Namespace, printer: _Printer, steps: JobSteps
) -> None:
    """Follow every step of one container in turn, until the job has finished."""
    index = args.container or 0
    done: set[int | str] = set()
    core = circle.core
    deadline = core.clock() + core.retry.budget
    while True:
        pending = [
            (step, action)
            for step in steps.steps
            if (action := step.action(index)) is not None and _id(step, action) not in done
        ]
        for step, action in pending:
            printer.header(step, action)
            key = _id(step, action)
            stream = circle.jobs.output(
                args.project_slug, args.job_number, step=key, index=index, follow=True
            )
            async for line in stream:
                printer.line(line)
            done.add(key)
            deadline = core.clock() + core.retry.budget
        if steps.lifecycle == "finished" and not pending:
            return
        if core.clock() >= deadline:
            raise CircleCIError(
                f"job {args.job_number} started no new step within {core.retry.budget:g}s"
            )
        if not pending:
            await core.sleep(2.0)
        steps = await circle.jobs.steps(args.project_slug, args.job_number)
