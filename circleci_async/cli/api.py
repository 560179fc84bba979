"""`circleci-async api METHOD PATH`: any API call, as `gh api` does, through `circle.raw`.

The call goes through the same gate, retries and auth as every other command. `-f key=value`
adds a string field and `-F key=value` a typed one (`true`, `false`, `null`, integers): query
parameters for GET and DELETE, body fields otherwise, and the value of a `{key}` placeholder
when the path has one. `--input FILE` (`-` for stdin) sends a JSON body read from a file.
The answer is printed as JSON (indented on a terminal); `--paginate` walks a paged list and
prints one item per line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..client import CircleCI
from ..endpoints import template_pieces
from ..errors import CircleCIError
from .common import UsageError, add_api_command
from .output import Output
from .params import typed_value

__all__ = ["MAX_INPUT_BYTES", "register"]

MAX_INPUT_BYTES = 8 * 1024 * 1024
"""The largest `--input` body read."""

_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_MAX_PAGES = 1000


def _method(text: str) -> str:
    method = text.upper()
    if method not in _METHODS:
        raise argparse.ArgumentTypeError(f"expected one of {', '.join(_METHODS)}, got {text!r}")
    return method


def _field(typed: bool) -> Any:
    def parse(text: str) -> tuple[str, object]:
        key, sep, value = text.partition("=")
        if not sep or not key.strip():
            raise argparse.ArgumentTypeError(f"expected key=value, got {text!r}")
        if not typed:
            return key.strip(), value
        return key.strip(), None if value == "null" else typed_value(value)

    return parse


def register(groups: Any) -> None:
    """Add the `api` command to the top-level sub-parsers."""
    command = add_api_command(
        groups,
        "api",
        "send any API request (as gh api) and print the JSON answer",
        _api,
        __doc__.split("\n\n", 1)[1].replace("\n", " ") if __doc__ else None,
    )
    command.add_argument("method", type=_method, metavar="METHOD", help="GET, POST, PUT, ...")
    command.add_argument("path", metavar="PATH", help="e.g. /me or /project/{project_slug}")
    command.add_argument(
        "-f",
        "--raw-field",
        dest="fields",
        type=_field(False),
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a string field (repeatable)",
    )
    command.add_argument(
        "-F",
        "--field",
        dest="fields",
        type=_field(True),
        action="append",
        metavar="KEY=VALUE",
        help="a typed field: true, false, null and integers become JSON values",
    )
    command.add_argument("--input", metavar="FILE", help="the JSON body, from FILE or - (stdin)")
    command.add_argument(
        "--paginate", action="store_true", help="walk every page of a list, one item per line"
    )
    command.set_defaults(api_prog=command.prog)


def _read_input(name: str, prog: str) -> object:
    try:
        if name == "-":
            text = sys.stdin.read(MAX_INPUT_BYTES + 1)
        else:
            with Path(name).open(encoding="utf-8") as file:
                text = file.read(MAX_INPUT_BYTES + 1)
    except OSError as error:
        raise UsageError(prog, f"--input {name}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise UsageError(prog, f"--input {name}: not UTF-8 text") from None
    if len(text) > MAX_INPUT_BYTES:
        raise UsageError(prog, f"--input {name}: over {MAX_INPUT_BYTES} bytes")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(
            prog, f"--input {name}: not JSON (line {error.lineno}: {error.msg})"
        ) from None


async def _api(circle: CircleCI, args: argparse.Namespace, out: Output) -> None:
    """Send one request (or walk the pages of a list) and print the JSON."""
    prog = args.api_prog
    path = args.path if args.path.startswith("/") else "/" + args.path
    placeholders = {name.replace("-", "_") for name in template_pieces(path)[1::2]}
    values: dict[str, Any] = {}
    fields: dict[str, object] = {}
    for key, value in args.fields:
        target = values if key.replace("-", "_") in placeholders else fields
        if key in target:
            raise UsageError(prog, f"field {key!r} given twice")
        target[key.replace("-", "_") if target is values else key] = value
    reads = args.method in ("GET", "DELETE")
    if args.paginate and args.method != "GET":
        raise UsageError(prog, "--paginate needs GET")
    if args.input is not None and reads:
        raise UsageError(prog, f"--input sends a body, which {args.method} has not")
    body = _read_input(args.input, prog) if args.input is not None else None
    if fields and not reads:
        if body is not None and not isinstance(body, dict):
            raise UsageError(prog, "fields need --input to hold a JSON object")
        body = {**(body or {}), **fields}
    query = fields if reads else None
    if args.paginate:
        pages = circle.raw.pages(path, params=query, **values)
        walked = 0
        async for page in pages.pages():
            for item in page.items:
                out.json(item)
            walked += 1
            if walked >= _MAX_PAGES and page.next_page_token is not None:
                raise CircleCIError(f"--paginate stopped after {_MAX_PAGES} pages")
        return
    response = await circle.raw.request(args.method, path, params=query, json=body, **values)
    if response.data is None:
        return
    if out.stream.isatty() and not out.json_lines:
        out.stream.write(json.dumps(response.data, ensure_ascii=False, indent=2) + "\n")
    else:
        out.json(response.data)
