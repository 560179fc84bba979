"""How the examples connect: to CircleCI with your token, or to the fake with `--fake`."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from circleci_async import CircleCI
from circleci_async.testing import FakeCircleCI


def parser(description: str) -> argparse.ArgumentParser:
    """An argument parser with `--fake`, for the example's own arguments to be added."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--fake", action="store_true",
        help="run against a seeded fake CircleCI instead of circleci.com",
    )  # fmt: skip
    return parser


@asynccontextmanager
async def connect(fake: bool) -> AsyncIterator[CircleCI]:
    """A client on circleci.com (token from CIRCLECI_TOKEN / CIRCLE_TOKEN), or on a fake.

    The fake holds two projects, `gh/acme/api-server` and one `circleci/...` project, with
    a history of pipelines; pipelines triggered on it run jobs of 0.2 s.
    """
    if not fake:
        async with CircleCI() as circle:
            yield circle
        return
    async with (
        FakeCircleCI(seed=7, job_seconds=0.2) as server,
        CircleCI(server.token, base_url=server.base_url, artifact_hosts=["localhost"]) as circle,
    ):
        yield circle
