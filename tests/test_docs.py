"""The API reference builds without warnings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def test_the_api_reference_builds_without_warnings(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "build.py"), str(tmp_path)],
        capture_output=True, text=True, timeout=300, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    pages = {path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*.html")}
    for page in ("circleci_async.html", "circleci_async/artifacts.html",
                 "circleci_async/testing.html", "circleci_async/models.html"):  # fmt: skip
        assert page in pages
    client_page = (tmp_path / "circleci_async.html").read_text(encoding="utf-8")
    assert "An asyncio client for the CircleCI REST API v2" in client_page
