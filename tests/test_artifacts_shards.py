"""Harvest plans as data, shards by path hash, and merged reports."""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

from circleci_async.artifacts import (
    ArtifactRef,
    FileResult,
    HarvestPlan,
    ListingFailure,
    UnsafePathError,
    merge_reports,
    shard_index,
)
from circleci_async.cli import main
from circleci_async.errors import InvalidArgumentError, NotFoundError, RateLimitError
from circleci_async.models import Artifact
from circleci_async.testing import FakeCircleCI

from .artifacts_helpers import SLUG, client, downloads, files_under, sha256


def workflow_with_files(fake: FakeCircleCI, per_job: int = 12) -> tuple[str, dict[str, str]]:
    """A workflow of three jobs (one with two nodes); its id and every file's expected digest."""
    pipeline = fake.state.add_pipeline(SLUG)
    workflow = fake.state.add_workflow(pipeline.id)
    expected: dict[str, str] = {}
    for name, nodes in (("build", 1), ("test", 2), ("lint", 1)):
        job = fake.state.add_job(workflow.id, name=name)
        assert job.number is not None
        for node in range(nodes):
            for i in range(per_job):
                path = f"out/{i}.txt"
                size = 300 + i
                made = fake.state.add_artifact(SLUG, job.number, path, size=size, node_index=node)
                expected[f"{job.number}-{name}/{node}/{path}"] = made.sha256
    return workflow.id, expected


def digests(root: Path) -> dict[str, str]:
    return {key: sha256(path) for key, path in files_under(root).items()}


def files_of(results: Iterable[FileResult]) -> set[tuple[str | None, str, int]]:
    return {(f.target, f.outcome.value, f.size) for f in results}


