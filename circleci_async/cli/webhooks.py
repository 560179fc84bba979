"""`circleci-async webhooks listen`: receive CircleCI's webhooks and print them as they come.

It serves a `WebhookReceiver` on `--host` (127.0.0.1) and `--port` until SIGINT or SIGTERM
and exits 0. Each verified event is one line on stdout (a table line, or with `--json`
CircleCI's payload as one JSON line); a refused delivery is one line on stderr. The site is a
`GuardedSite`: at most `--max-connections` open at once, headers within `--header-timeout`
seconds, bodies within the receiver's 5 s. A failure to print never changes an answer.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from typing import Any, TextIO

from aiohttp import web

from ..errors import ConfigurationError
from ..webhooks import (
    ConnectionLimits,
    Event,
    GuardedSite,
    JobCompleted,
    Refusal,
    SigningKey,
    WebhookReceiver,
    WorkflowCompleted,
    runner_options,
)
from .common import add_group, json_option, positive_int
from .fake import port_number, positive_rate
from .output import Output, cell

__all__ = ["event_line", "register", "run_listen"]

_DESCRIPTION = """\
Receive CircleCI's webhooks on http://HOST:PORT/PATH until Ctrl-C, and print each verified
event as one line (with --json: CircleCI's payload as one JSON line). Deliveries without a
valid v1 signature are refused with 401 and noted on stderr, unless --no-secret says the
webhook has no signing secret. Repeated deliveries of an event are printed once.
"""


def register(groups: Any) -> None:
    """Add the `webhooks` group to the top-level sub-parsers."""
    commands = add_group(groups, "webhooks", "receive CircleCI's outbound webhooks")
    listen = commands.add_parser(
        "listen",
        parents=[json_option()],
        help="print verified webhook events as they arrive, until Ctrl-C",
        description=_DESCRIPTION,
    )
    listen.add_argument(
        "--port", type=port_number, required=True, metavar="N", help="port (0: any free one)"
    )
    listen.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    listen.add_argument("--path", default="/", help="URL path of the webhook (/)")
    listen.add_argument(
        "--max-connections", type=positive_int, default=128, metavar="N",
        help="open connections at most; more are answered 503 (128)",
    )  # fmt: skip
    listen.add_argument(
        "--header-timeout", type=positive_rate, default=10.0, metavar="S",
        help="seconds a connection may take to send a request's headers (10)",
    )  # fmt: skip
    listen.add_argument(
        "--max-event-age", type=positive_rate, default=None, metavar="S",
        help="refuse (422) events that happened more than S seconds ago (default: no limit)",
    )  # fmt: skip
    secret = listen.add_mutually_exclusive_group(required=True)
    secret.add_argument("--secret", metavar="S", help="the webhook's signing secret")
    secret.add_argument(
        "--secret-stdin",
        action="store_true",
        help="read the signing secret from the first line of stdin (keeps it out of `ps`)",
    )
    secret.add_argument(
        "--no-secret",
        action="store_true",
        help="the webhook has no signing secret: accept unsigned deliveries",
    )
    listen.set_defaults(run=run_listen, interrupted="stopped")


def _secret(args: argparse.Namespace) -> SigningKey | None:
    """The signing secret as a `SigningKey`.

    The raw `--secret` is removed from `args`, and so from traceback locals that hold them.
    """
    if args.no_secret:
        return None
    secret: str = args.secret if args.secret is not None else sys.stdin.readline().strip()
    args.secret = None
    if not secret:
        source = "stdin" if args.secret_stdin else "--secret"
        raise ConfigurationError(f"the signing secret from {source} is empty")
    return SigningKey(secret)


def event_line(event: Event) -> str:
    """One line for people: time, type, project, workflow (and job), status, pipeline, id."""
    status: object
    if isinstance(event, JobCompleted):
        number = "" if event.job.number is None else f" #{event.job.number}"
        what = f"{cell(event.workflow.name)}/{cell(event.job.name)}{number}"
        status, ident = event.job.status, event.job.id
    elif isinstance(event, WorkflowCompleted):
        what, status, ident = cell(event.workflow.name), event.workflow.status, event.workflow.id
    else:
        what, status, ident = "-", None, event.id
    pipeline = "-" if event.pipeline.number is None else f"pipeline {event.pipeline.number}"
    fields = [event.happened_at, event.type, event.project.slug, what, status, pipeline, ident]
    return "  ".join(" ".join(cell(field).split()) for field in fields)


def run_listen(args: argparse.Namespace) -> int:
    """Run `webhooks listen`; 0 once stopped by SIGINT or SIGTERM."""
    secret = _secret(args)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_listen(args, secret, sys.stdout, sys.stderr))
    except OSError as error:
        where = f"{args.host} port {args.port}" if args.port else args.host
        raise OSError(error.errno, f"cannot listen on {where}: {error.strerror}") from None
    print("stopped", file=sys.stderr)
    return 0


async def _listen(
    args: argparse.Namespace, secret: SigningKey | None, stdout: TextIO, stderr: TextIO
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError, RuntimeError, NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    out = Output(stdout, json_lines=args.json)

    async def show(event: Event) -> None:
        if args.json:
            out.json(event.raw)
        else:
            stdout.write(event_line(event) + "\n")
            stdout.flush()

    def refused(refusal: Refusal) -> None:
        print(f"refused {refusal.status} from {refusal.remote or '?'}: {refusal.reason}",
              file=stderr, flush=True)  # fmt: skip

    hook = WebhookReceiver(
        secret=secret, path=args.path, max_event_age=args.max_event_age,
        on_event=show, on_refused=refused,
    )  # fmt: skip
    app = web.Application()
    hook.add_to(app)
    limits = ConnectionLimits(
        max_connections=args.max_connections, header_timeout=args.header_timeout
    )
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0, **runner_options(limits))
    await runner.setup()
    try:
        site = GuardedSite(runner, args.host, args.port, limits=limits)
        await site.start()
        port = runner.addresses[0][1]
        signed = "unsigned deliveries accepted" if secret is None else "v1 signatures checked"
        print(f"listening on http://{args.host}:{port}{args.path} ({signed})",
              file=stderr, flush=True)  # fmt: skip
        await stop.wait()
    finally:
        await runner.cleanup()
