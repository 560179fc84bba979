r"""Step logs of the fake's jobs: the steps CircleCI runs, their actions and their output.

`FakeLogs.steps(job)` lays out a job's steps as CircleCI does, from the job's config (the
pipeline's, or one outlined from its workflows): "Spin up environment" (step 0), "Preparing
environment variables" (99), then the config's steps numbered from 101 (`checkout` is
"Checkout code"). Each step has one action per container (`parallelism`). Steps run one after
another from the job's `started_at` on the fake's clock; a running job's current step is
`running` and its output grows by a line every `LINE_INTERVAL` seconds. When the job has
ended, its last step carries the job's outcome: `failed` ends in CircleCI's
`"\nExited with code exit status 1\n"` (on the last container only, for parallel jobs),
`timedout` ends with the no-output message and has `failed` and `exit_code` null,
`canceled` and `infrastructure_fail` likewise. Jobs that have not started have no steps.

`set_output` replaces an action's output with given lines or a generated log of any size.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import attrs

from .configs import outline_config
from .log_output import OutputLine, Stream
from .records import FINISHED_JOB_STATUSES, JobRecord
from .state import FakeState

__all__ = [
    "EXIT_LINE",
    "LINE_INTERVAL",
    "MAX_LINES",
    "TIMEOUT_LINE",
    "ActionRecord",
    "FakeLogs",
    "StepRecord",
    "StepSpec",
    "job_step_specs",
]

LINE_INTERVAL = 1.0
"""Seconds between two lines of a step's output."""
MAX_LINES = 300
"""Lines a step writes at most (then it stays silent until it ends)."""
EXIT_LINE = "\nExited with code exit status 1\n"
"""The last element of a failed step's output, as CircleCI writes it."""
TIMEOUT_LINE = "\nToo long with no output (exceeded 10m0s): context deadline exceeded\n"
"""The last element of a step killed by the no-output timeout."""

_FIRST_CONFIG_STEP = 101
_NAMED = {
    "checkout": "Checkout code",
    "restore_cache": "Restoring cache",
    "save_cache": "Saving cache",
    "store_artifacts": "Uploading artifacts",
    "store_test_results": "Uploading test results",
    "persist_to_workspace": "Persisting to workspace",
    "attach_workspace": "Attaching workspace",
    "setup_remote_docker": "Setup a remote Docker engine",
}


@attrs.frozen
class StepSpec:
    """A step as the config (or CircleCI) defines it, before it runs."""

    number: int
    name: str
    kind: str
    """`system` (added by CircleCI), `run`, or the config's step key (`checkout`, ...)."""
    bash_command: str | None = None
    seconds: float = 1.0
    lines: tuple[str, ...] = ()
    """Fixed lines of output; a `run` step writes generated lines instead."""


@attrs.define
class ActionRecord:
    """One step on one container, as it is at the fake's time now."""

    job_id: str
    step: int
    index: int
    name: str
    status: str
    start_time: datetime
    end_time: datetime | None
    bash_command: str | None = None
    exit_code: int | None = None
    failed: bool | None = None
    timedout: bool | None = None
    canceled: bool | None = None
    infrastructure_fail: bool | None = None
    lines: list[OutputLine] = attrs.field(factory=list, repr=False)
    generated: int | None = None
    """Bytes of a generated log served instead of `lines` (never held)."""
    parallel: bool = True

    @property
    def finished(self) -> bool:
        """Whether the step has ended (its output is complete)."""
        return self.status != "running"

    @property
    def has_output(self) -> bool:
        """Whether the action has any output."""
        return bool(self.lines) or bool(self.generated)

    @property
    def run_time_millis(self) -> int | None:
        """Milliseconds from start to end, None while running."""
        if self.end_time is None:
            return None
        return int((self.end_time - self.start_time).total_seconds() * 1000)

    def stream(self, stream: Stream) -> list[OutputLine]:
        """The lines of one stream (`out` or `err`)."""
        return [line for line in self.lines if line.type == stream]


@attrs.frozen
class StepRecord:
    """A step of a job with its actions (one per container)."""

    number: int
    name: str
    actions: list[ActionRecord]


@attrs.frozen
class _Override:
    lines: tuple[tuple[Stream, str], ...] | None
    size: int | None


