"""JSON in and out: orjson when it is installed (`circleci-async[fast]`), else the stdlib.

orjson parses CircleCI's bodies three to four times faster than `json` (measured on a job's
details: 4.3 µs against 14.8 µs); nothing else changes, and without it the stdlib serves.
Integers of any size are kept exactly: orjson reads an integer beyond 64 bits as a float, so
a body with a run of 20 digits is read by the stdlib, which never rounds an integer.

Nesting is bounded, and past the bound a body is a `ValueError`, never a `RecursionError`:
orjson refuses more than 1024 levels itself (and never recurses in Python); before the
stdlib's recursive parser reads a body (without orjson, or for a body with long integers),
one nested deeper than `MAX_DEPTH` arrays and objects is refused with `NestingError`. The
pre-scan is not run before orjson: on a page of 100 jobs (77 KB) it would double the cost.
The check is linear: counting the openers decides for most bodies; a body with more than
`MAX_DEPTH` of them has its brackets outside strings summed in chunks, and only a chunk that
could pass the bound is walked bracket by bracket.
"""

from __future__ import annotations

import json
import re
from array import array
from collections.abc import Callable
from itertools import accumulate
from typing import Any

__all__ = ["BACKEND", "MAX_DEPTH", "ORJSON_MAX_DEPTH", "NestingError", "dumps", "loads"]

MAX_DEPTH = 512
"""The deepest nesting of arrays and objects the stdlib parser is given (CircleCI's answers
nest about ten deep; Python's recursion limit is 1000)."""
ORJSON_MAX_DEPTH = 1024
"""orjson's own bound."""


class NestingError(ValueError):
    """A JSON body nested deeper than `MAX_DEPTH`."""


_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_NOT_OPENERS = bytes(set(range(256)) - set(b"[{"))
_NOT_STRUCTURE = bytes(set(range(256)) - set(b'"[]{}'))
# Openers as +1, closers as -1 (255 read as a signed byte).
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
_CHUNK = 256


def _deepest(steps: bytes, depth: int) -> int:
    """The deepest level `steps` (+1 and -1 bytes) reach from `depth`."""
    return max(accumulate(array("b", steps), initial=depth))


def _too_deep(body: bytes) -> bool:
    """Whether `body` nests arrays and objects (outside strings) deeper than `MAX_DEPTH`."""
    if len(body.translate(None, _NOT_OPENERS)) <= MAX_DEPTH:
        return False
    if b"\\" in body:
        body = _ESCAPE.sub(b"", body)
    # Quotes and brackets only; without escapes every `"` opens or closes a string.
    structure = body.translate(None, _NOT_STRUCTURE)
    if b'"' in structure:
        structure = b"".join(structure.split(b'"')[::2])
    steps = structure.translate(_STEPS)
    depth = 0
    for start in range(0, len(steps), _CHUNK):
        chunk = steps[start : start + _CHUNK]
        opened = chunk.count(1)
        # Only a chunk that could pass the bound is walked step by step.
        if depth + opened > MAX_DEPTH and _deepest(chunk, depth) > MAX_DEPTH:
            return True
        depth += 2 * opened - len(chunk)
    return False


def _bounded(parse: Callable[[bytes], Any]) -> Callable[[bytes | str], Any]:
    def read(body: bytes | str) -> Any:
        raw = body.encode() if isinstance(body, str) else body
        if _too_deep(raw):
            raise NestingError(f"nested deeper than {MAX_DEPTH} arrays and objects")
        try:
            return parse(raw)
        except RecursionError:
            # A caller already deep in its own stack; the bound above keeps the rest safe.
            raise NestingError("nested too deep to parse here") from None

    return read


def _stdlib_dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


loads: Callable[[bytes | str], Any]
dumps: Callable[[Any], bytes]

_stdlib_loads = _bounded(json.loads)

try:
    import orjson
except ImportError:
    loads, dumps, BACKEND = _stdlib_loads, _stdlib_dumps, "json"
else:
    _orjson_loads = orjson.loads
    # Every digit as "0", every other byte as " ": a run of 20 digits is then a plain
    # substring search, several times cheaper than a regular expression.
    _DIGITS = bytes(0x30 if 0x30 <= i <= 0x39 else 0x20 for i in range(256))
    _TWENTY_DIGITS = b"0" * 20

    def _loads(body: bytes | str) -> Any:
        raw = body.encode() if isinstance(body, str) else body
        if _TWENTY_DIGITS in raw.translate(_DIGITS):
            # orjson reads integers beyond 64 bits as floats; the stdlib keeps them exactly.
            return _stdlib_loads(raw)
        return _orjson_loads(raw)

    loads, dumps, BACKEND = _loads, orjson.dumps, "orjson"
