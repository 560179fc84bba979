"""`circleci-async me`: who the token belongs to."""

from __future__ import annotations

import argparse
from typing import Any

from ..client import CircleCI
from .common import api_command, connection_options
from .output import Output

__all__ = ["register"]


def register(groups: Any) -> None:
    """Add the `me` command to the top-level sub-parsers."""
    command = groups.add_parser(
        "me",
        parents=[connection_options()],
        help="show the user the token belongs to",
        description="Show the CircleCI user the token belongs to.",
    )
    command.set_defaults(run=api_command(_me))


async def _me(circle: CircleCI, args: argparse.Namespace, out: Output) -> None:
    """Print the token's user."""
    user = await circle.users.me()
    out.record([("login", user.login), ("name", user.name), ("id", user.id)], user)
