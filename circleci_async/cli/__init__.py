"""The `circleci-async` command.

Each command group lives in a module of this package with a `register(groups)` function
that adds its sub-parser and sets `run` (a function of the parsed arguments returning the
exit status). `main` runs one command: 0 on success, 1 when the command failed, 2 for a
wrong command line or configuration, 130 when interrupted; errors are one line on stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from .._version import __version__
from ..errors import CircleCIError, ConfigurationError, InvalidArgumentError
from . import artifacts
from .common import CommandParser, UsageError

__all__ = ["build_parser", "main"]

PROG = "circleci-async"
GROUPS = (artifacts,)
"""Modules that each add one command group."""


def build_parser() -> CommandParser:
    """The parser of every command."""
    parser = CommandParser(prog=PROG, description="A command line for the CircleCI API v2.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    groups = parser.add_subparsers(dest="group", required=True, metavar="GROUP")
    for group in GROUPS:
        group.register(groups)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line `argv` (default: `sys.argv[1:]`); return the exit status."""
    try:
        args = build_parser().parse_args(argv)
    except UsageError as error:
        print(error, file=sys.stderr)
        return 2
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else 0
    try:
        status: int = args.run(args)
    except KeyboardInterrupt:
        return _fail("interrupted; unfinished files are kept as .part and resume next time", 130)
    except (ConfigurationError, InvalidArgumentError) as error:
        return _fail(str(error), 2)
    except CircleCIError as error:
        return _fail(str(error), 1)
    except OSError as error:
        return _fail(f"{error.strerror or error}: {error.filename or ''}".rstrip(": "), 1)
    return status


def _fail(message: str, status: int) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return status
