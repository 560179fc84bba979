"""`circleci://` over loopback against the fake: listing, ranges, files, pandas, token rules."""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import AsyncIterator
from pathlib import Path

import fsspec
import pandas
import pytest

from circleci_async.integrations.fsspec import CircleCIFileSystem, ReadOnlyFileSystemError
from circleci_async.testing import FakeCircleCI

from .artifacts_helpers import SLUG, add_job

CSV = b"suite,passed,failed\nunit,120,3\nintegration,40,1\n"


@pytest.fixture
async def job(fake: FakeCircleCI) -> int:
    number = add_job(fake)
    fake.state.add_artifact(SLUG, number, "reports/summary.csv", CSV)
    fake.state.add_artifact(SLUG, number, "reports/deep/junit.xml", b"<testsuites/>")
    fake.state.add_artifact(SLUG, number, "dist/app.bin", size=700_000)
    fake.state.add_artifact(SLUG, number, "dist/app.bin", b"node one", node_index=1)
    return number


@pytest.fixture
async def fs(fake: FakeCircleCI) -> AsyncIterator[CircleCIFileSystem]:
    made = CircleCIFileSystem(
        token=fake.token,
        base_url=fake.base_url,
        artifact_hosts=["localhost"],
        asynchronous=True,
        skip_instance_cache=True,
    )
    yield made
    await made.close_session()


def storage_options(fake: FakeCircleCI) -> dict[str, object]:
    return {"token": fake.token, "base_url": fake.base_url, "artifact_hosts": ["localhost"]}


async def test_a_job_lists_as_folders_and_files(fs: CircleCIFileSystem, job: int) -> None:
    base = f"{SLUG}/{job}"
    assert sorted(await fs._ls(base, detail=False)) == [f"{base}/dist", f"{base}/reports"]
    listed = await fs._ls(f"circleci://{base}/reports")
    assert [(entry["name"], entry["type"]) for entry in listed] == [
        (f"{base}/reports/deep", "directory"),
        (f"{base}/reports/summary.csv", "file"),
    ]
    found = await fs._find(f"circleci://{base}")
    assert sorted(found) == [
        f"{base}/dist/app.bin",
        f"{base}/reports/deep/junit.xml",
        f"{base}/reports/summary.csv",
    ]
    assert await fs._glob(f"{base}/reports/**/*.xml") == [f"{base}/reports/deep/junit.xml"]


async def test_info_gives_the_size_and_ranges_read_only_what_is_asked(
    fake: FakeCircleCI, fs: CircleCIFileSystem, job: int
) -> None:
    path = f"circleci://{SLUG}/{job}/dist/app.bin"
    artifact = next(a for a in fake.state.artifacts.values() if a.path == "dist/app.bin")
    whole = artifact.blob.read()
    assert (await fs._info(path))["size"] == 700_000
    assert await fs._cat_file(path, 1000, 1010) == whole[1000:1010]
    assert await fs._cat_file(path, -5) == whole[-5:]
    assert await fs._cat_file(path, 10, 10) == b""
    ranges = [r.headers.get("Range") for r in fake.requests if r.origin == "storage"]
    assert "bytes=1000-1009" in ranges
    assert all(rng is not None for rng in ranges), "a whole file was fetched for a range"


async def test_the_token_never_reaches_the_storage_host(
    fake: FakeCircleCI, fs: CircleCIFileSystem, job: int
) -> None:
    assert await fs._cat_file(f"{SLUG}/{job}/reports/summary.csv") == CSV
    storage = [r for r in fake.requests if r.origin == "storage"]
    assert storage
    for request in storage:
        assert fake.token not in " ".join(request.headers.values())
    assert fake.token not in repr(fs)
    assert fake.token not in repr(vars(fs))


async def test_get_writes_the_file_whole_and_leaves_no_part(
    fs: CircleCIFileSystem, job: int, tmp_path: Path
) -> None:
    target = tmp_path / "summary.csv"
    await fs._get_file(f"{SLUG}/{job}/reports/summary.csv", str(target))
    assert target.read_bytes() == CSV
    assert os.listdir(tmp_path) == ["summary.csv"]