async def test_shards_of_a_workflow_write_every_file_once_and_merge_into_one_report(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    workflow_id, expected = workflow_with_files(fake)
    async with client(fake) as circle:
        whole = await circle.artifacts.download_workflow(workflow_id, tmp_path / "whole")
        sharded = tmp_path / "sharded"
        parts = [
            await circle.artifacts.download_workflow(workflow_id, sharded, shard=(i, 3))
            for i in range(3)
        ]
    assert digests(tmp_path / "whole") == expected
    assert digests(tmp_path / "sharded") == expected
    assert all(part.listed > 0 for part in parts)
    merged = merge_reports(parts)
    assert (merged.listed, merged.downloaded, merged.failed, merged.bytes) == (
        whole.listed,
        whole.downloaded,
        whole.failed,
        whole.bytes,
    )
    assert files_of(merged.files) == files_of(whole.files)
    fetched = [r.path for r in downloads(fake) if r.origin == "artifacts"]
    assert len(fetched) == 2 * len(expected)  # once by the whole harvest, once by the shards


async def test_a_plan_pickles_shards_and_downloads_like_a_listing(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    workflow_id, expected = workflow_with_files(fake, per_job=5)
    async with client(fake) as circle:
        plan = await circle.artifacts.plan_workflow(workflow_id)
        assert len(plan) == len(expected)
        again = pickle.loads(pickle.dumps(plan))
        assert again == plan
        shards = again.shards(4)
        assert [s.refs for s in shards] == [plan.shard(i, 4).refs for i in range(4)]
        urls = sorted(r.artifact.url for s in shards for r in s if isinstance(r, ArtifactRef))
        assert urls == sorted(r.artifact.url for r in plan if isinstance(r, ArtifactRef))
        reports = [await circle.artifacts.download(s, tmp_path) for s in shards]
    assert digests(tmp_path) == expected
    assert merge_reports(reports).downloaded == len(expected)


async def test_a_job_plan_and_a_sharded_job_download(fake: FakeCircleCI, tmp_path: Path) -> None:
    pipeline = fake.state.add_pipeline(SLUG)
    workflow = fake.state.add_workflow(pipeline.id)
    job = fake.state.add_job(workflow.id, name="build")
    assert job.number is not None
    for i in range(10):
        fake.state.add_artifact(SLUG, job.number, f"f{i}.bin", size=100)
    async with client(fake) as circle:
        plan = await circle.artifacts.plan_job(SLUG, job.number)
        assert not plan.by_job
        first = await circle.artifacts.download_job(SLUG, job.number, tmp_path, shard=(0, 2))
        second = await circle.artifacts.download(plan, tmp_path, shard=(1, 2))
    assert first.listed + second.listed == 10
    assert first.listed == len(plan.shard(0, 2))
    assert sorted(files_under(tmp_path)) == sorted(f"0/f{i}.bin" for i in range(10))


async def test_branch_and_pipeline_plans(fake: FakeCircleCI) -> None:
    pipeline = fake.state.add_pipeline(SLUG, branch="main")
    workflow = fake.state.add_workflow(pipeline.id)
    job = fake.state.add_job(workflow.id, name="build")
    assert job.number is not None
    fake.state.add_artifact(SLUG, job.number, "a.txt", b"a")
    async with client(fake) as circle:
        by_branch = await circle.artifacts.plan_branch(SLUG, "main")
        by_pipeline = await circle.artifacts.plan_pipeline(pipeline.id)
        nothing = await circle.artifacts.plan_branch(SLUG, "no-such-branch")
    assert by_branch == by_pipeline
    assert [r.artifact.path for r in by_branch if isinstance(r, ArtifactRef)] == ["a.txt"]
    assert not nothing.refs
    assert "no pipeline on branch 'no-such-branch'" in str(nothing.listing_failures[0].error)


async def test_every_shard_reports_a_listing_failure_and_the_merge_keeps_one(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    async with client(fake) as circle:
        plan = await circle.artifacts.plan_job(SLUG, 999)
        reports = [await circle.artifacts.download(s, tmp_path) for s in plan.shards(2)]
    assert all(len(r.listing_failures) == 1 and not r.ok for r in reports)
    merged = merge_reports(reports)
    assert len(merged.listing_failures) == 1
    assert isinstance(merged.listing_failures[0].error, NotFoundError)
    assert not merged.ok


@pytest.mark.slow
def test_the_split_is_the_same_in_another_process_with_another_hash_seed() -> None:
    keys = [f"{n}/{n % 3}/reports/r{n}.xml" for n in range(200)]
    here = [shard_index(key, 7) for key in keys]
    code = (
        "import sys, json; from circleci_async.artifacts import shard_index; "
        "print(json.dumps([shard_index(k, 7) for k in json.loads(sys.argv[1])]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run(
        [sys.executable, "-c", code, json.dumps(keys)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    )
    assert json.loads(done.stdout) == here
    assert set(here) == set(range(7))


def test_refs_that_land_on_one_file_share_a_shard() -> None:
    def ref(url: str, job_name: str | None) -> ArtifactRef:
        artifact = Artifact(path="a/b.txt", node_index=1, url=url)
        return ArtifactRef(artifact, SLUG, 42, job_name)

    plan = HarvestPlan((ref("https://x/1", "build"), ref("https://x/2", None)))
    for count in range(1, 9):
        assert len({plan.shard_of(r, count) for r in plan}) == 1


@pytest.mark.parametrize(
    ("shard", "message"),
    [
        ((2, 2), "outside 0 <= index < count"),
        ((-1, 2), "outside 0 <= index < count"),
        ((0, 0), "outside 0 <= index < count"),
        ("0/2", r"pair \(index, count\)"),
        ((True, 2), r"pair \(index, count\)"),
        ((0, 2, 1), r"pair \(index, count\)"),
    ],
)
async def test_a_bad_shard_is_refused_before_any_request(
    fake: FakeCircleCI, tmp_path: Path, shard: object, message: str
) -> None:
    async with client(fake) as circle:
        with pytest.raises(InvalidArgumentError, match=message):
            await circle.artifacts.download_job(SLUG, 1, tmp_path, shard=shard)  # type: ignore[arg-type]
        with pytest.raises(InvalidArgumentError, match=message):
            await circle.artifacts.download([], tmp_path, shard=shard)  # type: ignore[arg-type]
    assert fake.requests == []


def test_errors_in_reports_survive_pickling() -> None:
    errors = [
        UnsafePathError("../x", "it climbs out"),
        RateLimitError(429, "slow down", method="GET", url="https://h/x", retry_after=3.0),
    ]
    for error in errors:
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error)
        assert str(again) == str(error)
        assert vars(again) == vars(error)
    failure = ListingFailure("the artifacts of job 1", errors[1])
    assert pickle.loads(pickle.dumps(failure)).error.retry_after == 3.0


async def test_cli_shards_split_a_job_and_a_shard_outside_the_range_is_a_usage_error(
    fake: FakeCircleCI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pipeline = fake.state.add_pipeline(SLUG)
    workflow = fake.state.add_workflow(pipeline.id)
    job = fake.state.add_job(workflow.id, name="build")
    assert job.number is not None
    for i in range(8):
        fake.state.add_artifact(SLUG, job.number, f"f{i}.txt", b"x" * i)
    common = [
        "artifacts", "download", SLUG, "--job", str(job.number), "--dest", str(tmp_path),
        "--base-url", fake.base_url, "--token", fake.token, "--artifact-host", "localhost",
    ]  # fmt: skip
    for index in range(2):
        assert await asyncio.to_thread(main, [*common, "--shard", f"{index}/2"]) == 0
    assert sorted(files_under(tmp_path)) == sorted(f"0/f{i}.txt" for i in range(8))
    capsys.readouterr()
    for bad in ("2/2", "-1/2", "1/0", "1", "a/b"):
        assert main([*common, "--shard", bad]) == 2
        err = capsys.readouterr().err
        assert "--shard" in err
        assert len(err.splitlines()) == 1
