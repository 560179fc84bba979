"""The `circleci-async` command.

Each command group lives in a module of this package with a `register(groups)` function
that adds its sub-parser and sets `run` (a function of the parsed arguments returning the
exit status). `main` runs one command: 0 on success, 1 when the command failed, 2 for a
wrong command line or configuration, 130 when interrupted, 141 when the reader of the
output went away (`| head`); errors are one line on stderr, and the token never shows.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from .._version import __version__
from ..client import TOKEN_VARIABLES
from ..errors import CircleCIError, ConfigurationError, InvalidArgumentError
from . import (
    api,
    artifacts,
    completion,
    config,
    demo,
    envvars,
    fake,
    jobs,
    me,
    pipelines,
    projects,
    webhooks,
    workflows,
)
from .common import CommandParser, UsageError, global_options
from .runtime import TERMINATED, debug_logging, sigterm_as_sigint

__all__ = ["build_parser", "main"]

PROG = "circleci-async"
GROUPS = (
    me, pipelines, workflows, jobs, projects, envvars, artifacts, webhooks, api, config, demo,
    fake, completion,
)  # fmt: skip
"""Modules that each add one command group, in the order `--help` lists them."""

_BROKEN_PIPE = 141
_SHORTEST_SECRET = 4


def build_parser() -> CommandParser:
    """The parser of every command."""
    parser = CommandParser(
        prog=PROG,
        description="A command line for the CircleCI API v2.",
        epilog=(
            "Exit status: 0 done, 1 failed, 2 wrong command line, configuration or no token, "
            "130 interrupted, 141 output closed early, 143 terminated (SIGTERM). "
            "Run GROUP --help for its commands."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    global_options(parser)
    groups = parser.add_subparsers(dest="group", required=True, metavar="GROUP")
    for group in GROUPS:
        group.register(groups)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line `argv` (default: `sys.argv[1:]`); return the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    secrets = _secrets(arguments)
    args: argparse.Namespace | None = None
    terminated = [False]
    try:
        args = build_parser().parse_args(arguments)
        with sigterm_as_sigint() as terminated, debug_logging(args.debug, secrets):
            status: int = args.run(args)
    except UsageError as error:
        return _fail(str(error), 2, secrets, prefix=False)
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else 0
    except KeyboardInterrupt:
        said = getattr(args, "interrupted", "interrupted")
        if terminated[0]:
            rest = said.removeprefix("interrupted").lstrip("; ")
            return _fail(f"terminated (SIGTERM){'; ' + rest if rest else ''}", TERMINATED, secrets)
        return _fail(said, 130, secrets)
    except BrokenPipeError:
        _silence_stdout()
        return _BROKEN_PIPE
    except (ConfigurationError, InvalidArgumentError) as error:
        return _fail(str(error), 2, secrets)
    except CircleCIError as error:
        return _fail(str(error), 1, secrets)
    except OSError as error:
        return _fail(f"{error.strerror or error}: {error.filename or ''}".rstrip(": "), 1, secrets)
    return status


def _secrets(arguments: Sequence[str]) -> list[str]:
    """Token values this run may know: `--token` arguments and the token variables."""
    found = [os.environ.get(variable, "").strip() for variable in TOKEN_VARIABLES]
    found += config.file_tokens()
    for index, argument in enumerate(arguments):
        if argument == "--token" and index + 1 < len(arguments):
            found.append(arguments[index + 1].strip())
        elif argument.startswith("--token="):
            found.append(argument.removeprefix("--token=").strip())
    return sorted({s for s in found if len(s) >= _SHORTEST_SECRET}, key=len, reverse=True)


def _fail(message: str, status: int, secrets: Sequence[str], *, prefix: bool = True) -> int:
    for secret in secrets:
        message = message.replace(secret, "***")
    line = f"{PROG}: error: {message}" if prefix else message
    print(" ".join(line.split()), file=sys.stderr)
    return status


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit does not fail again."""
    try:
        target = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, target)
    finally:
        os.close(devnull)
