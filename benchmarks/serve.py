"""A fake CircleCI in its own process, so the client under test has a core to itself.

Run by `remote_fake()`: it prints one JSON line with the base URL and token, then serves
until its standard input closes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from circleci_async.testing import FakeCircleCI

from .lean import start_lean


async def serve(args: argparse.Namespace) -> None:
    if args.lean:
        runner, line = await start_lean(
            latency=args.latency, pipelines=args.pipelines, page_size=args.page_size
        )
        print(json.dumps(line), flush=True)
        try:
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        finally:
            await runner.cleanup()
        return
    async with FakeCircleCI(record=False, page_size=args.page_size) as fake:
        project = fake.state.add_project("gh/bench/app")
        pipeline = fake.state.add_pipeline(project.slug)
        workflow = fake.state.add_workflow(pipeline.id)
        job = fake.state.add_job(workflow.id, name="build")
        for _ in range(args.pipelines):
            fake.state.add_pipeline(project.slug)
        if args.latency > 0:
            fake.faults.delay(args.latency, times=10**9, origin="api")
        if args.rps > 0:
            fake.faults.rate_limit_rps(args.rps)
        line = {
            "base_url": fake.base_url,
            "token": fake.token,
            "slug": project.slug,
            "job_number": job.number,
            "items": args.pipelines + 1,
        }
        print(json.dumps(line), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per request")
    parser.add_argument("--rps", type=float, default=0.0, help="rate limit, requests/second")
    parser.add_argument("--pipelines", type=int, default=0, help="extra pipelines to list")
    parser.add_argument("--page-size", type=int, default=20)
    parser.add_argument("--lean", type=int, default=0, help="1: precomputed bodies (fast)")
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
