"""`circleci-async artifacts download`: harvest the artifacts of a job, workflow or pipeline."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any, TextIO

from yarl import URL

from ..artifacts import DEFAULT_ARTIFACT_HOSTS, DownloadReport
from ..artifacts.hosts import TrustedHosts
from ..checks import validate_project_slug
from ..errors import AuthenticationError, PermissionDeniedError
from .common import UsageError, add_group, connection_options, open_client, positive_int
from .output import Output
from .progress_bar import ProgressBar

__all__ = ["register", "report_json", "shard_arg"]

_DESCRIPTION = """\
Download the artifacts of one job (--job), every job of a workflow (--workflow) or of a
pipeline (--pipeline), or of the newest pipeline of a branch (--branch), many at once.
A job's files go to DIR/<node_index>/<path>; with several jobs, to
DIR/<job_number>-<job_name>/<node_index>/<path>. Files already there are skipped, and
files cut short resume from their .part. With --logs (or --logs failed: only jobs that failed
or timed out), each step's output is saved too, as text with its colours, to
<job folder>/logs/<container>/<step>-<name>.log; --logs-only saves the logs alone.
Exit status: 0 when every file is in place, 1 when any failed, 2 for a wrong command line.
"""


_INTERRUPTED = "interrupted; unfinished files are kept as .part and resume next time"


def register(groups: Any) -> None:
    """Add the `artifacts` group to the top-level sub-parsers."""
    commands = add_group(groups, "artifacts", "download build artifacts in bulk")
    download = commands.add_parser(
        "download",
        parents=[connection_options()],
        help="download the artifacts of a job, workflow, pipeline or branch",
        description=_DESCRIPTION,
    )
    download.add_argument(
        "project_slug",
        nargs="?",
        metavar="PROJECT_SLUG",
        help="e.g. gh/acme/app (needed with --job and --branch only)",
    )
    source = download.add_mutually_exclusive_group(required=True)
    source.add_argument("--job", type=int, metavar="N", help="a job number")
    source.add_argument("--workflow", metavar="ID", help="a workflow id")
    source.add_argument("--pipeline", metavar="ID", help="a pipeline id")
    source.add_argument("--branch", metavar="NAME", help="the newest pipeline of a branch")
    download.add_argument("--dest", required=True, metavar="DIR", help="where files go")
    download.add_argument(
        "--concurrency", type=positive_int, default=8, metavar="N", help="files at once (8)"
    )
    download.add_argument(
        "--include", action="append", default=[], metavar="GLOB", help="only matching paths"
    )
    download.add_argument(
        "--exclude", action="append", default=[], metavar="GLOB", help="skip matching paths"
    )
    download.add_argument("--overwrite", action="store_true", help="download files again")
    download.add_argument(
        "--shard",
        type=shard_arg,
        metavar="I/N",
        help="only shard I of N (0 <= I < N), split by path hash: run N of these side by side",
    )
    download.add_argument("--fail-fast", action="store_true", help="stop at the first failure")
    download.add_argument(
        "--logs",
        nargs="?",
        const="all",
        default="none",
        choices=("all", "failed"),
        help="also save step output: of every job (all, the default) or of failed jobs",
    )
    download.add_argument(
        "--logs-only", action="store_true", help="save the step output without the artifacts"
    )
    download.add_argument(
        "--artifact-host",
        action="append",
        default=[],
        metavar="HOST",
        help="also send the token to HOST (a name or *.domain) besides *.circle-artifacts.com",
    )
    download.set_defaults(run=run_download, interrupted=_INTERRUPTED, download_prog=download.prog)


def shard_arg(text: str) -> tuple[int, int]:
    """An argparse type: `I/N`, shard I of N with 0 <= I < N."""
    index, slash, count = text.partition("/")
    try:
        if not slash:
            raise ValueError
        pair = int(index), int(count)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected I/N such as 0/4, got {text!r}") from None
    if pair[1] < 1 or not 0 <= pair[0] < pair[1]:
        raise argparse.ArgumentTypeError(f"shard {text} is outside 0 <= I < N")
    return pair


def run_download(args: argparse.Namespace) -> int:
    """Run `artifacts download`; the exit status."""
    if args.project_slug is None:
        if args.job is not None or args.branch is not None:
            flag = "--job" if args.job is not None else "--branch"
            raise UsageError(args.download_prog, f"{flag} needs a PROJECT_SLUG such as gh/acme/app")
    else:
        validate_project_slug(args.project_slug)
    if args.logs_only and args.logs == "none":
        args.logs = "all"
    return asyncio.run(_download(args, sys.stdout, sys.stderr))


async def _download(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    bar = ProgressBar(err) if err.isatty() and not args.quiet else None
    hosts = [*DEFAULT_ARTIFACT_HOSTS, *args.artifact_host]
    options: dict[str, Any] = {
        "concurrency": args.concurrency,
        "include": args.include,
        "exclude": args.exclude,
        "overwrite": args.overwrite,
        "fail_fast": args.fail_fast,
        "keep": "failed",
        "progress": bar.update if bar else None,
        "shard": args.shard,
        "logs": args.logs,
        "logs_only": args.logs_only,
    }
    slug, dest = args.project_slug, args.dest
    try:
        async with open_client(
            args, artifact_hosts=hosts, max_concurrency=max(32, args.concurrency + 8)
        ) as circle:
            harvest = circle.artifacts
            trusted = harvest.hosts
            if args.job is not None:
                report = await harvest.download_job(slug, args.job, dest, **options)
            elif args.workflow is not None:
                report = await harvest.download_workflow(args.workflow, dest, **options)
            else:
                pipeline_id = args.pipeline
                if pipeline_id is None:
                    newest = await circle.pipelines.list(slug, branch=args.branch).first()
                    if newest is None:
                        err.write(f"no pipeline on branch {args.branch!r} of {slug}\n")
                        return 1
                    pipeline_id = newest.id
                report = await harvest.download_pipeline(pipeline_id, dest, **options)
    finally:
        if bar is not None:
            bar.finish()
    _print_report(report, Output(out, json_lines=args.json), err)
    for host in _held_back(report, trusted):
        err.write(
            f"the token was held back from {host}, which is not a trusted artifact host, and it "
            f"refused the download: if {host} is yours, trust it with --artifact-host {host}\n"
        )
    return 0 if report.ok else 1


def _held_back(report: DownloadReport, trusted: TrustedHosts) -> list[str]:
    """Hosts that refused a file (401 or 403) and were not sent the token."""
    hosts: list[str] = []
    for result in report.failures:
        error = result.error
        if isinstance(error, AuthenticationError | PermissionDeniedError) and error.url:
            url = URL(error.url)
            if url.host and not trusted.allows(url) and url.host not in hosts:
                hosts.append(url.host)
    return hosts


def report_json(report: DownloadReport) -> dict[str, Any]:
    """The figures of a harvest as one JSON object (failures by path, with their errors)."""
    return {
        "dest": str(report.dest),
        "listed": report.listed,
        "downloaded": report.downloaded,
        "skipped": report.skipped,
        "failed": report.failed,
        "bytes": report.bytes,
        "seconds": round(report.seconds, 3),
        "ok": report.ok,
        "failures": [
            {"path": result.path, "error": str(result.error)} for result in report.failures
        ],
        "listing_failures": [
            {"source": failure.source, "error": str(failure.error)}
            for failure in report.listing_failures
        ],
    }


def _print_report(report: DownloadReport, out: Output, err: TextIO) -> None:
    for failure in report.listing_failures:
        err.write(f"could not list {failure.source}: {failure.error}\n")
    for result in report.failures:
        err.write(f"failed {result.target or result.path}: {result.error}\n")
    if out.json_lines:
        out.json(report_json(report))
    else:
        out.line(f"{report.summary()} into {report.dest}")
