"""Bodies of step output: the JSON array of `{message, time, type}`, raw text, generated logs.

A generated log (`GeneratedLog`) is any size without being held: its elements repeat with a
period of `PERIOD` lines, so each piece is cut out of one precomputed block. Every body here
offers `length`, `chunks()` and `slice(start, end)`, which is what `Reply` streams.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Literal

import attrs

__all__ = [
    "PERIOD",
    "BytesBody",
    "GeneratedLog",
    "OutputLine",
    "Stream",
    "encode_lines",
    "wire_time",
]

Stream = Literal["out", "err"]
PERIOD = 1024
"""Generated logs repeat their lines after this many."""
_PIECE = 256 * 1024


@attrs.frozen
class OutputLine:
    """One element of a step's output: its text (ANSI escapes kept), when, and its stream."""

    message: str
    time: datetime
    type: Stream = "out"


def wire_time(moment: datetime) -> str:
    """A time as CircleCI writes it: UTC, milliseconds, `Z`."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def encode_lines(lines: Iterable[OutputLine]) -> bytes:
    """The JSON array of `{message, time, type}` that a step's `output_url` answers."""
    elements = [
        {"message": line.message, "time": wire_time(line.time), "type": line.type} for line in lines
    ]
    return json.dumps(elements, separators=(",", ":")).encode()


@attrs.frozen
class BytesBody:
    """Literal bytes with the body interface (`length`, `chunks`, `slice`)."""

    data: bytes

    @property
    def length(self) -> int:
        """Number of bytes."""
        return len(self.data)

    def chunks(self) -> Iterator[bytes]:
        """The bytes in pieces."""
        for offset in range(0, len(self.data), _PIECE):
            yield self.data[offset : offset + _PIECE]

    def slice(self, start: int, end: int) -> BytesBody:
        """The bytes in `[start, end)`."""
        return BytesBody(self.data[start:end])


@attrs.frozen
class GeneratedLog:
    """`head`, then `middle` bytes of `block` repeated, then `tail`; `[start, end)` of that."""

    head: bytes
    block: bytes
    middle: int
    tail: bytes
    start: int = 0
    end: int | None = None

    @classmethod
    def of_size(cls, size: int, time: datetime, *, raw: bool = False) -> GeneratedLog:
        """A log of about `size` bytes: a JSON array of lines, or (`raw`) their text alone.

        The JSON form holds `max(1, size // element)` whole elements, so it always parses.
        """
        if size < 0:
            raise ValueError("size must not be negative")
        messages = [_generated_message(k) for k in range(PERIOD)]
        if raw:
            block = "".join(messages).encode()
            return cls(b"", block, size, b"")
        stamp = wire_time(time)
        elements = [
            json.dumps({"message": m, "time": stamp, "type": "out"}, separators=(",", ":")) + ","
            for m in messages
        ]
        block = "".join(elements).encode()
        width = len(elements[0])
        count = max(1, size // width)
        return cls(b"[", block, count * width - 1, b"]")

    @property
    def total(self) -> int:
        """Length of the whole log, whatever the slice."""
        return len(self.head) + self.middle + len(self.tail)

    @property
    def length(self) -> int:
        """Number of bytes in this slice."""
        stop = self.total if self.end is None else min(self.end, self.total)
        return max(stop - self.start, 0)

    def slice(self, start: int, end: int) -> GeneratedLog:
        """The bytes in `[start, end)` of this slice."""
        begin = self.start + start
        return attrs.evolve(self, start=begin, end=min(self.start + end, self.start + self.length))

    def chunks(self) -> Iterator[bytes]:
        """The slice's bytes in pieces of at most 256 KiB."""
        stop = self.start + self.length
        position = self.start
        body_end = len(self.head) + self.middle
        while position < stop:
            if position < len(self.head):
                piece = self.head[position : min(stop, len(self.head))]
            elif position < body_end:
                offset = (position - len(self.head)) % len(self.block)
                take = min(stop, body_end, position + _PIECE) - position
                doubled = self.block * (2 + take // len(self.block))
                piece = doubled[offset : offset + take]
            else:
                start = position - body_end
                piece = self.tail[start : start + stop - position]
            yield piece
            position += len(piece)


def _generated_message(k: int) -> str:
    colour = "\x1b[32mok\x1b[0m" if k % 7 else "\x1b[33mwarn\x1b[0m"
    return f"generated line {k:06d}: compiling module_{k % 97:02d} ... {colour:<13}\n"
