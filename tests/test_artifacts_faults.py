"""Every way a file can fail, reported per file, with nothing half-written under a final name."""

from __future__ import annotations

from pathlib import Path

import aiohttp
from aiohttp import web

from circleci_async import RetryPolicy
from circleci_async.artifacts import (
    DestinationError,
    IncompleteDownloadError,
    Outcome,
    RefusedURLError,
)
from circleci_async.errors import NotFoundError, PermissionDeniedError, ServerError
from circleci_async.models import Artifact
from circleci_async.testing import FakeCircleCI

from .artifacts_helpers import SLUG, Sleeps, add_job, client, downloads, files_under, sha256
from .scripted import scripted_server

KIB = 1024


async def test_a_body_cut_mid_way_resumes_with_range(fake: FakeCircleCI, tmp_path: Path) -> None:
    number = add_job(fake)
    artifact = fake.state.add_artifact(SLUG, number, "dist/app.tar", size=900 * KIB)
    fake.faults.disconnect(origin="storage", after_bytes=300 * KIB)
    sleeps = Sleeps()
    async with client(fake, sleeps) as circle:
        report = await circle.artifacts.download_job(SLUG, number, tmp_path)

    assert report.ok
    assert report.downloaded == 1
    assert sha256(tmp_path / "0/dist/app.tar") == artifact.sha256
    storage = [r for r in fake.requests if r.origin == "storage"]
    assert [r.fault for r in storage] == ["disconnect", None]
    assert "Range" not in storage[0].headers
    assert storage[1].headers["Range"] == f"bytes={300 * KIB}-"
    assert storage[1].status == 206
    assert len(sleeps.delays) == 1
    assert report.bytes == artifact.size
    assert list(files_under(tmp_path)) == ["0/dist/app.tar"]


