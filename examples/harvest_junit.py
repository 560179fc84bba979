"""Download the JUnit XML reports of every job of a week of pipelines on a branch.

python examples/harvest_junit.py gh/acme/api-server --dest reports [--days 7] [--fake]
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

from connect import connect, parser

from circleci_async import ArtifactRef, CircleCI


async def week_of_artifacts(
    circle: CircleCI, slug: str, branch: str, days: int
) -> AsyncIterator[ArtifactRef]:
    """Every artifact of every job of the pipelines of the last `days` days, lazily."""
    newest = None
    async for pipeline in circle.pipelines.list(slug, branch=branch):
        if pipeline.created_at is None:
            continue
        newest = newest or pipeline.created_at
        if pipeline.created_at < newest - timedelta(days=days):
            return
        async for workflow in circle.pipelines.workflows(pipeline.id):
            async for job in circle.workflows.jobs(workflow.id):
                if job.job_number is None:
                    continue
                async for artifact in circle.jobs.artifacts(slug, job.job_number):
                    yield ArtifactRef(artifact, slug, job.job_number, job.name)


async def main() -> None:
    cli = parser(__doc__ or "")
    cli.add_argument("slug")
    cli.add_argument("--branch", default="main")
    cli.add_argument("--days", type=int, default=7)
    cli.add_argument("--dest", default="junit-reports")
    args = cli.parse_args()
    async with connect(args.fake) as circle:
        report = await circle.artifacts.download(
            week_of_artifacts(circle, args.slug, args.branch, args.days),
            args.dest,
            include=["test-results/*.xml"],
            concurrency=16,
        )
    print(report.summary())


if __name__ == "__main__":
    asyncio.run(main())
