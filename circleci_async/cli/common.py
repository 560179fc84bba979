"""What every command group shares: the parser that fails in one line, options, the client."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, NoReturn
from urllib.parse import urlsplit

from ..artifacts import DEFAULT_ARTIFACT_HOSTS
from ..checks import format_job_number, validate_project_slug
from ..client import DEFAULT_BASE_URL, CircleCI, resolve_token
from ..errors import CircleCIError, ConfigurationError, InvalidArgumentError, NotFoundError
from ..retry import RetryPolicy
from .output import Output

__all__ = [
    "RETRY_POLICY",
    "ApiCommand",
    "CommandParser",
    "UsageError",
    "add_api_command",
    "add_group",
    "api_command",
    "connection_options",
    "global_options",
    "job_number",
    "json_option",
    "open_client",
    "positive_int",
    "positive_number",
    "project_slug",
]

RETRY_POLICY = RetryPolicy()
"""The retry policy of every command's client (the library's default)."""

ApiCommand = Callable[[CircleCI, argparse.Namespace, Output], Awaitable[int | None]]
"""The body of a command that calls the API: returns its exit status (None: 0)."""


class UsageError(Exception):
    """The command line is wrong; `main` prints it in one line and exits with 2."""

    def __init__(self, prog: str, message: str) -> None:
        self.prog = prog
        super().__init__(f"{prog}: error: {message} (see {prog} --help)")


class CommandParser(argparse.ArgumentParser):
    """An `ArgumentParser` whose errors raise `UsageError` instead of printing usage.

    A value that starts with a minus and a digit (`--shard -1/2`, `--offset -2`) is read as
    a value, not as an unknown flag, so that its own check can name what is wrong with it.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = re.compile(r"^-\d")

    def error(self, message: str) -> NoReturn:
        """Raise `UsageError` naming the command."""
        raise UsageError(self.prog, message)


def positive_int(text: str) -> int:
    """An argparse type: an integer of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def positive_number(text: str) -> float:
    """An argparse type: a number of seconds above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def job_number(text: str) -> int:
    """An argparse type: a job number (a whole number, 0 or more)."""
    try:
        return int(format_job_number(text))
    except InvalidArgumentError:
        raise argparse.ArgumentTypeError(f"not a job number: {text!r}") from None


def project_slug(text: str) -> str:
    """An argparse type: a project slug such as `gh/acme/app`."""
    try:
        return validate_project_slug(text)
    except InvalidArgumentError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _add_options(
    parser: argparse.ArgumentParser, *, suppress: bool, connection: bool = True
) -> None:
    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    group = parser.add_argument_group("connection and output" if connection else "output")
    group.add_argument(
        "--json",
        action="store_true",
        default=default(False),
        help="print one JSON object per line (JSONL), for jq, instead of tables",
    )
    group.add_argument(
        "--no-color",
        action="store_true",
        default=default(False),
        help="no colour (also when NO_COLOR is set or the output is not a terminal)",
    )
    group.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default(False),
        help="print only errors and what a script reads (ids, JSON)",
    )
    group.add_argument(
        "--debug",
        action="store_true",
        default=default(False),
        help="log every request to stderr (the token masked)",
    )
    if not connection:
        return
    group.add_argument(
        "--token",
        default=default(None),
        help=(
            "CircleCI personal API token (default: $CIRCLECI_TOKEN, $CIRCLE_TOKEN, "
            "$CIRCLECI_CLI_TOKEN, the config file, ~/.circleci/cli.yml)"
        ),
    )
    group.add_argument(
        "--base-url",
        default=default(None),
        metavar="URL",
        help=(
            "API root, for CircleCI Server or a test server (default: $CIRCLECI_BASE_URL, "
            f"$CIRCLECI_CLI_HOST, the config files, else {DEFAULT_BASE_URL})"
        ),
    )


def global_options(parser: argparse.ArgumentParser) -> None:
    """Add `--token`, `--base-url` and `--json` to the top-level parser, with their defaults."""
    _add_options(parser, suppress=False)


def connection_options() -> argparse.ArgumentParser:
    """A parent parser with `--token`, `--base-url` and `--json`, for every command.

    They may come before the command or after it; given after it, they win. Their defaults
    come from the top-level parser (`global_options`).
    """
    parent = argparse.ArgumentParser(add_help=False)
    _add_options(parent, suppress=True)
    return parent


def json_option() -> argparse.ArgumentParser:
    """A parent parser with only `--json`, for commands that need no token."""
    parent = argparse.ArgumentParser(add_help=False)
    _add_options(parent, suppress=True, connection=False)
    return parent


def open_client(
    args: argparse.Namespace,
    *,
    artifact_hosts: Iterable[str] = DEFAULT_ARTIFACT_HOSTS,
    max_concurrency: int = 32,
) -> CircleCI:
    """A client built from the flags, the environment and the config files (`cli.config`)."""
    from .config import settings_of

    settings = settings_of(args)
    if settings.token is None:
        raise ConfigurationError(
            "no CircleCI token: pass --token, or set CIRCLECI_TOKEN (or CIRCLE_TOKEN, "
            'CIRCLECI_CLI_TOKEN), or put token = "..." in the config file '
            "(see: circleci-async config show; a personal API token from "
            "https://app.circleci.com/settings/user/tokens)"
        )
    resolve_token(settings.token.value, source=settings.token.source)
    return CircleCI(
        settings.token.value,
        base_url=settings.base_url.value,
        max_concurrency=max_concurrency,
        artifact_hosts=artifact_hosts,
        retry=RETRY_POLICY,
    )


def api_command(body: ApiCommand) -> Callable[[argparse.Namespace], int]:
    """A command's `run`: opens the client, runs `body` with it, returns the exit status."""

    async def call(args: argparse.Namespace, out: Output) -> int:
        async with open_client(args) as circle:
            try:
                status = await body(circle, args, out)
            except NotFoundError as error:
                raise _with_api_root_hint(error, circle.base_url) from None
        return 0 if status is None else status

    def run(args: argparse.Namespace) -> int:
        return asyncio.run(call(args, Output(sys.stdout, json_lines=args.json)))

    run.__doc__ = body.__doc__
    return run


def _with_api_root_hint(error: NotFoundError, base_url: str) -> CircleCIError:
    """A 404 as it is, or with a hint when the API root lacks CircleCI's `/api/v2`."""
    if urlsplit(base_url).path.rstrip("/").endswith("/api/v2"):
        return error
    return CircleCIError(
        f"{error}; the API root {base_url} does not end in /api/v2: "
        f"did you mean --base-url {base_url.rstrip('/')}/api/v2?"
    )


def add_group(groups: Any, name: str, help_text: str) -> Any:
    """Add a command group (`pipelines`, `jobs`, ...); return the sub-parsers of its commands."""
    group = groups.add_parser(name, help=help_text)
    return group.add_subparsers(dest="command", required=True, metavar="COMMAND")


def add_api_command(
    commands: Any, name: str, help_text: str, body: ApiCommand, description: str | None = None
) -> argparse.ArgumentParser:
    """Add a command that calls the API with `body`, taking the connection options."""
    command: argparse.ArgumentParser = commands.add_parser(
        name,
        parents=[connection_options()],
        help=help_text,
        description=description or help_text[:1].upper() + help_text[1:] + ".",
    )
    command.set_defaults(run=api_command(body))
    return command
