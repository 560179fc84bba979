"""Every script in examples/ runs against the fake and prints what it found."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

RUNS: dict[str, tuple[list[str], str]] = {
    "quickstart.py": ([], "triggered pipeline"),
    "last_green_pipeline.py": (["gh/acme/api-server", "--fake"], "last green pipeline on main: #"),
    "harvest_junit.py": (["gh/acme/api-server", "--fake", "--dest", "{tmp}"], " downloaded, "),
    "flaky_tests.py": (["--fake"], "6 flaky tests in 4 projects"),
    "watch_pipeline.py": (["gh/acme/api-server", "--fake"], "finished: green"),
    "notify_failures.py": (["--fake"], "Exited with code exit status 1"),
}


def test_every_example_is_run_here() -> None:
    scripts = {path.name for path in EXAMPLES.glob("*.py") if path.name != "connect.py"}
    assert scripts == set(RUNS)


@pytest.mark.parametrize("script", sorted(RUNS))
def test_example_runs(script: str, tmp_path: Path) -> None:
    arguments, expected = RUNS[script]
    done = subprocess.run(
        [sys.executable, "-W", "error", script, *(a.format(tmp=tmp_path) for a in arguments)],
        capture_output=True, text=True, timeout=120, cwd=EXAMPLES, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout


def test_harvested_reports_are_xml(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "harvest_junit.py", "gh/acme/api-server", "--fake", "--dest",
         str(tmp_path)],
        capture_output=True, text=True, timeout=120, cwd=EXAMPLES, check=True,
    )  # fmt: skip
    reports = list(tmp_path.rglob("*.xml"))
    assert reports
    assert all(path.read_bytes().startswith(b"<?xml") for path in reports)
    assert not list(tmp_path.rglob("*.part"))
