"""Build the API reference with pdoc: `python docs/build.py [OUTPUT_DIR]` (default: site/).

Exits non-zero when pdoc warns (an annotation it cannot read, a broken reference), so the
reference cannot quietly rot; the test suite runs it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

MODULES = [
    "circleci_async",
    "circleci_async.models",
    "circleci_async.services",
    "circleci_async.pagination",
    "circleci_async.retry",
    "circleci_async.errors",
    "circleci_async.artifacts",
    "circleci_async.testing",
    "circleci_async.wire",
    "circleci_async.checks",
    "circleci_async.endpoints",
    "circleci_async.gate",
    "circleci_async.session",
    "circleci_async.redis_gate",
    "circleci_async.dask",
]


def build(output: Path) -> int:
    """Run pdoc into `output`; return its exit status, or 1 when it printed a warning."""
    done = subprocess.run(
        [sys.executable, "-m", "pdoc", "--docformat", "markdown", "-o", str(output), *MODULES],
        capture_output=True,
        text=True,
        check=False,
    )
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    if done.returncode:
        return done.returncode
    return 1 if "Warn" in done.stderr or "Warn" in done.stdout else 0


if __name__ == "__main__":
    sys.exit(build(Path(sys.argv[1] if len(sys.argv) > 1 else "site")))
