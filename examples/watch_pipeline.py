"""Trigger a pipeline and watch it until every workflow has finished.

python examples/watch_pipeline.py gh/acme/api-server --branch main [--fake]
"""

from __future__ import annotations

import asyncio

from connect import connect, parser

from circleci_async import CircleCI
from circleci_async.models import Accepted, Workflow, WorkflowStatus

STILL_GOING = {WorkflowStatus.RUNNING, WorkflowStatus.ON_HOLD, WorkflowStatus.FAILING}


async def watch(circle: CircleCI, pipeline_id: str, every: float) -> list[Workflow]:
    """Poll a pipeline's workflows until none is still going; print each change."""
    seen: dict[str, str | None] = {}
    while True:
        workflows = await circle.pipelines.workflows(pipeline_id).collect()
        for workflow in workflows:
            if seen.get(workflow.id) != workflow.status:
                seen[workflow.id] = workflow.status
                print(f"  {workflow.name}: {workflow.status}")
        if workflows and not any(w.status in STILL_GOING for w in workflows):
            return workflows
        await asyncio.sleep(every)


async def main() -> None:
    cli = parser(__doc__ or "")
    cli.add_argument("slug")
    cli.add_argument("--branch", default="main")
    cli.add_argument("--every", type=float, default=5.0, help="seconds between polls")
    args = cli.parse_args()
    async with connect(args.fake) as circle:
        created = await circle.pipelines.trigger(args.slug, branch=args.branch)
        if isinstance(created, Accepted):  # CircleCI took it but sent no pipeline
            raise SystemExit(f"trigger accepted without a pipeline: {created.message}")
        print(f"triggered pipeline {created.number}")
        workflows = await watch(circle, created.id, 0.1 if args.fake else args.every)
    green = all(w.status == WorkflowStatus.SUCCESS for w in workflows)
    print(f"pipeline {created.number} finished: {'green' if green else 'not green'}")


if __name__ == "__main__":
    asyncio.run(main())
