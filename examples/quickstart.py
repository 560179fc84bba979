import asyncio

from circleci_async import CircleCI
from circleci_async.models import Accepted
from circleci_async.testing import FakeCircleCI


async def main() -> None:
    # The fake CircleCI server ships with the package; point base_url and token at the real
    # thing (or set CIRCLECI_TOKEN) and the same code talks to circleci.com.
    async with FakeCircleCI(seed=7) as fake, CircleCI(fake.token, base_url=fake.base_url) as circle:
        me = await circle.users.me()
        print(f"signed in as {me.login}")

        # Stream the newest pipelines of a branch, page by page, without loading them all.
        recent = await circle.pipelines.list("gh/acme/api-server", branch="main").take(5)

        # Fan out: every pipeline's workflows at once, then every workflow's jobs at once.
        workflow_lists = await asyncio.gather(
            *(circle.pipelines.workflows(p.id).collect() for p in recent)
        )
        workflows = [w for batch in workflow_lists for w in batch]
        job_lists = await asyncio.gather(
            *(circle.workflows.jobs(w.id).collect() for w in workflows)
        )
        for pipeline, batch in zip(recent, workflow_lists, strict=True):
            states = ", ".join(f"{w.name}={w.status}" for w in batch)
            print(f"pipeline {pipeline.number}: {states}")
        failed = [job.name for jobs in job_lists for job in jobs if job.status == "failed"]
        print(f"{len(workflows)} workflows, {sum(map(len, job_lists))} jobs, failed jobs: {failed}")

        created = await circle.pipelines.trigger(
            "gh/acme/api-server", branch="main", parameters={"deploy": True}
        )
        if isinstance(created, Accepted):  # CircleCI took it but sent no pipeline
            raise SystemExit(f"trigger accepted without a pipeline: {created.message}")
        print(f"triggered pipeline {created.number} ({created.state})")
        print(f"{circle.core.requests_sent} requests sent")


asyncio.run(main())
