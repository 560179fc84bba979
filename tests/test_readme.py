"""The README's commands and code blocks run as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

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
    assert "examples/quickstart.py" in main_job
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
