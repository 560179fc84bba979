"""The harvester over loopback: many files, layouts, selection, laziness, progress."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from circleci_async.artifacts import ArtifactRef, ArtifactsService, Outcome, Progress
from circleci_async.errors import ConfigurationError, InvalidArgumentError
from circleci_async.models import Artifact
from circleci_async.testing import FakeCircleCI

from .artifacts_helpers import SLUG, add_job, client, downloads, files_under, sha256
from .conftest import FakeFactory

MIB = 1 << 20


@pytest.mark.slow
async def test_a_thousand_small_files_and_a_few_large_ones_arrive_byte_exact(
    fake_factory: FakeFactory, tmp_path: Path
) -> None:
    fake = await fake_factory(page_size=100)
    number = add_job(fake)
    small = [
        fake.state.add_artifact(SLUG, number, f"reports/{i % 10}/r{i}.xml", size=200 + i)
        for i in range(1000)
    ]
    large = [
        fake.state.add_artifact(SLUG, number, f"dist/big-{i}.bin", size=(6 + i) * MIB)
        for i in range(3)
    ]
    async with client(fake) as circle:
        report = await circle.artifacts.download_job(SLUG, number, tmp_path, concurrency=16)

    assert report.ok, report.summary()
    assert (report.listed, report.downloaded, report.skipped, report.failed) == (1003, 1003, 0, 0)
    expected_bytes = sum(a.size for a in small + large)
    assert report.bytes == expected_bytes
    assert sum(f.size for f in report.files) == expected_bytes
    on_disk = files_under(tmp_path)
    assert len(on_disk) == 1003
    for artifact in small + large:
        assert sha256(on_disk[f"0/{artifact.path}"]) == artifact.sha256
    assert not fake.storage_saw_token


async def test_a_second_run_skips_every_file_after_a_one_byte_size_check(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    for i in range(30):
        fake.state.add_artifact(SLUG, number, f"out/{i}.txt", size=5000)
    async with client(fake) as circle:
        first = await circle.artifacts.download_job(SLUG, number, tmp_path)
        sent = len(downloads(fake))
        second = await circle.artifacts.download_job(SLUG, number, tmp_path)

    assert first.downloaded == 30
    assert sent == 60
    assert (second.downloaded, second.skipped, second.failed) == (0, 30, 0)
    assert {f.outcome for f in second.files} == {Outcome.SKIPPED}
    assert all(f.size == 5000 for f in second.files)
    checks = [r for r in downloads(fake)[sent:] if r.origin == "storage"]
    assert len(checks) == 30
    assert {(r.headers.get("Range"), r.status) for r in checks} == {("bytes=0-0", 206)}
    assert second.bytes == 0


async def test_overwrite_downloads_complete_files_again(fake: FakeCircleCI, tmp_path: Path) -> None:
    number = add_job(fake)
    artifact = fake.state.add_artifact(SLUG, number, "a.txt", b"fresh")
    (tmp_path / "0").mkdir()
    (tmp_path / "0" / "a.txt").write_bytes(b"stale")
    async with client(fake) as circle:
        kept = await circle.artifacts.download_job(SLUG, number, tmp_path)
        assert (tmp_path / "0" / "a.txt").read_bytes() == b"stale"
        replaced = await circle.artifacts.download_job(SLUG, number, tmp_path, overwrite=True)
    assert (kept.skipped, replaced.downloaded) == (1, 1)
    assert (tmp_path / "0" / "a.txt").read_bytes() == artifact.read() == b"fresh"


async def test_parallel_nodes_storing_one_path_never_overwrite_each_other(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    for node in range(3):
        fake.state.add_artifact(
            SLUG, number, "out/result.txt", f"node {node}".encode(), node_index=node
        )
    async with client(fake) as circle:
        report = await circle.artifacts.download_job(SLUG, number, tmp_path)
    assert report.downloaded == 3
    for node in range(3):
        assert (tmp_path / str(node) / "out/result.txt").read_bytes() == f"node {node}".encode()


async def test_a_workflow_harvest_gives_each_job_its_own_folder(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    pipeline = fake.state.add_pipeline(SLUG)
    workflow = fake.state.add_workflow(pipeline.id)
    build = fake.state.add_job(workflow.id, name="build")
    unit = fake.state.add_job(workflow.id, name="test/unit")
    fake.state.add_job(workflow.id, name="hold", type="approval", status="on_hold")
    assert build.number is not None
    assert unit.number is not None
    fake.state.add_artifact(SLUG, build.number, "log.txt", b"build log")
    fake.state.add_artifact(SLUG, unit.number, "log.txt", b"unit log")
    fake.state.add_artifact(SLUG, unit.number, "log.txt", b"unit log, node 1", node_index=1)
    async with client(fake) as circle:
        report = await circle.artifacts.download_workflow(workflow.id, tmp_path)
    assert report.ok
    assert report.downloaded == 3
    assert {key: path.read_bytes() for key, path in files_under(tmp_path).items()} == {
        f"{build.number}-build/0/log.txt": b"build log",
        f"{unit.number}-test_unit/0/log.txt": b"unit log",
        f"{unit.number}-test_unit/1/log.txt": b"unit log, node 1",
    }
    assert {f.job_number for f in report.files} == {build.number, unit.number}


async def test_a_pipeline_harvest_covers_every_workflow(fake: FakeCircleCI, tmp_path: Path) -> None:
    pipeline = fake.state.add_pipeline(SLUG)
    numbers = []
    for name in ("build", "deploy"):
        workflow = fake.state.add_workflow(pipeline.id, name=name)
        job = fake.state.add_job(workflow.id, name=name)
        assert job.number is not None
        numbers.append(job.number)
        fake.state.add_artifact(SLUG, job.number, "out.bin", name.encode())
    async with client(fake) as circle:
        report = await circle.artifacts.download_pipeline(pipeline.id, tmp_path)
    assert report.downloaded == 2
    assert sorted(files_under(tmp_path)) == [
        f"{numbers[0]}-build/0/out.bin",
        f"{numbers[1]}-deploy/0/out.bin",
    ]


async def test_download_takes_refs_plain_artifacts_and_async_iterables(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    first, second = add_job(fake, "one"), add_job(fake, "two")
    fake.state.add_artifact(SLUG, first, "a.txt", b"first")
    fake.state.add_artifact(SLUG, second, "a.txt", b"second")
    async with client(fake) as circle:
        listed = await circle.jobs.artifacts(SLUG, first).collect()
        refs = [
            ArtifactRef(a, SLUG, second, "two") async for a in circle.jobs.artifacts(SLUG, second)
        ]
        from_refs = await circle.artifacts.download(refs, tmp_path / "refs")
        from_plain = await circle.artifacts.download(listed, tmp_path / "plain")
        from_pages = await circle.artifacts.download(
            circle.jobs.artifacts(SLUG, first), tmp_path / "pages"
        )
        flat = await circle.artifacts.download(refs, tmp_path / "flat", by_job=False)

    assert [r.downloaded for r in (from_refs, from_plain, from_pages, flat)] == [1, 1, 1, 1]
    assert (tmp_path / f"refs/{second}-two/0/a.txt").read_bytes() == b"second"
    assert (tmp_path / "plain/0/a.txt").read_bytes() == b"first"
    assert (tmp_path / "pages/0/a.txt").read_bytes() == b"first"
    assert (tmp_path / "flat/0/a.txt").read_bytes() == b"second"


async def test_include_and_exclude_select_by_artifact_path(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    for path in ("junit/a.xml", "junit/deep/b.xml", "junit/c.log", "coverage/index.html", "x.xml"):
        fake.state.add_artifact(SLUG, number, path, path.encode())
    async with client(fake) as circle:
        report = await circle.artifacts.download_job(
            SLUG, number, tmp_path, include=["junit/*", "*.html"], exclude="*.log"
        )
    assert report.listed == report.downloaded == 3
    assert sorted(files_under(tmp_path)) == [
        "0/coverage/index.html",
        "0/junit/a.xml",
        "0/junit/deep/b.xml",
    ]
    assert len([r for r in fake.requests if r.origin == "artifacts"]) == 3


async def test_the_first_file_downloads_while_the_listing_is_still_going(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    real = fake.state.add_artifact(SLUG, number, "seed.bin", size=100)
    pulled = 0

    async def endless() -> AsyncIterator[Artifact]:
        nonlocal pulled
        for i in range(100_000):
            pulled += 1
            yield Artifact(path=f"copies/{i}.bin", node_index=0, url=fake.artifact_url(real))

    class FirstFileDone(Exception):
        pass

    seen: list[int] = []

    def stop_after_first(progress: Progress) -> None:
        if progress.done:
            seen.append(pulled)
            raise FirstFileDone

    async with client(fake) as circle:
        with pytest.raises(FirstFileDone):
            await circle.artifacts.download(
                endless(), tmp_path, concurrency=4, progress=stop_after_first
            )
    assert seen
    assert seen[0] <= 3 * 4 + 1, "the listing ran ahead of a bounded queue"
    complete = files_under(tmp_path)
    assert complete
    assert all(p.read_bytes() == real.read() for p in complete.values())


async def test_progress_counts_files_bytes_and_the_end_of_the_listing(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    for i in range(12):
        fake.state.add_artifact(SLUG, number, f"f{i}", size=1000 * (i + 1))
    fake.state.add_artifact(SLUG, number, "/etc/passwd", b"x")
    snapshots: list[Progress] = []
    async with client(fake) as circle:
        report = await circle.artifacts.download_job(
            SLUG, number, tmp_path, concurrency=3, progress=snapshots.append
        )
    last = snapshots[-1]
    assert (last.listed, last.done, last.downloaded, last.failed) == (13, 13, 12, 1)
    assert last.listing_done
    assert last.bytes == report.bytes == 78_000
    assert last.rate >= 0
    assert last.elapsed >= 0
    dones = [s.done for s in snapshots]
    assert dones == sorted(dones)
    assert len(snapshots) >= 13
    assert any(s.listing_done for s in snapshots)


async def test_keep_failed_keeps_only_failures_but_every_count(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    for i in range(5):
        fake.state.add_artifact(SLUG, number, f"ok{i}", b"x")
    fake.state.add_artifact(SLUG, number, "../escape", b"x")
    async with client(fake) as circle:
        report = await circle.artifacts.download_job(SLUG, number, tmp_path, keep="failed")
    assert (report.listed, report.downloaded, report.failed) == (6, 5, 1)
    assert [f.path for f in report.files] == ["../escape"]
    assert "5 downloaded, 0 skipped, 1 failed of 6 files" in report.summary()


async def test_bad_options_and_arguments_are_refused_before_any_request(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    async with client(fake) as circle:
        with pytest.raises(InvalidArgumentError, match="concurrency"):
            await circle.artifacts.download_job(SLUG, 1, tmp_path, concurrency=0)
        with pytest.raises(InvalidArgumentError, match="unknown download option"):
            await circle.artifacts.download_job(SLUG, 1, tmp_path, colour=True)  # type: ignore[call-arg]
        with pytest.raises(InvalidArgumentError, match="keep"):
            await circle.artifacts.download_job(SLUG, 1, tmp_path, keep="some")  # type: ignore[arg-type]
        with pytest.raises(InvalidArgumentError, match="malformed project slug"):
            await circle.artifacts.download_job("acme/widgets", 1, tmp_path)
        with pytest.raises(InvalidArgumentError, match="job_number"):
            await circle.artifacts.download_job(SLUG, -1, tmp_path)
        with pytest.raises(InvalidArgumentError, match="workflow_id"):
            await circle.artifacts.download_workflow("", tmp_path)
    assert fake.requests == []


def test_the_digest_helper_matches_hashlib(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"abc" * 1000)
    assert sha256(path) == hashlib.sha256(b"abc" * 1000).hexdigest()


async def test_durable_syncs_each_file_and_its_folder_off_the_event_loop(
    fake: FakeCircleCI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = add_job(fake)
    for i in range(3):
        fake.state.add_artifact(SLUG, number, f"{i}.txt", b"data")
    synced: list[int] = []
    threads: set[int] = set()
    real_fsync = os.fsync

    def fsync(descriptor: int) -> None:
        synced.append(descriptor)
        threads.add(threading.get_ident())
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", fsync)
    async with client(fake) as circle:
        plain = await circle.artifacts.download_job(SLUG, number, tmp_path / "plain")
        assert synced == []
        durable = await circle.artifacts.download_job(SLUG, number, tmp_path / "d", durable=True)
    assert plain.downloaded == durable.downloaded == 3
    assert len(synced) == 6
    assert threading.get_ident() not in threads


async def test_the_service_refuses_bad_configuration(fake: FakeCircleCI) -> None:
    with pytest.raises(ConfigurationError, match="max_redirects"):
        ArtifactsService(client(fake).core, max_redirects=-1)
    with pytest.raises(ConfigurationError, match="artifact host"):
        client(fake, artifact_hosts=["*"])
    service = ArtifactsService(client(fake).core, artifact_hosts="files.example.com")
    assert "files.example.com" in repr(service)
    assert fake.token not in repr(service)


async def test_download_refuses_items_that_are_not_artifacts(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    async with client(fake) as circle:
        with pytest.raises(TypeError, match="expected an Artifact or ArtifactRef, not str"):
            await circle.artifacts.download(["a.txt"], tmp_path)  # type: ignore[list-item]
