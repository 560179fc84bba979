"""A service that sends a note when a workflow fails, naming the tests that failed.

    CIRCLECI_WEBHOOK_SECRET=... python examples/notify_failures.py --port 8080
    python examples/notify_failures.py --fake

It receives CircleCI's webhooks on POST /circleci (signed with the webhook's secret); for each
failed workflow it fetches, through the API, the failed jobs, the last lines of each failing
step (`circle.jobs.failure`), their failed tests and the project's flaky tests, and sends one
note (here: printed; in real life, to chat). With
`--fake` it runs once against a fake CircleCI: registers a webhook there, triggers a pipeline
whose `test` job fails, prints the note, and exits.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable

from aiohttp import web
from connect import parser

from circleci_async import CircleCI
from circleci_async.models import JobStatus, WorkflowStatus
from circleci_async.testing import FakeCircleCI
from circleci_async.webhooks import Event, WebhookReceiver, WorkflowCompleted

PATH = "/circleci"
FAKE_SLUG = "gh/acme/api-server"
TAIL = 10
"""Lines of the failing step's output a note shows."""


async def failure_note(circle: CircleCI, event: WorkflowCompleted) -> str:
    """What went wrong in a failed workflow: failed jobs, failing steps' last lines, tests."""
    slug = event.project.slug or "?"
    jobs = await circle.workflows.jobs(event.workflow.id or "").collect(limit=500)
    failed = [job for job in jobs if job.status == JobStatus.FAILED and job.job_number]
    failures, flaky = await asyncio.gather(
        asyncio.gather(*(circle.jobs.failure(slug, job.job_number or 0, tail=TAIL)
                         for job in failed)),
        circle.insights.flaky_tests(slug),
    )  # fmt: skip
    known_flaky = {(test.classname, test.test_name) for test in flaky.flaky_tests}
    lines = [
        f"workflow {event.workflow.name} of {slug} pipeline {event.pipeline.number} failed: "
        f"{event.workflow.url}"
    ]
    for job, failure in zip(failed, failures, strict=True):
        lines.append(
            f"  job {job.name} #{job.job_number}: {len(failure.failed_tests)} failed tests"
        )
        for action in failure.actions:
            lines.append(f"    step {action.step!r}: {action.outcome}")
            lines.extend(f"      | {text}" for text in action.tail)
        for test in failure.failed_tests:
            mark = " (known flaky)" if (test.classname, test.name) in known_flaky else ""
            lines.append(f"    {test.classname}.{test.name}{mark}: {test.message or ''}")
    return "\n".join(lines)


def notifier(circle: CircleCI, send: Callable[[str], Awaitable[None]]) -> WebhookReceiver:
    """A receiver whose callback sends a note for every failed workflow."""

    async def on_event(event: Event) -> None:
        if isinstance(event, WorkflowCompleted) and event.workflow.status == WorkflowStatus.FAILED:
            await send(await failure_note(circle, event))

    secret = os.environ.get("CIRCLECI_WEBHOOK_SECRET") or "fake-webhook-secret"
    return WebhookReceiver(secret=secret, path=PATH, on_event=on_event)


async def serve(hook: WebhookReceiver, port: int) -> web.AppRunner:
    """The service's web app, listening on 127.0.0.1."""
    app = web.Application()
    hook.add_to(app)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


async def printed(note: str) -> None:
    print(note, flush=True)


async def run_service(port: int) -> None:
    """Serve CircleCI's webhooks until Ctrl-C (token from CIRCLECI_TOKEN)."""
    async with CircleCI() as circle:
        runner = await serve(notifier(circle, printed), port)
        print(f"listening on http://127.0.0.1:{port}{PATH}")
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()


async def run_against_fake() -> None:
    """Once, end to end: a failing pipeline on a fake CircleCI, and the note it causes."""
    notes: asyncio.Queue[str] = asyncio.Queue()
    async with (
        FakeCircleCI(seed=7, job_seconds=0.2) as fake,
        CircleCI(fake.token, base_url=fake.base_url) as circle,
    ):
        assert fake.runner is not None
        fake.runner.failing.add("unit-tests")
        runner = await serve(notifier(circle, notes.put), 0)
        try:
            port = runner.addresses[0][1]
            project = await circle.projects.get(FAKE_SLUG)
            if project.id is None:  # CircleCI Server may leave it out; webhooks need it
                raise SystemExit(f"{FAKE_SLUG}: the project answer carries no id")
            await circle.webhooks.create(
                name="failure notes", url=f"http://127.0.0.1:{port}{PATH}",
                events=["workflow-completed"], verify_tls=True,
                signing_secret=os.environ.get("CIRCLECI_WEBHOOK_SECRET") or "fake-webhook-secret",
                scope_id=project.id,
            )  # fmt: skip
            created = await circle.pipelines.trigger(FAKE_SLUG, branch="main")
            print(f"triggered pipeline {created.number}")
            async with asyncio.timeout(60):
                print(await notes.get())
        finally:
            await runner.cleanup()


async def main() -> None:
    cli = parser(__doc__ or "")
    cli.add_argument("--port", type=int, default=8080)
    args = cli.parse_args()
    if args.fake:
        await run_against_fake()
    else:
        await run_service(args.port)


if __name__ == "__main__":
    asyncio.run(main())
