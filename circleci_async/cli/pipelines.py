"""`circleci-async pipelines list | get | trigger`."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from typing import Any

from ..checks import validate_project_slug
from ..client import CircleCI
from ..errors import InvalidArgumentError
from ..models import Accepted, Pipeline
from ..pagination import Paginator
from .common import UsageError, add_api_command, add_group, positive_int, project_slug
from .output import Column, Output
from .params import collect_params, pipeline_param
from .watch import add_wait_options, register_pipeline_watch, watch_pipeline
from .workflows import WORKFLOW_COLUMNS

__all__ = ["PIPELINE_COLUMNS", "limited", "ref_of", "register"]

_SUBJECT_WIDTH = 60
_DEFAULT_LIMIT = 20
_MAX_WORKFLOWS = 200


def ref_of(pipeline: Pipeline) -> str | None:
    """The branch a pipeline built, or `tag:<name>`, or None."""
    if pipeline.vcs is None:
        return None
    if pipeline.vcs.tag is not None:
        return f"tag:{pipeline.vcs.tag}"
    return pipeline.vcs.branch


def _subject(pipeline: Pipeline) -> str | None:
    commit = pipeline.vcs.commit if pipeline.vcs is not None else None
    subject = commit.subject if commit is not None else None
    if subject is not None and len(subject) > _SUBJECT_WIDTH:
        return subject[: _SUBJECT_WIDTH - 1] + "…"
    return subject


PIPELINE_COLUMNS: list[Column[Pipeline]] = [
    Column("NUMBER", lambda p: p.number, right=True),
    Column("STATE", lambda p: p.state),
    Column("BRANCH", ref_of),
    Column("TRIGGER", lambda p: p.trigger.type if p.trigger else None),
    Column("CREATED", lambda p: p.created_at),
    Column("ID", lambda p: p.id),
    Column("SUBJECT", _subject),
]
"""The columns of a list of pipelines."""


async def limited(paginator: Paginator[Pipeline], limit: int) -> AsyncIterator[Pipeline]:
    """The first `limit` items of `paginator`, fetching no page beyond them."""
    if limit < 1:
        return
    async for item in paginator.items(limit):
        yield item


def register(groups: Any) -> None:
    """Add the `pipelines` group to the top-level sub-parsers."""
    commands = add_group(groups, "pipelines", "list, inspect and trigger pipelines")
    listing = add_api_command(
        commands,
        "list",
        "the newest pipelines of a project",
        _list,
        "List a project's pipelines, newest first, streamed page by page.",
    )
    listing.add_argument("project_slug", type=project_slug, metavar="SLUG", help="gh/org/repo")
    listing.add_argument("--branch", metavar="B", help="only pipelines of this branch")
    listing.add_argument(
        "--limit",
        type=positive_int,
        default=_DEFAULT_LIMIT,
        metavar="N",
        help=f"at most N pipelines ({_DEFAULT_LIMIT})",
    )
    get = add_api_command(
        commands,
        "get",
        "one pipeline and its workflows",
        _get,
        "Show one pipeline, by id or by project and --number, with its workflows' ids.",
    )
    get.add_argument("pipeline_id", metavar="ID|SLUG", help="a pipeline id (a slug with --number)")
    get.add_argument(
        "--number", type=positive_int, metavar="N", help="the pipeline numbered N of project SLUG"
    )
    get.set_defaults(get_prog=get.prog)
    trigger = add_api_command(
        commands,
        "trigger",
        "trigger a pipeline",
        _trigger,
        (
            "Trigger a pipeline on a branch or tag (default: the project's default branch). "
            "--param key=value passes a pipeline parameter: true and false are booleans, "
            "whole numbers are integers, anything else is a string."
        ),
    )
    trigger.add_argument("project_slug", type=project_slug, metavar="SLUG", help="gh/org/repo")
    ref = trigger.add_mutually_exclusive_group()
    ref.add_argument("--branch", metavar="B", help="the branch to build")
    ref.add_argument("--tag", metavar="T", help="the tag to build")
    trigger.add_argument(
        "--param",
        type=pipeline_param,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a pipeline parameter (repeatable)",
    )
    trigger.add_argument(
        "--wait", action="store_true", help="follow the pipeline until it ends (as watch)"
    )
    add_wait_options(trigger, exit_status=False)
    trigger.add_argument(
        "--exit-status",
        action="store_true",
        help="with --wait: exit with 1 when the pipeline failed",
    )
    trigger.set_defaults(trigger_prog=trigger.prog)
    register_pipeline_watch(commands)


async def _list(circle: CircleCI, args: argparse.Namespace, out: Output) -> None:
    """Print a project's newest pipelines."""
    pipelines = circle.pipelines.list(args.project_slug, branch=args.branch)
    await out.stream_table(PIPELINE_COLUMNS, limited(pipelines, args.limit), empty="no pipelines")


async def _get(circle: CircleCI, args: argparse.Namespace, out: Output) -> None:
    """Print one pipeline, then its workflows."""
    if args.number is not None:
        try:
            slug = validate_project_slug(args.pipeline_id)
        except InvalidArgumentError as error:
            raise UsageError(args.get_prog, f"--number needs a project SLUG: {error}") from None
        pipeline = await circle.pipelines.get_by_number(slug, args.number)
    else:
        pipeline = await circle.pipelines.get(args.pipeline_id)
    vcs = pipeline.vcs
    commit = vcs.commit if vcs is not None else None
    trigger = pipeline.trigger
    fields: list[tuple[str, object]] = [
        ("id", pipeline.id),
        ("number", pipeline.number),
        ("project", pipeline.project_slug),
        ("state", pipeline.state),
        ("branch", ref_of(pipeline)),
        ("revision", vcs.revision if vcs is not None else None),
        ("subject", commit.subject if commit is not None else None),
        ("trigger", trigger.type if trigger else None),
        ("actor", trigger.actor.login if trigger and trigger.actor else None),
        ("created", pipeline.created_at),
        ("updated", pipeline.updated_at),
        ("parameters", pipeline.trigger_parameters),
        ("errors", "; ".join(f"{e.type}: {e.message}" for e in pipeline.errors)),
    ]
    out.record(fields, pipeline)
    if out.json_lines:
        return
    workflows = await circle.pipelines.workflows(pipeline.id).collect(_MAX_WORKFLOWS)
    out.line()
    out.table(WORKFLOW_COLUMNS, workflows, empty="no workflows yet")


async def _trigger(circle: CircleCI, args: argparse.Namespace, out: Output) -> int:
    """Trigger a pipeline and print its number, id and state."""
    if args.exit_status and not args.wait:
        raise UsageError(args.trigger_prog, "--exit-status needs --wait")
    try:
        params = collect_params(args.param)
    except ValueError as error:
        raise UsageError(args.trigger_prog, str(error)) from None
    created = await circle.pipelines.trigger(
        args.project_slug, branch=args.branch, tag=args.tag, parameters=params or None
    )
    ref = f"tag:{args.tag}" if args.tag else args.branch
    if isinstance(created, Accepted):
        out.record([("accepted", created.status), ("message", created.message)], created)
        return 0
    fields: list[tuple[str, object]] = [
        ("number", created.number),
        ("id", created.id),
        ("state", created.state),
        ("project", args.project_slug),
        ("branch", ref or "(default branch)"),
        ("parameters", params),
        ("created", created.created_at),
    ]
    if args.quiet and not out.json_lines:
        out.line(created.id)
    else:
        out.record(fields, created)
    if not args.wait:
        return 0
    out.line()
    return await watch_pipeline(circle, created.id, args, out)
