"""`ArrayReader`: a JSON array of log elements read incrementally, in bounded memory.

Step output is one JSON array with no paging and no size limit, so it is never held whole:
bytes are fed in as they arrive, decoded as UTF-8 (bytes that are not UTF-8 become U+FFFD
rather than ending the log), and each complete element is decoded with the standard
library's C scanner (`json.JSONDecoder.raw_decode`) and handed out. Only the element being
read is buffered, and never more than `max_element` characters of it: a longer one is an
error, not a memory blow-up. A failed attempt at a partial element waits until its buffer
has doubled before trying again, so reading stays linear in the input.
"""

from __future__ import annotations

import codecs
import json
import re
from datetime import datetime
from typing import Any

from ..errors import DecodeError
from .models import LogLine

__all__ = ["DEFAULT_MAX_ELEMENT", "OPERATION", "ArrayReader", "log_line"]

DEFAULT_MAX_ELEMENT = 16 * 1024 * 1024
"""The longest single output element accepted, in characters."""
OPERATION = "step output"

_SPACE = re.compile(r"[ \t\n\r]*")
_START, _FIRST, _NEXT, _VALUE, _DONE = range(5)


class ArrayReader:
    """Feed bytes in, get decoded elements out; `close()` checks the array was complete."""

    def __init__(self, *, max_element: int = DEFAULT_MAX_ELEMENT) -> None:
        self.max_element = max_element
        self.count = 0
        """Elements read so far."""
        self._text = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._decoder = json.JSONDecoder()
        self._buffer = ""
        self._pos = 0
        self._state = _START
        self._retry_at = 0

    @property
    def done(self) -> bool:
        """Whether the closing `]` was read."""
        return self._state == _DONE

    def feed(self, data: bytes) -> list[Any]:
        """The elements completed by `data`, in order."""
        text = self._text.decode(data)
        self._buffer = self._buffer[self._pos :] + text if self._pos else self._buffer + text
        self._pos = 0
        return self._scan(final=False)

    def close(self) -> list[Any]:
        """The last elements; `DecodeError` if the array is empty of `[` or not closed."""
        self._buffer = self._buffer[self._pos :] + self._text.decode(b"", final=True)
        self._pos = 0
        found = self._scan(final=True)
        if self._state == _START:
            raise DecodeError(OPERATION, "the output is empty, where a JSON array was expected")
        if self._state != _DONE:
            raise DecodeError(
                OPERATION, f"the output ends in the middle of element {self.count} (truncated)"
            )
        return found

    def _scan(self, *, final: bool) -> list[Any]:
        found: list[Any] = []
        buffer = self._buffer
        while True:
            pos = _SPACE.match(buffer, self._pos).end()  # type: ignore[union-attr]
            self._pos = pos
            if pos >= len(buffer):
                return found
            char = buffer[pos]
            state = self._state
            if state == _START:
                if char != "[":
                    begins = buffer[pos : pos + 20]
                    raise DecodeError(
                        OPERATION, f"the output is not a JSON array (it begins {begins!r})"
                    )
                self._pos, self._state = pos + 1, _FIRST
            elif state == _DONE:
                raise DecodeError(OPERATION, "the output goes on after its array's end")
            elif state == _NEXT:
                if char == ",":
                    self._pos, self._state = pos + 1, _VALUE
                elif char == "]":
                    self._pos, self._state = pos + 1, _DONE
                else:
                    raise DecodeError(
                        OPERATION, f"expected ',' or ']' after element {self.count - 1}"
                    )
            elif state == _FIRST and char == "]":
                self._pos, self._state = pos + 1, _DONE
            else:
                pending = len(buffer) - pos
                if not final and pending < self._retry_at:
                    return found
                try:
                    value, end = self._decoder.raw_decode(buffer, pos)
                except json.JSONDecodeError as exc:
                    if pending > self.max_element:
                        raise DecodeError(
                            OPERATION,
                            f"element {self.count} is longer than {self.max_element} characters",
                        ) from None
                    margin = 0 if final else 6
                    cut = exc.pos >= len(buffer) - margin or exc.msg.startswith("Unterminated")
                    if not cut:
                        raise DecodeError(
                            OPERATION, f"element {self.count} is not JSON ({exc.msg})"
                        ) from None
                    if final:
                        return found
                    self._retry_at = min(pending * 2, self.max_element + 1)
                    return found
                if end - pos > self.max_element:
                    raise DecodeError(
                        OPERATION,
                        f"element {self.count} is longer than {self.max_element} characters",
                    )
                self._retry_at = 0
                self._pos, self._state = end, _NEXT
                self.count += 1
                found.append(value)


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def log_line(element: Any, number: int) -> LogLine:
    """One output element as a `LogLine`; `DecodeError` if it is not an object."""
    if not isinstance(element, dict):
        raise DecodeError(
            OPERATION, f"element {number} is a {type(element).__name__}, not an object"
        )
    message = element.get("message")
    if message is None:
        message = ""
    elif not isinstance(message, str):
        raise DecodeError(OPERATION, f"element {number}'s message is not a string")
    stream = element.get("type")
    if not isinstance(stream, str):
        stream = "out"
    return LogLine(message, _time(element.get("time")), stream)
