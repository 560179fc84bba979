"""`circleci-async workflows list | get | jobs | watch | cancel | rerun`."""

from __future__ import annotations

import argparse
from typing import Any

from ..client import CircleCI
from ..errors import APIError
from ..models import Accepted, Job, Workflow
from .common import add_api_command, add_group
from .output import Column, Output
from .watch import register_workflow_watch

__all__ = ["JOB_COLUMNS", "WORKFLOW_COLUMNS", "register", "user_name"]

JOB_COLUMNS: list[Column[Job]] = [
    Column("NUMBER", lambda j: j.job_number, right=True),
    Column("NAME", lambda j: j.name),
    Column("STATUS", lambda j: j.status),
    Column("TYPE", lambda j: j.type),
    Column("STARTED", lambda j: j.started_at),
    Column("STOPPED", lambda j: j.stopped_at),
    Column("ID", lambda j: j.id),
]
"""The columns of a workflow's jobs."""

WORKFLOW_COLUMNS: list[Column[Workflow]] = [
    Column("NAME", lambda w: w.name),
    Column("STATUS", lambda w: w.status),
    Column("CREATED", lambda w: w.created_at),
    Column("STOPPED", lambda w: w.stopped_at),
    Column("ID", lambda w: w.id),
]
"""The columns of a pipeline's workflows."""

_MAX_WORKFLOWS = 200


def register(groups: Any) -> None:
    """Add the `workflows` group to the top-level sub-parsers."""
    commands = add_group(groups, "workflows", "list, inspect, watch, cancel and rerun workflows")
    listing = add_api_command(
        commands,
        "list",
        "the workflows of a pipeline",
        _list,
        "List a pipeline's workflows with their ids (for get, jobs, watch, rerun).",
    )
    listing.add_argument("pipeline_id", metavar="PIPELINE_ID", help="a pipeline id")
    for name, help_text, body in (
        ("get", "one workflow by id", _get),
        ("jobs", "the jobs of a workflow", _jobs),
        ("cancel", "cancel a running workflow", _cancel),
        ("rerun", "rerun a workflow (all of it, or from its failed jobs)", _rerun),
    ):
        command = add_api_command(commands, name, help_text, body)
        command.add_argument("workflow_id", metavar="ID", help="a workflow id")
        if name == "rerun":
            command.add_argument(
                "--from-failed", action="store_true", help="rerun only the failed jobs and after"
            )
    register_workflow_watch(commands)


async def user_name(circle: CircleCI, user_id: str | None) -> str | None:
    """`login (id)` of a user id, or the id alone when the user cannot be read."""
    if user_id is None:
        return None
    try:
        user = await circle.users.get(user_id)
    except APIError:
        return user_id
    return f"{user.login} ({user_id})" if user.login else user_id


async def _list(circle: CircleCI, args: argparse.Namespace, out: Output) -> None:
    """Print the workflows of a pipeline."""
    workflows = await circle.pipelines.workflows(args.pipeline_id).collect(_MAX_WORKFLOWS)
    out.table(WORKFLOW_COLUMNS, workflows, empty="no workflows yet")


async def _get(circle: CircleCI, args: argparse.Namespace, out: Output) -> None:
    """Print one workflow."""
    workflow = await circle.workflows.get(args.workflow_id)
    fields: list[tuple[str, object]] = [
        ("id", workflow.id),
        ("name", workflow.name),
        ("status", workflow.status),
        ("project", workflow.project_slug),
        ("pipeline", f"{workflow.pipeline_number} ({workflow.pipeline_id})"),
        ("created", workflow.created_at),
        ("stopped", workflow.stopped_at),
        ("started by", None if out.json_lines else await user_name(circle, workflow.started_by)),
        ("canceled by", None if out.json_lines else await user_name(circle, workflow.canceled_by)),
    ]
    out.record(fields, workflow)


async def _jobs(circle: CircleCI, args: argparse.Namespace, out: Output) -> None:
    """Print the jobs of a workflow."""
    jobs = circle.workflows.jobs(args.workflow_id)
    await out.stream_table(JOB_COLUMNS, jobs, empty="no jobs")


async def _cancel(circle: CircleCI, args: argparse.Namespace, out: Output) -> None:
    """Cancel a workflow."""
    answer = await circle.workflows.cancel(args.workflow_id)
    out.record([("canceled", args.workflow_id), ("message", answer.message)], answer)


async def _rerun(circle: CircleCI, args: argparse.Namespace, out: Output) -> None:
    """Rerun a workflow and print the new workflow's id."""
    answer = await circle.workflows.rerun(args.workflow_id, from_failed=args.from_failed or None)
    fields: list[tuple[str, object]] = [
        ("rerun of", args.workflow_id),
        ("from failed", args.from_failed),
    ]
    if isinstance(answer, Accepted):
        fields.append(("accepted", answer.message))
    else:
        fields.append(("new workflow", answer.workflow_id))
    out.record(fields, answer)
