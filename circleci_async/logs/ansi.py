"""Terminal escapes in log text: removed entirely, or all but colours."""

from __future__ import annotations

import re

__all__ = ["keep_colours", "strip_ansi"]

_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, erasing
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: titles, links
    r"|\x1b[@-Z\\-_]"  # two-character escapes
)
_COLOUR = re.compile(r"\x1b\[[0-9;]*m")
_ESCAPE_OR_CONTROL = re.compile(_ESCAPES.pattern + r"|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_ansi(text: str) -> str:
    """`text` without ANSI escape sequences; a carriage return keeps only what followed it."""
    text = _ESCAPES.sub("", text)
    if "\r" in text:
        text = "\n".join(line.rstrip("\r").rsplit("\r", 1)[-1] for line in text.split("\n"))
    return text


def keep_colours(text: str) -> str:
    """`text` with its colour escapes (SGR) only: no cursor moves, titles or other controls.

    What a terminal may be shown of a log: colours pass, nothing that could drive it.
    """

    def one(match: re.Match[str]) -> str:
        return match.group() if _COLOUR.fullmatch(match.group()) else ""

    return _ESCAPE_OR_CONTROL.sub(one, text)
