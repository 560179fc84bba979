"""Helpers shared by the artifact harvester tests: jobs in the fake, clients, file checks."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from circleci_async import CircleCI, RetryPolicy
from circleci_async.testing import FakeCircleCI, RecordedRequest

SLUG = "gh/acme/widgets"


def add_job(fake: FakeCircleCI, name: str = "build", *, slug: str = SLUG) -> int:
    """A finished job in a new pipeline and workflow; its job number."""
    pipeline = fake.state.add_pipeline(slug)
    workflow = fake.state.add_workflow(pipeline.id)
    job = fake.state.add_job(workflow.id, name=name)
    assert job.number is not None
    return job.number


class Sleeps:
    """An injected `sleep` that records each delay and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def client(fake: FakeCircleCI, sleeps: Sleeps | None = None, **options: Any) -> CircleCI:
    """A client for `fake` that trusts its artifacts origin (`localhost`) with the token."""
    options.setdefault("artifact_hosts", ["localhost"])
    options.setdefault("retry", RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05))
    return CircleCI(token=fake.token, base_url=fake.base_url, sleep=sleeps or Sleeps(), **options)


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in pieces."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def files_under(root: Path) -> dict[str, Path]:
    """Every regular file below `root`, by its path relative to `root`."""
    found: dict[str, Path] = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            found[path.relative_to(root).as_posix()] = path
    return found


def downloads(fake: FakeCircleCI) -> list[RecordedRequest]:
    """Requests the artifacts and storage origins received."""
    return [r for r in fake.requests if r.origin in ("artifacts", "storage")]
