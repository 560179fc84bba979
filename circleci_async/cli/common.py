"""What every command group shares: the parser that fails in one line, and the client."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from typing import NoReturn

from ..artifacts import DEFAULT_ARTIFACT_HOSTS
from ..client import DEFAULT_BASE_URL, CircleCI

__all__ = ["CommandParser", "UsageError", "connection_options", "open_client", "positive_int"]


class UsageError(Exception):
    """The command line is wrong; `main` prints it in one line and exits with 2."""

    def __init__(self, prog: str, message: str) -> None:
        self.prog = prog
        super().__init__(f"{prog}: error: {message} (see {prog} --help)")


class CommandParser(argparse.ArgumentParser):
    """An `ArgumentParser` whose errors raise `UsageError` instead of printing usage."""

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


def connection_options() -> argparse.ArgumentParser:
    """A parent parser with `--token` and `--base-url`, for every command that calls the API."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("connection")
    group.add_argument(
        "--token",
        help="CircleCI personal API token (default: $CIRCLECI_TOKEN, else $CIRCLE_TOKEN)",
    )
    group.add_argument(
        "--base-url",
        default=DEFAULT_BASE_URL,
        help=f"API root, for CircleCI Server or a test server (default: {DEFAULT_BASE_URL})",
    )
    return parent


def open_client(
    args: argparse.Namespace,
    *,
    artifact_hosts: Iterable[str] = DEFAULT_ARTIFACT_HOSTS,
    max_concurrency: int = 32,
) -> CircleCI:
    """A client built from `--token` and `--base-url`."""
    return CircleCI(
        args.token,
        base_url=args.base_url,
        max_concurrency=max_concurrency,
        artifact_hosts=artifact_hosts,
    )
