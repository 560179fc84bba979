"""Find the newest pipeline of a branch whose workflows all succeeded.

python examples/last_green_pipeline.py gh/acme/api-server --branch main [--fake]
"""

from __future__ import annotations

import asyncio

from connect import connect, parser

from circleci_async import CircleCI
from circleci_async.models import Pipeline, WorkflowStatus


async def last_green(circle: CircleCI, slug: str, branch: str) -> Pipeline | None:
    """The newest pipeline of `branch` with at least one workflow and all of them green."""
    async for pipeline in circle.pipelines.list(slug, branch=branch):
        workflows = await circle.pipelines.workflows(pipeline.id).collect()
        if workflows and all(w.status == WorkflowStatus.SUCCESS for w in workflows):
            return pipeline
    return None


async def main() -> None:
    cli = parser(__doc__ or "")
    cli.add_argument("slug", help="project slug, e.g. gh/acme/api-server")
    cli.add_argument("--branch", default="main")
    args = cli.parse_args()
    async with connect(args.fake) as circle:
        pipeline = await last_green(circle, args.slug, args.branch)
    if pipeline is None:
        print(f"no green pipeline on {args.branch}")
    else:
        revision = pipeline.vcs.revision if pipeline.vcs else None
        print(f"last green pipeline on {args.branch}: #{pipeline.number} {revision}")


if __name__ == "__main__":
    asyncio.run(main())
