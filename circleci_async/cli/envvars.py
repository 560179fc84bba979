"""`circleci-async envvars list | set | delete`: a project's environment variables.

A value is never printed in full: `set` shows the masked value CircleCI answers with (or a
mask of its own, should the answer hold the whole value). `set SLUG NAME -` reads the value
from standard input (without echo on a terminal), so it stays out of the shell's history.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from ..client import CircleCI
from ..models import EnvironmentVariable
from .common import add_api_command, add_group, project_slug
from .output import Column, Output

__all__ = [
    "ENV_VAR_COLUMNS",
    "created",
    "listed_value",
    "mask",
    "read_value",
    "register",
    "shown_value",
]

_MASK = "xxxx"
_SHOWN_TAIL = 4
_LONG_ENOUGH = 12
"""Values shorter than this show no characters at all in a mask of our own."""


def created(variable: EnvironmentVariable) -> object:
    """When a variable was created, as a time (shown like every other table's), or as sent."""
    raw = variable.created_at
    if not isinstance(raw, str):
        return raw
    try:
        return datetime.fromisoformat(raw.removeprefix("#joda/inst ").strip().strip('"'))
    except ValueError:
        return raw


ENV_VAR_COLUMNS: list[Column[EnvironmentVariable]] = [
    Column("NAME", lambda v: v.name),
    Column("VALUE", lambda v: v.value),
    Column("CREATED", created),
]
"""The columns of a project's environment variables (values as CircleCI masks them)."""


def mask(value: str) -> str:
    """`xxxx` and, for a long value, its last four characters (as CircleCI masks values)."""
    return _MASK + value[-_SHOWN_TAIL:] if len(value) >= _LONG_ENOUGH else _MASK


def listed_value(masked: str | None) -> str:
    """A value as listed: CircleCI's mask, or `xxxx` alone where that shows a short value whole.

    CircleCI masks a value as `xxxx` and its last four characters, all of a shorter value.
    """
    if masked is None:
        return _MASK
    if masked.startswith(_MASK) and len(masked) < len(_MASK) + _SHOWN_TAIL:
        return _MASK
    return masked


def shown_value(sent: str, answered: str | None) -> str:
    """What to print of a value: the server's mask, unless it would reveal `sent` whole."""
    if sent and answered is not None and sent not in answered:
        return answered
    return mask(sent)


def read_value(text: str) -> str:
    """The value argument, or for `-` the value from stdin (one final newline dropped)."""
    if text != "-":
        return text
    if sys.stdin.isatty():
        return getpass.getpass("value: ")
    value = sys.stdin.read()
    if value.endswith("\r\n"):
        return value[:-2]
    return value.removesuffix("\n")


def register(groups: Any) -> None:
    """Add the `envvars` group to the top-level sub-parsers."""
    commands = add_group(groups, "envvars", "a project's environment variables")
    listing = add_api_command(
        commands,
        "list",
        "the names (and masked values) of a project's variables",
        _list,
        "List a project's environment variables; CircleCI masks the values.",
    )
    listing.add_argument("project_slug", type=project_slug, metavar="SLUG", help="gh/org/repo")
    setter = add_api_command(
        commands,
        "set",
        "create or replace a variable",
        _set,
        (
            "Create or replace a project environment variable. Give VALUE as - to read it "
            "from standard input, which keeps it out of the shell's history."
        ),
    )
    setter.add_argument("project_slug", type=project_slug, metavar="SLUG", help="gh/org/repo")
    setter.add_argument("name", metavar="NAME", help="the variable's name")
    setter.add_argument("value", metavar="VALUE", help="its value, or - for standard input")
    delete = add_api_command(commands, "delete", "delete a variable", _delete)
    delete.add_argument("project_slug", type=project_slug, metavar="SLUG", help="gh/org/repo")
    delete.add_argument("name", metavar="NAME", help="the variable's name")


async def _list(circle: CircleCI, args: argparse.Namespace, out: Output) -> None:
    """Print a project's environment variables."""

    async def listed() -> AsyncIterator[EnvironmentVariable]:
        async for variable in circle.projects.env_vars(args.project_slug):
            yield EnvironmentVariable(
                name=variable.name,
                value=listed_value(variable.value),
                created_at=variable.created_at,
            )

    await out.stream_table(ENV_VAR_COLUMNS, listed(), empty="no environment variables")


async def _set(circle: CircleCI, args: argparse.Namespace, out: Output) -> None:
    """Create or replace a variable; print its name and masked value."""
    value = read_value(args.value)
    answer = await circle.projects.create_env_var(args.project_slug, name=args.name, value=value)
    shown = EnvironmentVariable(
        name=answer.name, value=shown_value(value, answer.value), created_at=answer.created_at
    )
    fields: list[tuple[str, object]] = [
        ("set", shown.name),
        ("project", args.project_slug),
        ("value", shown.value),
    ]
    out.record(fields, shown)


async def _delete(circle: CircleCI, args: argparse.Namespace, out: Output) -> None:
    """Delete a variable."""
    answer = await circle.projects.delete_env_var(args.project_slug, args.name)
    out.record([("deleted", args.name), ("message", answer.message)], answer)