async def test_a_stale_part_longer_than_the_file_is_restarted(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    artifact = fake.state.add_artifact(SLUG, number, "a.bin", size=10 * KIB)
    (tmp_path / "0").mkdir()
    (tmp_path / "0/a.bin.part").write_bytes(b"\0" * (20 * KIB))
    etag = f'"{artifact.id.replace("-", "")}"'
    (tmp_path / "0/a.bin.part.validator").write_text(etag)
    async with client(fake) as circle:
        report = await circle.artifacts.download_job(SLUG, number, tmp_path)
    assert report.ok
    assert sha256(tmp_path / "0/a.bin") == artifact.sha256
    statuses = [r.status for r in fake.requests if r.origin == "storage"]
    assert statuses == [416, 200]
    assert list(files_under(tmp_path)) == ["0/a.bin"]


async def test_a_part_without_a_validator_is_never_resumed(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    artifact = fake.state.add_artifact(SLUG, number, "a.bin", size=10 * KIB)
    (tmp_path / "0").mkdir()
    (tmp_path / "0/a.bin.part").write_bytes(b"\0" * (4 * KIB))
    async with client(fake) as circle:
        report = await circle.artifacts.download_job(SLUG, number, tmp_path)
    assert report.ok
    assert sha256(tmp_path / "0/a.bin") == artifact.sha256
    storage = [r for r in fake.requests if r.origin == "storage"]
    assert [r.status for r in storage] == [200]
    assert "Range" not in storage[0].headers


async def test_a_server_that_ignores_range_makes_the_file_start_again(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    body = bytes(range(256)) * 400
    ranges: list[str | None] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        ranges.append(request.headers.get("Range"))
        response = web.StreamResponse(headers={"Content-Length": str(len(body)), "ETag": '"v1"'})
        await response.prepare(request)
        if len(ranges) == 1:
            await response.write(body[:5000])
            assert request.transport is not None
            request.transport.close()
            return response
        await response.write(body)
        return response

    async with scripted_server(handler) as base, client(fake) as circle:
        url = base.replace("/api/v2", "/0/blob.bin")
        report = await circle.artifacts.download(
            [Artifact(path="blob.bin", node_index=0, url=url)], tmp_path
        )
    assert report.ok
    assert (tmp_path / "0/blob.bin").read_bytes() == body
    assert ranges == [None, "bytes=5000-"]


async def test_a_body_short_on_every_attempt_fails_with_only_a_part_file(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    fake.state.add_artifact(SLUG, number, "big.bin", size=100 * KIB)
    fake.faults.disconnect(times=10, origin="storage", after_bytes=1000)
    async with client(fake, retry=RetryPolicy(attempts=3, base_delay=0.01)) as circle:
        report = await circle.artifacts.download_job(SLUG, number, tmp_path)

    assert not report.ok
    assert report.failed == 1
    (failure,) = report.failures
    assert isinstance(failure.error, IncompleteDownloadError)
    assert (failure.error.received, failure.error.expected) == (3000, 100 * KIB)
    assert "the body ended after 3000 of 102400 bytes" in str(failure.error)
    assert failure.target == "0/big.bin"
    assert list(files_under(tmp_path)) == ["0/big.bin.part", "0/big.bin.part.validator"]
    assert (tmp_path / "0/big.bin.part").stat().st_size == 3000


async def test_a_job_that_does_not_exist_is_a_listing_failure(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    add_job(fake)
    async with client(fake) as circle:
        report = await circle.artifacts.download_job(SLUG, 999, tmp_path)
    assert not report.ok
    assert report.listed == report.failed == 0
    (failure,) = report.listing_failures
    assert failure.source == f"the artifacts of job 999 of {SLUG}"
    assert isinstance(failure.error, NotFoundError)
    assert "1 list(s) could not be read" in report.summary()
    assert files_under(tmp_path) == {}


async def test_a_job_without_artifacts_is_an_empty_success(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    async with client(fake) as circle:
        report = await circle.artifacts.download_job(SLUG, number, tmp_path / "out")
    assert report.ok
    assert (report.listed, report.downloaded, report.files) == (0, 0, ())
    assert not (tmp_path / "out").exists()


async def test_urls_that_answer_404_or_403_fail_one_file_each(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    for name in ("a", "b", "c"):
        fake.state.add_artifact(SLUG, number, f"{name}.txt", name.encode())
    fake.faults.error(404, origin="artifacts", body={"message": "Artifact not found"})
    fake.faults.error(
        403,
        origin="storage",
        content_type="application/xml",
        body="<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
    )
    async with client(fake) as circle:
        report = await circle.artifacts.download_job(SLUG, number, tmp_path, concurrency=1)

    assert (report.downloaded, report.failed) == (1, 2)
    first, second = report.failures
    assert isinstance(first.error, NotFoundError)
    assert first.target == "0/a.txt"
    assert "Artifact not found" in str(first.error)
    assert isinstance(second.error, PermissionDeniedError)
    assert "Request has expired" in str(second.error)
    assert "after a redirect" in str(second.error)
    assert list(files_under(tmp_path)) == ["0/c.txt"]


async def test_server_errors_are_retried_with_the_injected_sleep(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    fake.state.add_artifact(SLUG, number, "a.txt", b"payload")
    fake.faults.error(503, origin="storage", headers={"Retry-After": "7"})
    fake.faults.error(500, origin="artifacts")
    sleeps = Sleeps()
    async with client(fake, sleeps) as circle:
        report = await circle.artifacts.download_job(SLUG, number, tmp_path)
    assert report.ok
    assert (tmp_path / "0/a.txt").read_bytes() == b"payload"
    assert len(sleeps.delays) == 2
    assert sleeps.delays[1] >= 7


async def test_server_errors_that_outlast_the_policy_fail_the_file(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    fake.state.add_artifact(SLUG, number, "a.txt", b"payload")
    fake.faults.error(502, times=5, origin="storage")
    async with client(fake, retry=RetryPolicy(attempts=2, base_delay=0.01)) as circle:
        report = await circle.artifacts.download_job(SLUG, number, tmp_path)
    (failure,) = report.failures
    assert isinstance(failure.error, ServerError)
    assert failure.error.status == 502
    assert files_under(tmp_path) == {}


async def test_a_folder_in_the_way_of_a_file_fails_that_file(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    fake.state.add_artifact(SLUG, number, "report", b"x")
    (tmp_path / "0/report").mkdir(parents=True)
    async with client(fake) as circle:
        report = await circle.artifacts.download_job(SLUG, number, tmp_path)
    (failure,) = report.failures
    assert isinstance(failure.error, DestinationError)
    assert "something other than a file" in str(failure.error)
    assert downloads(fake) == []


async def test_redirects_to_other_schemes_or_without_end_are_refused(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    fake.state.add_artifact(SLUG, number, "a.txt", b"x")
    fake.faults.error(302, origin="artifacts", headers={"Location": "file:///etc/passwd"})

    async def loop(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(location=str(request.rel_url))

    async with scripted_server(loop) as base, client(fake) as circle:
        first = await circle.artifacts.download_job(SLUG, number, tmp_path)
        url = base.replace("/api/v2", "/loop")
        second = await circle.artifacts.download(
            [Artifact(path="b.txt", node_index=0, url=url)], tmp_path
        )
    (refused,) = first.failures
    assert isinstance(refused.error, RefusedURLError)
    assert "not an http(s) URL: 'file:///etc/passwd'" in str(refused.error)
    (looping,) = second.failures
    assert isinstance(looping.error, RefusedURLError)
    assert "more than 5 redirects" in str(looping.error)
    assert files_under(tmp_path) == {}


async def test_fail_fast_stops_at_the_first_failure(fake: FakeCircleCI, tmp_path: Path) -> None:
    number = add_job(fake)
    for i in range(10):
        fake.state.add_artifact(SLUG, number, f"f{i}.txt", b"x")
    fake.faults.error(404, origin="artifacts")
    async with client(fake) as circle:
        stopped = await circle.artifacts.download_job(
            SLUG, number, tmp_path / "fast", concurrency=1, fail_fast=True
        )
        fake.faults.error(404, origin="artifacts")
        carried_on = await circle.artifacts.download_job(
            SLUG, number, tmp_path / "slow", concurrency=1
        )
    assert stopped.stopped_early
    assert not stopped.ok
    assert (stopped.downloaded, stopped.failed) == (0, 1)
    assert "stopped at the first failure" in stopped.summary()
    assert files_under(tmp_path / "fast") == {}
    assert (carried_on.downloaded, carried_on.failed, carried_on.stopped_early) == (9, 1, False)
    assert {f.outcome for f in carried_on.files} == {Outcome.DOWNLOADED, Outcome.FAILED}


async def test_fail_fast_also_stops_at_a_listing_failure(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    pipeline = fake.state.add_pipeline(SLUG)
    workflow = fake.state.add_workflow(pipeline.id)
    job = fake.state.add_job(workflow.id)
    assert job.number is not None
    fake.state.add_artifact(SLUG, job.number, "a.txt", b"x")
    fake.faults.error(500, times=10, operation="listWorkflowJobs")
    async with client(fake, retry=RetryPolicy(attempts=2, base_delay=0.01)) as circle:
        report = await circle.artifacts.download_workflow(workflow.id, tmp_path, fail_fast=True)
    assert report.stopped_early
    assert report.listed == 0
    (failure,) = report.listing_failures
    assert failure.source == f"the jobs of workflow {workflow.id}"
    assert isinstance(failure.error, ServerError)


async def test_a_stalled_answer_times_out_per_read_and_is_retried(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    fake.state.add_artifact(SLUG, number, "a.bin", size=1000)
    fake.faults.delay(5.0, origin="storage")
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=5, sock_read=0.2)
    async with client(fake, timeout=timeout) as circle:
        report = await circle.artifacts.download_job(SLUG, number, tmp_path)
    assert report.ok
    assert [r.origin for r in downloads(fake)] == ["artifacts", "storage"] * 2


async def test_a_download_may_outlast_the_clients_total_timeout(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    artifact = fake.state.add_artifact(SLUG, number, "slow.bin", size=1000)
    fake.faults.delay(0.3, origin="artifacts")
    fake.faults.delay(0.3, origin="storage")
    async with client(fake, timeout=0.5) as circle:
        report = await circle.artifacts.download_job(SLUG, number, tmp_path)
    assert report.ok, report.failures
    assert report.seconds > 0.5
    assert (tmp_path / "0/slow.bin").read_bytes() == artifact.read()


async def test_redirects_with_a_body_keep_their_connection_for_the_next_file(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    peers: set[object] = set()

    async def handler(request: web.Request) -> web.StreamResponse:
        assert request.transport is not None
        peers.add(request.transport.get_extra_info("peername"))
        if request.path.startswith("/artifact/"):
            name = request.path.rsplit("/", 1)[-1]
            return web.Response(status=302, text="Found", headers={"Location": f"/blob/{name}"})
        return web.Response(body=request.path.encode())

    async with scripted_server(handler) as base, client(fake) as circle:
        root = base.removesuffix("/api/v2")
        artifacts = [
            Artifact(path=f"{i}.txt", node_index=0, url=f"{root}/artifact/{i}.txt")
            for i in range(5)
        ]
        report = await circle.artifacts.download(artifacts, tmp_path, concurrency=1)
    assert report.downloaded == 5
    assert (tmp_path / "0/3.txt").read_bytes() == b"/blob/3.txt"
    assert len(peers) == 1
