"""The benchmarks' smoke mode runs, so the benchmarks cannot rot (figures are not judged here)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def test_benchmarks_smoke_mode_runs_every_scenario() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--smoke", "--no-write"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    titles = (
        "## Fan-out",
        "## CPU per request",
        "## Streaming pagination",
        "## Rate limits",
        "## Harvest",
        "## Shared rate-limit gate",
        "## Harvest on Dask",
        "## Logs",
    )
    for title in titles:
        assert title in done.stdout
    assert "| 50 × small | circleci-async `download_job` | 32 |" in done.stdout
    assert "holds: circleci-async never sent the token to the storage origin" in done.stdout


def test_the_soak_smoke_mode_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.soak", "--smoke"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "## Soak: resources under random faults (issue 16)" in done.stdout
    assert re.search(r"from [\d,]+ to 400 calls: RSS [+-]\d", done.stdout), done.stdout
