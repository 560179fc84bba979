"""Helpers of the command-line tests: running `main` in-process, checking tables and JSON lines."""

from __future__ import annotations

import asyncio
import json
import re
import socket
from collections.abc import Collection
from typing import Any

import pytest

from circleci_async.cli import main
from circleci_async.testing import FakeCircleCI


async def run(args: list[str]) -> int:
    """`main(args)` in a thread, so that the fake keeps serving on the test's loop."""
    return await asyncio.to_thread(main, args)


def against(fake: FakeCircleCI, *args: str) -> list[str]:
    """`args` with the fake's `--base-url` and `--token`."""
    return [*args, "--base-url", fake.base_url, "--token", fake.token]


async def ok(fake: FakeCircleCI, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run a command against `fake` that must succeed quietly; its stdout."""
    status = await run(against(fake, *args))
    out, err = capsys.readouterr()
    assert (status, err) == (0, ""), err
    assert fake.token not in out
    return out


def json_lines(out: str) -> list[Any]:
    """Every line of `out` parsed as JSON (each must be one JSON value)."""
    lines = out.splitlines()
    assert lines, "no output"
    return [json.loads(line) for line in lines]


def assert_table(out: str, headers: list[str], *, right: Collection[str] = ()) -> list[str]:
    """Check `out` is an aligned table with these headers; its rows.

    A left-aligned column starts at its header's offset in every row, after a gap of two
    spaces; a right-aligned one ends where its header ends.
    """
    lines = out.splitlines()
    assert lines[0].split() == headers
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", lines[0])]
    for line in lines[1:]:
        assert line == line.rstrip()
        for header, (start, end) in zip(headers, spans, strict=True):
            if header in right:
                assert line[end - 1] != " ", (header, line)
                assert line[end : end + 2].strip() == "", (header, line)
            else:
                assert line[start] != " ", (header, line)
                assert start == 0 or line[start - 2 : start] == "  ", (header, line)
    return lines[1:]


def assert_record(out: str) -> dict[str, str]:
    """Check `out` is `key: value` lines with every value at the same column; the fields."""
    lines = out.splitlines()
    starts = set()
    fields = {}
    for line in lines:
        key, _, rest = line.partition(":")
        starts.add(len(line) - len(rest.lstrip()))
        fields[key] = rest.strip()
    assert len(starts) == 1, out
    return fields


def closed_port() -> int:
    """A loopback port nothing listens on (just freed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
