"""Colour for people on a terminal: off for pipes, with `NO_COLOR` set, or with `--no-color`."""

from __future__ import annotations

import argparse
import os
from typing import TextIO

__all__ = ["Style", "wants_colour"]

_GREEN, _RED, _YELLOW, _RESET = "\x1b[32m", "\x1b[31m", "\x1b[33m", "\x1b[0m"
_PASSED = frozenset({"success", "not_run", "created"})
_FAILED = frozenset(
    {"failed", "error", "errored", "canceled", "unauthorized", "infrastructure_fail",
     "timedout", "terminated-unknown"}
)  # fmt: skip


def wants_colour(stream: TextIO, *, no_color: bool = False) -> bool:
    """Whether to colour `stream` (https://no-color.org).

    Only a terminal, with `NO_COLOR` unset or empty, `TERM` not `dumb`, and no `--no-color`.
    """
    if no_color or os.environ.get("NO_COLOR", "") != "" or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Style:
    """Colours a line by the status it reports, or leaves it plain."""

    def __init__(self, *, colour: bool) -> None:
        self.colour = colour

    @classmethod
    def for_stream(cls, stream: TextIO, args: argparse.Namespace) -> Style:
        """The style for `stream` under the command line's `--no-color`."""
        return cls(colour=wants_colour(stream, no_color=getattr(args, "no_color", False)))

    def status(self, text: str, status: str) -> str:
        """`text` in green (passed), red (failed) or yellow (anything else) when colouring."""
        if not self.colour:
            return text
        colour = _GREEN if status in _PASSED else _RED if status in _FAILED else _YELLOW
        return f"{colour}{text}{_RESET}"
