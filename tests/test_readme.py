"""The README's commands and code blocks run as written."""

from __future__ import annotations

import asyncio
import io
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from circleci_async.cli import main
from circleci_async.testing.demo_org import seed_demo_org

from .conftest import FakeFactory

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", README, re.DOTALL)
SCRIPTS = [block for block in BLOCKS if "asyncio.run(" in block]
TEST_MODULES = [block for block in BLOCKS if "def test_" in block]


def test_the_readme_starts_with_the_two_commands_and_ci_runs_the_test_one() -> None:
    shell = re.search(r"```sh\n(.*?)```", README, re.DOTALL)
    assert shell is not None
    assert README.index("```sh") < 40, "the set-up commands must come first"
    commands = [line for line in shell.group(1).splitlines() if line and not line.startswith("#")]
    assert len(commands) == 2
    main_job, tests = commands
    assert main_job.endswith("circleci-async demo")
    assert "pytest" in tests
    assert tests in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_the_quickstart_block_is_the_example_file() -> None:
    assert BLOCKS[0] == (ROOT / "examples" / "quickstart.py").read_text(encoding="utf-8")


def test_every_block_is_run_by_this_file() -> None:
    assert SCRIPTS
    assert len(SCRIPTS) + len(TEST_MODULES) == len(BLOCKS)


@pytest.mark.parametrize("block", SCRIPTS, ids=lambda block: block.splitlines()[-1][:40])
def test_readme_script_runs(block: str, tmp_path: Path) -> None:
    script = tmp_path / "block.py"
    script.write_text(block, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-W", "error", str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip(), "the block printed nothing"


@pytest.mark.parametrize("block", TEST_MODULES)
def test_readme_test_module_passes_under_pytest(block: str, tmp_path: Path) -> None:
    (tmp_path / "test_block.py").write_text(block, encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "asyncio",
            "-o",
            "asyncio_mode=auto",
            "-o",
            "asyncio_default_fixture_loop_scope=function",
            "-W",
            "error",
            str(tmp_path / "test_block.py"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def console_commands() -> list[tuple[str, list[str]]]:
    """Every `$ circleci-async ...` line of the README's console blocks, continuations joined,
    with the output lines the README shows under it."""
    commands: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", README, re.DOTALL):
        joined = re.sub(r"\\\n\s*", "", block)
        shown: list[str] | None = None
        for line in joined.splitlines():
            if line.startswith("$ "):
                shown = None
                if "circleci-async" in line:
                    shown = []
                    commands.append((line[2:].split("#")[0].strip(), shown))
            elif shown is not None and line.strip():
                shown.append(line)
    return commands


def labels(lines: list[str]) -> list[str]:
    """What an output's shape is made of: table headers and `label:` names, in order."""
    found = []
    for line in lines:
        words = line.split()
        if words and all(re.fullmatch(r"[A-Z][A-Z_]*", word) for word in words):
            found.append(" ".join(words))
        elif re.match(r"^[a-z][a-z _]*:\s", line):
            found.append(line.split(":", 1)[0])
    return found


def summary_shape(line: str) -> str:
    """A harvest summary with its figures blanked: `N downloaded, N skipped, ...`."""
    return re.sub(r"\d+(\.\d+)?", "N", line.split(" into ")[0].split(";")[0])


COMMANDS = console_commands()
LONG_RUNNING = ("fake serve", "webhooks listen")


def test_the_readme_shows_commands() -> None:
    assert len(COMMANDS) >= 8


@pytest.mark.parametrize(("command", "shown"), COMMANDS, ids=[c for c, _ in COMMANDS])
async def test_readme_command_runs_against_the_demo_organisation(
    command: str,
    shown: list[str],
    fake_factory: FakeFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if any(part in command for part in LONG_RUNNING):
        pytest.skip("serves until Ctrl-C; tests/test_cli_fake_serve.py runs it")
    fake = await fake_factory(artifact_redirects=True)
    seed_demo_org(fake.state, 1)
    monkeypatch.setenv("CIRCLECI_TOKEN", fake.token)
    monkeypatch.chdir(tmp_path)
    stdin = ""
    if " | circleci-async" in command:
        stdin, command = "s3cret-value", command.split(" | ", 1)[1]
    argv = shlex.split(command.split(" | ")[0])
    assert argv[0] == "circleci-async"
    argv = [*argv[1:], "--base-url", fake.base_url]
    if argv[0] == "artifacts":
        argv += ["--artifact-host", "localhost"]
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    status = await asyncio.to_thread(main, argv)
    assert status == 0, command
    out = capsys.readouterr().out.splitlines()
    assert out, f"{command} printed nothing"
    if "--json" in argv:
        assert all(line.startswith("{") and line.endswith("}") for line in out), out
    if shown:
        assert labels(out) == labels(shown), (command, out)
    summaries = [summary_shape(line) for line in shown if " downloaded, " in line]
    if summaries:
        assert [summary_shape(line) for line in out if " downloaded, " in line] == summaries
