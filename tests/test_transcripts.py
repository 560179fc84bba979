"""The tested transcript of docs/transcripts.md runs as shown, on the fake's clock.

Each `$ circleci-async ...` line of the block after `<!-- tested -->` runs in-process against
a fake with a build runner (`job_seconds=10`, the job `test` failing in the second pipeline);
`$ echo $?` shows the last exit status. Ids, times, ports and commit hashes change from run
to run, so both sides are compared with each uuid replaced by its order of first appearance
and the rest blanked; a uuid in a command stands for the id at the same place in this run.
"""

from __future__ import annotations

import functools
import re
import shlex
from pathlib import Path

import pytest

from circleci_async import CircleCI
from circleci_async.cli import common

from .cli_helpers import run
from .clock import SteppingClock
from .conftest import FakeFactory

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "transcripts.md").read_text(encoding="utf-8")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?Z")
PORT = re.compile(r"127\.0\.0\.1:\d+")
SHA = re.compile(r"\b[0-9a-f]{40}\b")


def transcript_steps() -> list[tuple[str, list[str]]]:
    """The commands of the tested block, each with the lines shown under it."""
    block = DOC.split("<!-- tested -->", 1)[1].split("```console\n", 1)[1].split("```", 1)[0]
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            steps[-1][1].append(line)
    return steps


class Ids:
    """Uuids numbered by first appearance."""

    def __init__(self) -> None:
        self.order: list[str] = []

    def number(self, text: str) -> str:
        def name(match: re.Match[str]) -> str:
            if match.group() not in self.order:
                self.order.append(match.group())
            return f"<id{self.order.index(match.group())}>"

        text = SHA.sub("<sha>", TIME.sub("<time>", UUID.sub(name, text)))
        return PORT.sub("127.0.0.1:<port>", text)


def test_the_tested_block_has_every_step() -> None:
    commands = " ".join(command for command, _ in transcript_steps())
    for part in ("trigger", "--wait", "--exit-status", "watch", "workflows list", "jobs list",
                 "api GET", "echo $?"):  # fmt: skip
        assert part in commands, part


async def test_the_transcript_runs_as_shown(
    fake_factory: FakeFactory,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = SteppingClock()
    made = functools.partial(CircleCI, clock=clock, sleep=clock.sleep)
    monkeypatch.setattr(common, "CircleCI", made)
    fake = await fake_factory(job_seconds=10, clock=clock)
    fake.state.add_project("gh/acme/rocket")
    assert fake.runner is not None
    monkeypatch.setenv("CIRCLECI_TOKEN", fake.token)
    monkeypatch.setenv("CIRCLECI_BASE_URL", fake.base_url)
    shown_ids, run_ids = Ids(), Ids()
    status = 0
    triggers = 0
    for command, shown in transcript_steps():
        expected = shown_ids.number("\n".join(shown))
        if command == "echo $?":
            assert expected == str(status)
            continue
        argv = shlex.split(command)
        assert argv[0] == "circleci-async"
        argv = [
            UUID.sub(lambda m: run_ids.order[shown_ids.order.index(m.group())], word)
            for word in argv[1:]
        ]
        if argv[:2] == ["pipelines", "trigger"]:
            triggers += 1
            fake.runner.failing = {"test"} if triggers == 2 else set()
        status = await run(argv)
        out, err = capsys.readouterr()
        assert run_ids.number((out + err).rstrip("\n")) == expected, command
