"""`circleci-async fake serve`: the fake CircleCI on its own, until Ctrl-C.

It prints the API's base URL, the token it accepts and the artifact host a client must trust
with that token, then serves the `acme` demo organisation (see
`circleci_async.testing.demo_org`) until SIGINT or SIGTERM, and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from typing import Any, TextIO
from urllib.parse import urlsplit

from .common import add_group, json_option, positive_int
from .output import Output

__all__ = ["port_number", "positive_rate", "register", "run_serve"]

_DESCRIPTION = """\
Serve the fake CircleCI API on 127.0.0.1, seeded with a demo organisation (four projects,
a few hundred pipelines), until Ctrl-C. Prints the base URL, the token it accepts and the
artifact host to trust with it (e.g. `--artifact-host localhost` for `artifacts download`).
"""


def port_number(text: str) -> int:
    """An argparse type: a TCP port, 0 (any free port) to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number: {value}")
    return value


def positive_rate(text: str) -> float:
    """An argparse type: a rate above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be above 0, got {text}")
    return value


def register(groups: Any) -> None:
    """Add the `fake` group to the top-level sub-parsers."""
    commands = add_group(groups, "fake", "the fake CircleCI server the tests use")
    serve = commands.add_parser(
        "serve",
        parents=[json_option()],
        help="serve the fake CircleCI until Ctrl-C",
        description=_DESCRIPTION,
    )
    serve.add_argument(
        "--port", type=port_number, default=0, metavar="N", help="API port (default: any free)"
    )
    serve.add_argument("--seed", type=int, default=1, metavar="N", help="the organisation (1)")
    serve.add_argument(
        "--page-size", type=positive_int, default=20, metavar="N", help="items per page (20)"
    )
    serve.add_argument(
        "--rate-limit",
        type=positive_rate,
        metavar="RPS",
        help="answer 429 beyond RPS API requests a second (default: no limit)",
    )
    serve.set_defaults(run=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    """Run `fake serve`; 0 once stopped by SIGINT or SIGTERM."""
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_serve(args, sys.stdout))
    except OSError as error:
        where = f"port {args.port}" if args.port else "a free port"
        raise OSError(error.errno, f"cannot listen on {where}: {error.strerror}") from None
    print("stopped", file=sys.stderr)
    return 0


async def _serve(args: argparse.Namespace, stdout: TextIO) -> None:
    from ..testing import FakeCircleCI
    from ..testing.demo_org import seed_demo_org

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError, RuntimeError, NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    async with FakeCircleCI(page_size=args.page_size, record=False, port=args.port) as fake:
        org = seed_demo_org(fake.state, args.seed)
        if args.rate_limit is not None:
            fake.faults.rate_limit_rps(args.rate_limit, origin="api")
        host = urlsplit(fake.artifacts_url).hostname or "localhost"
        line = {
            "base_url": fake.base_url,
            "token": fake.token,
            "artifact_hosts": [host],
            "projects": list(org.projects),
            "pipelines": org.pipelines,
        }
        out = Output(stdout, json_lines=args.json)
        fields: list[tuple[str, object]] = [
            ("base URL", fake.base_url),
            ("token", fake.token),
            ("artifact host", f"{host} (trust it: --artifact-host {host})"),
            ("projects", ", ".join(org.projects)),
            ("pipelines", org.pipelines),
        ]
        out.record(fields, line)
        out.line("serving until Ctrl-C")
        stdout.flush()
        await stop.wait()
