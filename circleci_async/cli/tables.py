"""Aligned plain-text tables: columns padded to their widest cell, two spaces apart."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from wcwidth import wcswidth, wcwidth

__all__ = ["clean", "display_width", "render_table"]

_GAP = "  "
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def clean(text: str) -> str:
    """`text` on one line, for a cell.

    Runs of control characters (newlines, tabs, terminal escapes) become one space, so text
    from the server can neither break a row nor drive the terminal.
    """
    return _CONTROL.sub(" ", text).strip()


def display_width(text: str) -> int:
    """Columns `text` takes on a terminal, by `wcwidth`'s Unicode tables.

    Wide East Asian characters take two, combining marks and zero-width characters none, and an
    emoji sequence joined by ZWJ counts as the one picture a terminal draws. A character
    `wcwidth` calls unprintable counts as nothing rather than spoiling the whole sum.
    """
    width: int = wcswidth(text)
    if width >= 0:
        return width
    return sum(max(wcwidth(char), 0) for char in text)


def render_table(
    headers: Sequence[str] | None,
    rows: Sequence[Sequence[str]],
    *,
    right: Collection[int] = (),
) -> list[str]:
    """The lines of a table, with a header line unless `headers` is None.

    Columns listed in `right` (by index) are right-aligned, for numbers. Cells are `clean`ed;
    no line ends in spaces.
    """
    head = [list(headers)] if headers else []
    table = [[clean(cell) for cell in row] for row in [*head, *rows]]
    if not table:
        return []
    columns = max(len(row) for row in table)
    widths = [0] * columns
    for row in table:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], display_width(cell))
    lines = []
    for row in table:
        cells = []
        for index in range(columns):
            cell = row[index] if index < len(row) else ""
            pad = " " * (widths[index] - display_width(cell))
            cells.append(pad + cell if index in right else cell + pad)
        lines.append(_GAP.join(cells).rstrip())
    return lines