async def test_a_finished_jobs_listing_is_kept_a_running_jobs_is_not(
    fake: FakeCircleCI, fs: CircleCIFileSystem, job: int
) -> None:
    pipeline = fake.state.add_pipeline(SLUG)
    workflow = fake.state.add_workflow(pipeline.id)
    running = fake.state.add_job(workflow.id, status="running")
    assert running.number is not None
    fake.state.add_artifact(SLUG, running.number, "early.txt", b"1")

    def listings(number: int) -> int:
        return sum(
            1
            for r in fake.requests
            if r.operation_id == "getJobArtifacts" and f"/{number}/" in r.path
        )

    for _ in range(2):
        await fs._ls(f"{SLUG}/{job}")
        await fs._ls(f"{SLUG}/{running.number}")
    assert listings(job) == 1
    assert listings(running.number) == 2
    fake.state.add_artifact(SLUG, running.number, "late.txt", b"2")
    assert f"{SLUG}/{running.number}/late.txt" in await fs._ls(
        f"{SLUG}/{running.number}", detail=False
    )


async def test_a_project_lists_the_jobs_of_its_newest_pipelines(
    fs: CircleCIFileSystem, job: int
) -> None:
    assert f"{SLUG}/{job}" in await fs._ls(SLUG, detail=False)


async def test_bad_paths_raise_what_fsspec_users_expect(fs: CircleCIFileSystem, job: int) -> None:
    with pytest.raises(ValueError, match="name a project"):
        await fs._ls("gh/acme")
    with pytest.raises(FileNotFoundError, match="not a job number"):
        await fs._ls(f"{SLUG}/latest")
    with pytest.raises(FileNotFoundError, match="no such job"):
        await fs._ls(f"{SLUG}/99999")
    with pytest.raises(FileNotFoundError, match="no such artifact"):
        await fs._cat_file(f"{SLUG}/{job}/reports/missing.csv")
    with pytest.raises(ValueError, match=r"'\.\.'"):
        await fs._cat_file(f"{SLUG}/{job}/reports/../dist/app.bin")
    with pytest.raises(IsADirectoryError):
        await fs._cat_file(f"{SLUG}/{job}/reports")


async def test_writes_are_refused_as_read_only(fs: CircleCIFileSystem, job: int) -> None:
    with pytest.raises(ReadOnlyFileSystemError, match="read-only"):
        await fs._pipe_file(f"{SLUG}/{job}/new.txt", b"x")
    with pytest.raises(PermissionError):
        await fs._rm_file(f"{SLUG}/{job}/reports/summary.csv")
    with pytest.raises(PermissionError):
        fs.open(f"{SLUG}/{job}/new.txt", "wb")


def test_the_protocol_is_registered_through_the_entry_point() -> None:
    assert fsspec.get_filesystem_class("circleci") is CircleCIFileSystem


async def test_pandas_reads_a_csv_artifact_by_url(fake: FakeCircleCI, job: int) -> None:
    url = f"circleci://{SLUG}/{job}/reports/summary.csv"

    def read() -> pandas.DataFrame:
        try:
            return pandas.read_csv(url, storage_options=storage_options(fake))
        finally:
            fsspec.filesystem("circleci", **storage_options(fake)).close()

    frame = await asyncio.to_thread(read)
    assert list(frame.columns) == ["suite", "passed", "failed"]
    assert frame["failed"].sum() == 4


async def test_open_seeks_with_ranges(fake: FakeCircleCI, job: int) -> None:
    artifact = next(a for a in fake.state.artifacts.values() if a.path == "dist/app.bin")
    whole = artifact.blob.read()

    def read() -> bytes:
        fs = CircleCIFileSystem(skip_instance_cache=True, **storage_options(fake))  # type: ignore[arg-type]
        try:
            with fs.open(f"{SLUG}/{job}/dist/app.bin", block_size=4096) as file:
                assert isinstance(file, io.IOBase)
                file.seek(650_000)
                return bytes(file.read(100))
        finally:
            fs.close()

    assert await asyncio.to_thread(read) == whole[650_000:650_100]
    storage = [r for r in fake.requests if r.origin == "storage"]
    assert all(r.headers.get("Range") for r in storage)
