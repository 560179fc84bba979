"""How commands print: aligned tables for people, or one JSON object per line with `--json`."""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Generic, TextIO, TypeVar

from ..models import encode
from .tables import render_table

__all__ = ["Column", "Output", "cell"]

T = TypeVar("T")


@dataclass(frozen=True)
class Column(Generic[T]):
    """One column of a table: its header and how to read its value from an item."""

    header: str
    value: Callable[[T], object]
    right: bool = False
    """Right-align the column (numbers)."""


def cell(value: object) -> str:
    """A value as a table shows it: `-` for nothing, UTC times to the second, JSON for data."""
    if value is None or value == "" or value == [] or value == {}:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    if isinstance(value, dict | list):
        return json.dumps(encode(value), ensure_ascii=False, separators=(",", ":"))
    return str(value)


class Output:
    """Writes a command's results to `stream`: tables, or JSON lines when `json_lines`.

    In JSON mode every item is one line holding the API's own object (wire names, ISO times),
    ready for `jq`; in table mode the same items become an aligned table.
    """

    def __init__(self, stream: TextIO, *, json_lines: bool) -> None:
        self.stream = stream
        self.json_lines = json_lines

    def json(self, data: Any) -> None:
        """Write `data` (a model or JSON-ready value) as one JSON line."""
        self.stream.write(json.dumps(encode(data), ensure_ascii=False) + "\n")
        self.stream.flush()

    def line(self, text: str = "") -> None:
        """Write a line for people; nothing in JSON mode."""
        if not self.json_lines:
            self.stream.write(text + "\n")

    def table(self, columns: Sequence[Column[T]], items: Iterable[T], *, empty: str) -> None:
        """Write `items` as a table (or JSON lines); `empty` is said when there are none."""
        rows = list(items)
        if self.json_lines:
            for item in rows:
                self.json(item)
            return
        if not rows:
            self.line(empty)
            return
        headers = [column.header for column in columns]
        cells = [[cell(column.value(item)) for column in columns] for item in rows]
        right = [index for index, column in enumerate(columns) if column.right]
        for text in render_table(headers, cells, right=right):
            self.line(text)

    async def stream_table(
        self, columns: Sequence[Column[T]], items: AsyncIterable[T], *, empty: str
    ) -> int:
        """As `table`, for items that arrive over time; JSON lines go out as they come.

        Returns how many items there were.
        """
        if self.json_lines:
            count = 0
            async for item in items:
                self.json(item)
                count += 1
            return count
        rows = [item async for item in items]
        self.table(columns, rows, empty=empty)
        return len(rows)

    def record(self, fields: Sequence[tuple[str, object]], data: Any) -> None:
        """One object: `field  value` lines for people, or `data` as one JSON line."""
        if self.json_lines:
            self.json(data)
            return
        rows = [[f"{name}:", cell(value)] for name, value in fields]
        for text in render_table(None, rows):
            self.line(text)