class FakeLogs:
    """The steps and output of every job in `state`, computed at the state's time."""

    def __init__(self, state: FakeState) -> None:
        self.state = state
        self._overrides: dict[tuple[str, int, int], _Override] = {}

    def steps(self, job: JobRecord) -> list[StepRecord]:
        """The job's steps as they are now (empty before it starts)."""
        if job.started_at is None or job.type != "build":
            return []
        now = self.state.now()
        ended = job.status in FINISHED_JOB_STATUSES
        stop = (job.stopped_at or now) if ended else now
        specs = job_step_specs(self.state, job)
        steps: list[StepRecord] = []
        begin = job.started_at
        for position, spec in enumerate(specs):
            last = position == len(specs) - 1
            if begin > stop or (begin == stop and not ended and steps):
                break
            end = begin + timedelta(seconds=spec.seconds)
            if ended and (last or end >= stop):
                end, final = stop, True
            elif not ended and (last or end > now):
                end, final = now, False
            else:
                final = True
            closing = ended and end >= stop
            outcome = job.status if closing else ("success" if final else "running")
            actions = [
                self._action(job, spec, index, begin, end, outcome)
                for index in range(max(job.parallelism, 1))
            ]
            steps.append(StepRecord(spec.number, spec.name, actions))
            if closing:
                break
            begin = end
        return steps

    def action(self, job: JobRecord, step: int, index: int) -> ActionRecord | None:
        """One action of the job now, or None when no such step or container exists."""
        for record in self.steps(job):
            if record.number == step:
                return record.actions[index] if 0 <= index < len(record.actions) else None
        return None

    def set_output(
        self,
        job: JobRecord,
        step: int,
        *,
        index: int = 0,
        lines: Iterable[tuple[Stream, str]] | None = None,
        size: int | None = None,
    ) -> None:
        """Serve `lines` (`(stream, message)` pairs) or a generated log of `size` bytes instead.

        A generated log is made on the fly for each download, never stored.
        """
        if (lines is None) == (size is None):
            raise ValueError("give exactly one of lines and size")
        if size is not None and size < 0:
            raise ValueError("size must not be negative")
        kept = None if lines is None else tuple(lines)
        self._overrides[(job.id, step, index)] = _Override(kept, size)

    def _action(
        self,
        job: JobRecord,
        spec: StepSpec,
        index: int,
        begin: datetime,
        end: datetime,
        outcome: str,
    ) -> ActionRecord:
        parallelism = max(job.parallelism, 1)
        if outcome == "failed" and index != parallelism - 1:
            outcome = "success"
        action = ActionRecord(
            job_id=job.id,
            step=spec.number,
            index=index,
            name=spec.name,
            status="success",
            start_time=begin,
            end_time=end,
            bash_command=spec.bash_command,
            parallel=True,
        )
        count = min(MAX_LINES, int((end - begin).total_seconds() / LINE_INTERVAL) + 1)
        texts = list(spec.lines) if spec.kind != "run" else _run_lines(spec, index, count)
        action.lines = [
            OutputLine(text, begin + timedelta(seconds=k * LINE_INTERVAL))
            for k, text in enumerate(texts[:count])
        ]
        if spec.kind == "run":
            action.exit_code = 0
        _apply_outcome(action, outcome, end)
        override = self._overrides.get((job.id, spec.number, index))
        if override is not None:
            action.generated = override.size
            action.lines = [
                OutputLine(message, begin, stream) for stream, message in override.lines or ()
            ]
        return action


def _apply_outcome(action: ActionRecord, outcome: str, end: datetime) -> None:
    if outcome == "running":
        action.status, action.end_time, action.exit_code = "running", None, None
        return
    if outcome == "success":
        return
    action.status = outcome
    if outcome == "failed":
        action.failed, action.exit_code = True, 1
        action.lines += [
            OutputLine(f"\x1b[31merror:\x1b[0m {action.name} failed\n", end, "err"),
            OutputLine(EXIT_LINE, end),
        ]
    elif outcome == "timedout":
        action.timedout, action.exit_code = True, None
        action.lines.append(OutputLine(TIMEOUT_LINE, end))
    elif outcome == "canceled":
        action.canceled, action.exit_code = True, None
    elif outcome == "infrastructure_fail":
        action.status, action.infrastructure_fail, action.exit_code = "failed", True, None
    else:
        action.status = outcome


