"""`circleci-async demo`: the main job, end to end, against a rate-limited fake CircleCI.

The fake runs in-process on loopback, seeded with the `acme` organisation
(`circleci_async.testing.demo_org`), and lets `RATE_LIMIT` API requests a second through
(bursts of `BURST`); the library absorbs the 429s it earns with its rate-limit gate.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import urlsplit

from ..artifacts import format_bytes
from ..client import CircleCI
from .common import json_option
from .demo_job import JobFigures, run_main_job
from .output import Output
from .progress_bar import ProgressBar
from .tables import render_table

if TYPE_CHECKING:
    from ..testing import FakeCircleCI
    from ..testing.demo_org import DemoOrg

__all__ = ["BURST", "PIPELINES", "RATE_LIMIT", "register", "run_demo"]

RATE_LIMIT = 40.0
"""API requests per second the demo's fake allows."""
BURST = 20
"""Requests the fake lets through at once before it starts counting."""
REFUSED_BURST = 3
"""The first calls of `REFUSING_OPERATION` get 429, as when a burst reaches an endpoint."""
REFUSING_OPERATION = "listWorkflowJobs"
PIPELINES = 25
"""How many of the branch's newest pipelines the demo goes through."""
PAGE_SIZE = 20
PROFILE_NAMES = ("cloud", "server")
"""The fake's answer profiles (`circleci_async.testing.profiles`), named without loading it."""

_DESCRIPTION = f"""\
Start a fake CircleCI on loopback with a realistic organisation (four projects, a few
hundred pipelines with workflows, jobs, test results and artifacts) and a rate limit of
{RATE_LIMIT:g} requests a second, then run the main job against it with the library: trigger
a pipeline with parameters, stream the newest pipelines of main of gh/acme/api-server,
fan out to their workflows and jobs at once, report the failed tests, and harvest the
artifacts. Prints what it did, with figures; exit status 0 when everything worked.
"""


def register(groups: Any) -> None:
    """Add the `demo` command to the top-level sub-parsers."""
    demo = groups.add_parser(
        "demo",
        parents=[json_option()],
        help="run the main job against a built-in fake CircleCI (no token needed)",
        description=_DESCRIPTION,
    )
    demo.add_argument(
        "--dest",
        metavar="DIR",
        help="keep the harvested artifacts in DIR (default: a temporary folder, removed after)",
    )
    demo.add_argument("--seed", type=int, default=1, metavar="N", help="the organisation (1)")
    demo.add_argument(
        "--profile",
        choices=PROFILE_NAMES,
        default="cloud",
        help="answer like CircleCI's cloud (the spec) or like a CircleCI Server install",
    )
    demo.set_defaults(run=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    """Run `demo`; the exit status."""
    return asyncio.run(_demo(args, sys.stdout, sys.stderr))


@contextlib.contextmanager
def _destination(dest: str | None) -> Iterator[Path]:
    if dest is not None:
        yield Path(dest)
        return
    with tempfile.TemporaryDirectory(prefix="circleci-async-demo-") as temporary:
        yield Path(temporary)


async def _demo(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    started = time.monotonic()
    out = Output(stdout, json_lines=args.json)
    # The narration of each step is for people; with --json only the summary is printed.
    story = Output(io.StringIO() if args.json else stdout, json_lines=False)
    bar = ProgressBar(stderr) if stderr.isatty() else None
    from ..testing import FakeCircleCI
    from ..testing.demo_org import DEMO_BRANCH, DEMO_PROJECT, seed_demo_org

    with _destination(args.dest) as dest:
        async with FakeCircleCI(page_size=PAGE_SIZE, profile=args.profile) as fake:
            org = seed_demo_org(fake.state, args.seed)
            fake.faults.rate_limit_rps(RATE_LIMIT, burst=BURST, origin="api")
            fake.faults.rate_limit(REFUSED_BURST, retry_after="1", operation=REFUSING_OPERATION)
            _introduce(story, fake, org, args.seed)
            host = urlsplit(fake.artifacts_url).hostname or "localhost"
            async with CircleCI(
                fake.token, base_url=fake.base_url, artifact_hosts=[host]
            ) as circle:
                figures = await run_main_job(
                    circle,
                    slug=DEMO_PROJECT,
                    branch=DEMO_BRANCH,
                    limit=PIPELINES,
                    dest=dest,
                    out=story,
                    bar=bar,
                )
                summary = _summary(circle, fake, figures, time.monotonic() - started)
        if args.dest is None:
            summary["dest"] = None
    _report(out, summary)
    return 0 if figures.report is not None and figures.report.ok else 1


def _introduce(out: Output, fake: FakeCircleCI, org: DemoOrg, seed: int) -> None:
    out.line(
        f"fake CircleCI at {fake.base_url}: organisation acme (seed {seed}), "
        f"{len(org.projects)} projects, {org.pipelines} pipelines, {org.workflows} workflows, "
        f"{org.jobs} jobs, {org.tests} test results, {org.artifacts} artifacts "
        f"({format_bytes(org.artifact_bytes)})"
    )
    out.line(
        f"rate limit: {RATE_LIMIT:g} API requests a second, in bursts of {BURST}; "
        f"the first {REFUSED_BURST} calls listing a workflow's jobs get 429 (Retry-After: 1)"
    )
    out.stream.flush()


def _summary(
    circle: CircleCI, fake: FakeCircleCI, figures: JobFigures, seconds: float
) -> dict[str, Any]:
    api = [r for r in fake.requests if r.origin == "api"]
    report = figures.report
    return {
        "requests_sent": circle.core.requests_sent,
        "api_requests_received": len(api),
        "rate_limited": sum(1 for r in api if r.status == 429),
        "gate_pauses": circle.core.gate.pauses,
        "artifact_requests": sum(1 for r in fake.requests if r.origin == "artifacts"),
        "storage_requests": sum(1 for r in fake.requests if r.origin == "storage"),
        "triggered": None if figures.triggered is None else figures.triggered.number,
        "pipelines": len(figures.pipelines),
        "pages": figures.pages,
        "workflows": len(figures.workflows),
        "jobs": len(figures.jobs),
        "failed_jobs": len(figures.failed_jobs),
        "failed_tests": len(figures.failed_tests),
        "files": 0 if report is None else report.downloaded,
        "failed_files": 0 if report is None else report.failed,
        "bytes": 0 if report is None else report.bytes,
        "harvest_seconds": round(figures.seconds.get("harvest", 0.0), 2),
        "seconds": round(seconds, 2),
        "dest": None if report is None else str(report.dest),
    }


def _report(out: Output, summary: dict[str, Any]) -> None:
    if out.json_lines:
        out.json(summary)
        return
    where = "a temporary folder, now removed" if summary["dest"] is None else summary["dest"]
    rows = [
        ["requests sent", f"{summary['requests_sent']} to the API"],
        [
            "429s absorbed",
            f"{summary['gate_pauses']} by the gate "
            f"(the fake recorded {summary['rate_limited']} of "
            f"{summary['api_requests_received']} API requests)",
        ],
        [
            "artifact requests",
            f"{summary['artifact_requests']} (302 to storage) + "
            f"{summary['storage_requests']} to storage",
        ],
        ["files", f"{summary['files']} downloaded, {summary['failed_files']} failed, to {where}"],
        ["bytes", f"{format_bytes(summary['bytes'])} ({summary['bytes']:,})"],
        [
            "seconds",
            f"{summary['seconds']:.1f} in all, {summary['harvest_seconds']:.1f} harvesting",
        ],
    ]
    out.line("summary:")
    for line in render_table(None, rows):
        out.line("  " + line)
