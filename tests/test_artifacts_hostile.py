"""Harvest holes a hostile server could use: changed content, odd names, duplicates, ports."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from circleci_async import CircleCI, RetryPolicy
from circleci_async.artifacts import DuplicatePathError, UnsafePathError
from circleci_async.errors import TransportError
from circleci_async.models import Artifact
from circleci_async.testing import FakeCircleCI

from .artifacts_helpers import SLUG, Sleeps, add_job, client, files_under, sha256
from .clock import SteppingClock
from .scripted import scripted_server

KIB = 1024


async def test_a_resume_after_the_content_changed_restarts_instead_of_stitching(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    artifact = fake.state.add_artifact(SLUG, number, "app.bin", size=200 * KIB)
    fake.faults.disconnect(origin="storage", after_bytes=50 * KIB)
    async with client(fake, retry=RetryPolicy(attempts=1)) as circle:
        first = await circle.artifacts.download_job(SLUG, number, tmp_path)
    assert not first.ok
    assert (tmp_path / "0/app.bin.part").stat().st_size == 50 * KIB
    new = bytes(range(256)) * 600
    fake.faults.change_artifact(artifact, new)
    async with client(fake) as circle:
        second = await circle.artifacts.download_job(SLUG, number, tmp_path)
    assert second.ok
    assert (tmp_path / "0/app.bin").read_bytes() == new
    resumed = [r for r in fake.requests if r.origin == "storage"][-1]
    assert resumed.headers["Range"] == f"bytes={50 * KIB}-"
    assert resumed.headers["If-Range"].startswith('"')
    assert resumed.status == 200
    assert sorted(files_under(tmp_path)) == ["0/app.bin"]


async def test_an_unchanged_file_resumes_with_if_range(fake: FakeCircleCI, tmp_path: Path) -> None:
    number = add_job(fake)
    artifact = fake.state.add_artifact(SLUG, number, "app.bin", size=200 * KIB)
    fake.faults.disconnect(origin="storage", after_bytes=50 * KIB)
    async with client(fake) as circle:
        report = await circle.artifacts.download_job(SLUG, number, tmp_path)
    assert report.ok
    assert sha256(tmp_path / "0/app.bin") == artifact.sha256
    storage = [r for r in fake.requests if r.origin == "storage"]
    assert [r.status for r in storage] == [200, 206]
    assert "If-Range" in storage[1].headers


async def test_names_with_control_characters_are_refused(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    for name in ("bad\nname.txt", "cr\rname.txt", "esc\x1b[31m.txt"):
        fake.state.add_artifact(SLUG, number, name, b"x")
    fake.state.add_artifact(SLUG, number, "good.txt", b"fine")
    async with client(fake) as circle:
        report = await circle.artifacts.download_job(SLUG, number, tmp_path)
    failed = [f for f in report.files if f.error is not None]
    assert len(failed) == 3
    assert all(isinstance(f.error, UnsafePathError) for f in failed)
    assert all("control character" in str(f.error) for f in failed)
    assert sorted(files_under(tmp_path)) == ["0/good.txt"]


async def test_one_path_listed_twice_with_different_content_is_a_conflict(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    first = fake.state.add_artifact(SLUG, number, "one/report.xml", b"<first/>")
    second = fake.state.add_artifact(SLUG, number, "two/report.xml", b"<second/>")
    same = [
        Artifact(path="report.xml", node_index=0, url=fake.artifact_url(first)),
        Artifact(path="report.xml", node_index=0, url=fake.artifact_url(second)),
        Artifact(path="report.xml", node_index=0, url=fake.artifact_url(first)),
    ]
    async with client(fake) as circle:
        report = await circle.artifacts.download(same, tmp_path, concurrency=1)
    assert not report.ok
    assert (report.downloaded, report.skipped, report.failed) == (1, 1, 1)
    conflict = next(f for f in report.files if f.error is not None)
    assert isinstance(conflict.error, DuplicatePathError)
    assert (tmp_path / "0/report.xml").read_bytes() == b"<first/>"


async def test_the_token_goes_to_the_api_origin_only_not_its_host_on_another_port(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    seen: list[str | None] = []

    async def other_port(request: web.Request) -> web.StreamResponse:
        seen.append(request.headers.get("Circle-Token"))
        return web.Response(body=b"data")

    async with scripted_server(other_port) as base:
        url = base.replace("/api/v2", "/file.txt")
        assert url.startswith("http://127.0.0.1:")
        refs = [Artifact(path="file.txt", node_index=0, url=url)]
        async with client(fake, artifact_hosts=()) as circle:
            report = await circle.artifacts.download(refs, tmp_path, by_job=False)
    assert report.ok
    assert seen == [None]


async def test_a_file_budget_bounds_the_retries_of_one_file(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    fake.state.add_artifact(SLUG, number, "a.txt", b"hello")
    fake.faults.error(503, times=10, headers={"Retry-After": "20"}, origin="storage")
    time = SteppingClock(start=0.0)
    async with CircleCI(
        fake.token,
        base_url=fake.base_url,
        clock=time,
        sleep=time.sleep,
        retry=RetryPolicy(attempts=10),
        artifact_hosts=["localhost"],
    ) as circle:
        report = await circle.artifacts.download_job(SLUG, number, tmp_path, file_budget=50.0)
    assert not report.ok
    assert time.sleeps == [20.0, 20.0]
    assert len([r for r in fake.requests if r.origin == "storage"]) == 3


async def test_too_many_open_files_is_not_retried(fake: FakeCircleCI, tmp_path: Path) -> None:
    number = add_job(fake)
    fake.state.add_artifact(SLUG, number, "a.txt", b"hello")
    sleeps = Sleeps()
    async with client(fake, sleeps) as circle:
        real = circle.core.downloads()
        attempts = 0

        def exhausted(*args: Any, **kwargs: Any) -> Any:
            nonlocal attempts
            attempts += 1
            raise aiohttp.ClientOSError(errno.EMFILE, "Too many open files")

        real.get = exhausted  # type: ignore[method-assign]
        report = await circle.artifacts.download(
            [Artifact(path="a.txt", node_index=0, url=fake.base_url + "/x")], tmp_path
        )
    assert attempts == 1
    assert sleeps.delays == []
    error = report.files[0].error
    assert isinstance(error, TransportError)
    assert "local resources exhausted" in str(error)
