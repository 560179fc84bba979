"""The harvest benchmark's smoke mode runs (its figures are not judged here)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(not (shutil.which("wget") and shutil.which("curl")), reason="needs wget, curl")
def test_the_harvest_benchmark_smoke_mode_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.harvest", "--smoke"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "## Harvest" in done.stdout
    assert "| 50 × small | circleci-async `download_job` | 8 |" in done.stdout
    assert "holds: circleci-async never sent the token to the storage origin" in done.stdout