def _run_lines(spec: StepSpec, index: int, count: int) -> list[str]:
    lines = [f"\x1b[1m$ {spec.bash_command or spec.name}\x1b[0m\n"]
    lines += [
        f"[{index}] {spec.name}: line {k} \x1b[32mok\x1b[0m\n" for k in range(1, max(count, 1))
    ]
    return lines


def job_step_specs(state: FakeState, job: JobRecord) -> list[StepSpec]:
    """The steps the job runs: CircleCI's own, then its config's (numbered from 101)."""
    image = "cimg/base:stable"
    specs = [
        StepSpec(
            0,
            "Spin up environment",
            "system",
            seconds=2.0,
            lines=(
                f"Starting container {image}\n",
                f"  using image {image}\n",
                "Time to upload agent and config: 0.5s\n",
            ),
        ),
        StepSpec(
            99,
            "Preparing environment variables",
            "system",
            seconds=0.5,
            lines=("Using build environment variables:\n", f"  CIRCLE_JOB={job.name}\n"),
        ),
    ]
    pipeline = state.pipelines.get(job.pipeline_id)
    config = "" if pipeline is None else pipeline.config or outline_config(pipeline)
    declared = _config_steps(config, job.name) or [("checkout", None, None), ("run", None, None)]
    for offset, (kind, name, command) in enumerate(declared):
        number = _FIRST_CONFIG_STEP + offset
        if kind == "run":
            command = command or f"make {job.name}"
            specs.append(StepSpec(number, name or command, "run", command, seconds=3.0))
        elif kind == "checkout":
            lines = ("Cloning git repository\n", "Checking out branch\n")
            specs.append(StepSpec(number, _NAMED[kind], kind, seconds=1.0, lines=lines))
        else:
            specs.append(StepSpec(number, name or _NAMED.get(kind, kind), kind, seconds=1.0))
    return specs


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _config_steps(config: str, job_name: str) -> list[tuple[str, str | None, str | None]]:
    """`(kind, name, command)` of each step of `job_name` in a block-style config."""
    lines = [line.rstrip() for line in config.splitlines() if line.strip()]
    lines = [line for line in lines if not line.lstrip().startswith("#")]
    try:
        start = lines.index("jobs:") + 1
    except ValueError:
        return []
    body: list[str] = []
    for line in lines[start:]:
        if _indent(line) == 0:
            break
        body.append(line)
    if not body:
        return []
    level = _indent(body[0])
    heads = [i for i, line in enumerate(body) if _indent(line) == level]
    for position, head in enumerate(heads):
        if body[head].strip().rstrip(":") != job_name:
            continue
        end = heads[position + 1] if position + 1 < len(heads) else len(body)
        return _steps_of(body[head + 1 : end])
    return []


def _steps_of(job_lines: list[str]) -> list[tuple[str, str | None, str | None]]:
    marks = [i for i, line in enumerate(job_lines) if line.strip() == "steps:"]
    if not marks:
        return []
    after = job_lines[marks[0] + 1 :]
    limit = _indent(job_lines[marks[0]])
    after = after[: next((i for i, line in enumerate(after) if _indent(line) <= limit), None)]
    items = [i for i, line in enumerate(after) if line.lstrip().startswith("- ")]
    if not items:
        return []
    level = _indent(after[items[0]])
    starts = [i for i in items if _indent(after[i]) == level]
    found: list[tuple[str, str | None, str | None]] = []
    for position, begin in enumerate(starts):
        end = starts[position + 1] if position + 1 < len(starts) else len(after)
        head = after[begin].strip().removeprefix("- ")
        key, _, value = head.partition(":")
        details = {
            k.strip(): v.strip()
            for k, _, v in (line.strip().partition(":") for line in after[begin + 1 : end])
        }
        if key.strip() == "run":
            command = value.strip() or details.get("command") or None
            found.append(("run", details.get("name") or None, command))
        else:
            found.append((key.strip(), details.get("name") or None, None))
    return found
