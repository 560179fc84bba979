"""`circleci-async completion bash|zsh|fish`: a shell completion script made from the parser."""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["SHELLS", "register", "script"]

SHELLS = ("bash", "zsh", "fish")
"""The shells a completion script is made for."""


def script(shell: str) -> str:
    """The completion script of every command and option, for `shell` (made by shtab)."""
    import shtab

    from . import build_parser

    return str(shtab.complete(build_parser(), shell=shell))


def register(groups: Any) -> None:
    """Add the `completion` command to the top-level sub-parsers."""
    command = groups.add_parser(
        "completion",
        help="print a shell completion script",
        description=(
            'Print a completion script for SHELL. bash: eval "$(circleci-async completion '
            'bash)" in ~/.bashrc; zsh: circleci-async completion zsh > "${fpath[1]}/_circleci-'
            'async"; fish: circleci-async completion fish > '
            "~/.config/fish/completions/circleci-async.fish."
        ),
    )
    command.add_argument("shell", choices=SHELLS, metavar="SHELL", help="bash, zsh or fish")
    command.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    sys.stdout.write(script(args.shell))
    return 0
