"""Harvests on a real `distributed.LocalCluster`: 2 worker processes, 1 thread each."""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Iterator
from pathlib import Path

import attrs
import distributed
import pytest

from circleci_async import CircleCI
from circleci_async.artifacts import DownloadReport, HarvestPlan
from circleci_async.dask import WorkerClient, harvest
from circleci_async.errors import InvalidArgumentError
from circleci_async.testing import FakeCircleCI
from circleci_async.testing.faults import FOREVER

from .artifacts_helpers import SLUG, files_under, sha256
from .conftest import FakeFactory
from .dask_helpers import die_once
from .redis_helpers import RedisServer

pytestmark = pytest.mark.slow

TOKEN = "fake-token-every-dask-worker-reads-from-its-environment"


@pytest.fixture(scope="module")
def dask_client() -> Iterator[distributed.Client]:
    """A LocalCluster of 2 worker processes whose environment holds the fake's token."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CIRCLECI_TOKEN", TOKEN)
        env.delenv("CIRCLECI_GATE_URL", raising=False)
        cluster = distributed.LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        )
        client = distributed.Client(cluster)  # type: ignore[no-untyped-call]
        try:
            yield client
        finally:
            client.close()  # type: ignore[no-untyped-call]
            cluster.close()


def workflow(fake: FakeCircleCI, per_job: int) -> tuple[str, dict[str, str]]:
    pipeline = fake.state.add_pipeline(SLUG)
    flow = fake.state.add_workflow(pipeline.id)
    expected: dict[str, str] = {}
    for name in ("build", "test", "lint"):
        job = fake.state.add_job(flow.id, name=name)
        assert job.number is not None
        for i in range(per_job):
            made = fake.state.add_artifact(SLUG, job.number, f"out/{i}.bin", size=500 + i)
            expected[f"{job.number}-{name}/0/out/{i}.bin"] = made.sha256
    return flow.id, expected


async def plan_of(fake: FakeCircleCI, workflow_id: str) -> HarvestPlan:
    async with CircleCI(TOKEN, base_url=fake.base_url) as circle:
        return await circle.artifacts.plan_workflow(workflow_id)


def on_workers(fake: FakeCircleCI) -> WorkerClient:
    return WorkerClient(base_url=fake.base_url, artifact_hosts=("localhost",))


def fetched(fake: FakeCircleCI) -> list[str]:
    return [r.path for r in fake.requests if r.origin == "artifacts"]


def whole(fake: FakeCircleCI) -> list[str]:
    """The storage objects served whole (200): present files cost only a one-byte check."""
    return [r.path for r in fake.requests if r.origin == "storage" and r.status == 200]


def digests(root: Path) -> dict[str, str]:
    return {key: sha256(path) for key, path in files_under(root).items()}


def outcome(report: DownloadReport) -> set[tuple[str | None, str, int, int | None]]:
    return {(f.target, f.outcome.value, f.size, f.job_number) for f in report.files}


async def test_a_workflow_harvested_on_two_workers_is_written_once_and_matches_one_process(
    fake_factory: FakeFactory,
    dask_client: distributed.Client,
    tmp_path: Path,
    redis_server: RedisServer,
) -> None:
    fake = await fake_factory(token=TOKEN)
    workflow_id, expected = workflow(fake, per_job=30)
    plan = await plan_of(fake, workflow_id)
    # the workers' clients open the shared gate (only the planner here calls the API)
    workers = attrs.evolve(on_workers(fake), gate_url=redis_server.url)
    with distributed.get_task_stream(dask_client) as stream:
        report = await asyncio.to_thread(
            harvest, dask_client, plan, tmp_path / "dask", workers=workers, timeout=120
        )
    assert len({task["worker"] for task in stream.data}) == 2  # both worker processes took part

    assert digests(tmp_path / "dask") == expected
    once = fetched(fake)
    assert sorted(once) == sorted(set(once))
    assert len(once) == len(expected)
    async with CircleCI(TOKEN, base_url=fake.base_url, artifact_hosts=["localhost"]) as circle:
        single = await circle.artifacts.download_workflow(workflow_id, tmp_path / "one")
    assert digests(tmp_path / "one") == expected
    assert report.ok
    assert (report.listed, report.downloaded, report.skipped, report.failed, report.bytes) == (
        single.listed,
        single.downloaded,
        single.skipped,
        single.failed,
        single.bytes,
    )
    assert outcome(report) == outcome(single)


async def test_a_killed_workers_shard_is_redone_without_downloading_a_file_twice(
    fake_factory: FakeFactory, dask_client: distributed.Client, tmp_path: Path
) -> None:
    fake = await fake_factory(token=TOKEN)
    workflow_id, expected = workflow(fake, per_job=20)
    plan = await plan_of(fake, workflow_id)
    marker = tmp_path / "killed"
    dest = tmp_path / "out"
    report = await asyncio.to_thread(
        harvest,
        dask_client,
        plan,
        dest,
        workers=on_workers(fake),
        shards=2,
        timeout=180,
        concurrency=2,
        progress=functools.partial(die_once, str(marker), 4),
    )
    assert marker.exists()  # a worker process died mid-shard
    assert int(marker.read_text()) != os.getpid()
    assert digests(dest) == expected  # every file in place, byte-exact, no .part left
    assert report.ok
    assert report.listed == len(expected)
    assert report.downloaded + report.skipped == len(expected)
    assert report.skipped >= 4  # files in place before the kill were not fetched again
    requests = whole(fake)
    assert len(set(requests)) == len(expected)
    assert len(requests) <= len(expected) + 2  # at most the 2 files in flight at the kill


def test_bad_arguments_are_refused_before_any_task(dask_client: distributed.Client) -> None:
    with pytest.raises(InvalidArgumentError, match="HarvestPlan"):
        harvest(dask_client, [], "out")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="retries"):
        harvest(dask_client, HarvestPlan(()), "out", retries=-1)
    with pytest.raises(InvalidArgumentError, match="outside"):
        harvest(dask_client, HarvestPlan(()), "out", shards=0)


async def test_a_harvest_that_times_out_stops_its_workers_downloads(
    fake_factory: FakeFactory, dask_client: distributed.Client, tmp_path: Path
) -> None:
    fake = await fake_factory(token=TOKEN)
    workflow_id, expected = workflow(fake, per_job=60)
    plan = await plan_of(fake, workflow_id)
    fake.faults.delay(0.5, times=FOREVER, origin="storage")  # slowed storage: 2 files/s a slot
    with pytest.raises(TimeoutError):
        await asyncio.to_thread(
            harvest,
            dask_client,
            plan,
            tmp_path / "out",
            workers=on_workers(fake),
            shards=2,
            timeout=8,
            concurrency=2,
        )
    at_timeout = len(fetched(fake))
    await asyncio.sleep(3)  # the workers' window to go on (they did for 2-8 s before)
    after = len(fetched(fake)) - at_timeout
    print(f"\n{at_timeout} downloads before the timeout, {after} in the 3 s after it")
    assert 0 < at_timeout < len(expected)
    assert after <= 4, f"{after} downloads started after the harvest timed out"
