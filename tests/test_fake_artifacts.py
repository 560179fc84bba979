"""Artifact downloads: the artifacts origin, 302 to pre-signed storage, ranges, big files."""

from __future__ import annotations

import hashlib
import resource
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from yarl import URL

from circleci_async.testing import ArtifactRecord, Blob, FakeCircleCI
from circleci_async.testing.blobs import CHUNK_SIZE

from .clock import SteppingClock
from .conftest import Api, FakeFactory

SLUG = "gh/acme/widgets"
PAYLOAD = bytes(range(256)) * 40


def _job_number(fake: FakeCircleCI) -> int:
    pipeline = fake.state.add_pipeline(SLUG)
    workflow = fake.state.add_workflow(pipeline.id)
    job = fake.state.add_job(workflow.id, name="build")
    assert job.number is not None
    return job.number


def _artifact(fake: FakeCircleCI, path: str = "dist/app.bin", **kwargs: object) -> ArtifactRecord:
    number = _job_number(fake)
    data = kwargs.pop("data", PAYLOAD)
    return fake.state.add_artifact(SLUG, number, path, data, **kwargs)  # type: ignore[arg-type]


async def _location(
    fake: FakeCircleCI, http: aiohttp.ClientSession, artifact: ArtifactRecord
) -> str:
    url = fake.artifact_url(artifact)
    headers = {"Circle-Token": fake.token}
    async with http.get(url, headers=headers, allow_redirects=False) as response:
        assert response.status == 302
        return response.headers["Location"]


async def test_listed_url_redirects_to_presigned_storage(
    fake: FakeCircleCI, api: Api, http: aiohttp.ClientSession
) -> None:
    artifact = _artifact(fake, node_index=2)
    listed = await api.get(f"/project/{SLUG}/{artifact.job_number}/artifacts")
    (item,) = listed.json["items"]
    assert item == {"path": "dist/app.bin", "node_index": 2, "url": fake.artifact_url(artifact)}
    assert item["url"].startswith(
        fake.artifacts_url + f"/output/job/{artifact.job_id}/artifacts/2/"
    )
    assert urlsplit(item["url"]).hostname == "localhost"
    location = await _location(fake, http, artifact)
    assert location.startswith(fake.storage_url + "/")
    query = parse_qs(urlsplit(location).query)
    assert {"X-Amz-Signature", "X-Amz-Expires", "X-Amz-Date"} <= set(query)
    async with http.get(location) as response:
        assert response.status == 200
        assert response.headers["Content-Length"] == str(len(PAYLOAD))
        assert await response.read() == PAYLOAD
    assert [r.origin for r in fake.requests] == ["api", "artifacts", "storage"]
    assert not fake.storage_saw_token


async def test_storage_is_on_another_host(fake: FakeCircleCI) -> None:
    hosts = {
        urlsplit(url).hostname for url in (fake.base_url, fake.artifacts_url, fake.storage_url)
    }
    assert hosts == {"127.0.0.1", "localhost", "127.0.0.2"}


async def test_following_redirects_with_a_custom_header_leaks_the_token(
    fake: FakeCircleCI, http: aiohttp.ClientSession
) -> None:
    artifact = _artifact(fake)
    async with http.get(fake.artifact_url(artifact), headers={"Circle-Token": fake.token}) as r:
        assert r.status == 200
        assert await r.read() == PAYLOAD
    assert fake.storage_saw_token
    assert fake.requests[-1].headers["Circle-Token"] == fake.token


async def test_storage_refuses_an_authorization_header_like_s3(
    fake: FakeCircleCI, http: aiohttp.ClientSession
) -> None:
    location = await _location(fake, http, _artifact(fake))
    async with http.get(location, headers={"Authorization": "Bearer x"}) as response:
        assert response.status == 400
        assert b"<Code>InvalidArgument</Code>" in await response.read()
    assert fake.storage_saw_token


@pytest.mark.parametrize(
    "headers", [{}, {"Circle-Token": "wrong"}, {"Authorization": "Bearer wrong"}]
)
async def test_artifacts_origin_requires_the_token(
    fake: FakeCircleCI, http: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    artifact = _artifact(fake)
    async with http.get(fake.artifact_url(artifact), headers=headers) as response:
        assert response.status == 401
        assert await response.json() == {"message": "You must log in first."}


async def test_artifacts_origin_accepts_bearer_and_unknown_paths_are_404(
    fake: FakeCircleCI, http: aiohttp.ClientSession
) -> None:
    artifact = _artifact(fake)
    bearer = {"Authorization": f"Bearer {fake.token}"}
    async with http.get(fake.artifact_url(artifact), headers=bearer, allow_redirects=False) as r:
        assert r.status == 302
    async with http.get(fake.artifact_url(artifact) + ".nope", headers=bearer) as r:
        assert r.status == 404


async def test_html_is_served_directly(fake: FakeCircleCI, http: aiohttp.ClientSession) -> None:
    page = b"<html><body>coverage 93%</body></html>"
    artifact = _artifact(fake, "coverage/index.html", data=page)
    headers = {"Circle-Token": fake.token}
    async with http.get(fake.artifact_url(artifact), headers=headers, allow_redirects=False) as r:
        assert r.status == 200
        assert r.headers["Content-Type"].startswith("text/html")
        assert await r.read() == page
    assert {r.origin for r in fake.requests} == {"artifacts"}


async def test_redirects_can_be_switched_off(
    fake_factory: FakeFactory, http: aiohttp.ClientSession
) -> None:
    direct = await fake_factory(artifact_redirects=False)
    artifact = _artifact(direct)
    headers = {"Circle-Token": direct.token}
    async with http.get(direct.artifact_url(artifact), headers=headers, allow_redirects=False) as r:
        assert r.status == 200
        assert await r.read() == PAYLOAD


@pytest.mark.parametrize(
    ("range_header", "status", "content_range", "expected"),
    [
        ("bytes=100-", 206, f"bytes 100-{len(PAYLOAD) - 1}/{len(PAYLOAD)}", PAYLOAD[100:]),
        ("bytes=10-19", 206, f"bytes 10-19/{len(PAYLOAD)}", PAYLOAD[10:20]),
        ("bytes=10-999999", 206, f"bytes 10-{len(PAYLOAD) - 1}/{len(PAYLOAD)}", PAYLOAD[10:]),
        ("bytes=-16", 206, f"bytes {len(PAYLOAD) - 16}-{len(PAYLOAD) - 1}/{len(PAYLOAD)}",
         PAYLOAD[-16:]),
        ("bytes=0-0,5-6", 200, None, PAYLOAD),
        ("items=0-5", 200, None, PAYLOAD),
    ],
)  # fmt: skip
async def test_storage_ranges(
    fake: FakeCircleCI,
    http: aiohttp.ClientSession,
    range_header: str,
    status: int,
    content_range: str | None,
    expected: bytes,
) -> None:
    location = await _location(fake, http, _artifact(fake))
    async with http.get(location, headers={"Range": range_header}) as response:
        assert response.status == status
        assert response.headers.get("Content-Range") == content_range
        assert response.headers["Content-Length"] == str(len(expected))
        assert await response.read() == expected


@pytest.mark.parametrize("range_header", [f"bytes={len(PAYLOAD)}-", "bytes=999999-1000000"])
async def test_unsatisfiable_range_is_416(
    fake: FakeCircleCI, http: aiohttp.ClientSession, range_header: str
) -> None:
    location = await _location(fake, http, _artifact(fake))
    async with http.get(location, headers={"Range": range_header}) as response:
        assert response.status == 416
        assert response.headers["Content-Range"] == f"bytes */{len(PAYLOAD)}"
        assert b"InvalidRange" in await response.read()


async def test_bad_or_expired_signatures_are_403(
    fake: FakeCircleCI, http: aiohttp.ClientSession
) -> None:
    artifact = _artifact(fake)
    location = await _location(fake, http, artifact)
    url = URL(location)
    signature = url.query["X-Amz-Signature"]
    forged = url.update_query({"X-Amz-Signature": signature[::-1]})
    longer = url.update_query({"X-Amz-Expires": "999999"})
    expired = fake.presigned_url(
        artifact, expires_in=60, issued_at=datetime.now(UTC) - timedelta(minutes=5)
    )
    cases = [
        (forged, "SignatureDoesNotMatch"),
        (longer, "SignatureDoesNotMatch"),
        (url.with_query(None), "AccessDenied"),
        (URL(expired), "Request has expired"),
    ]
    for target, fragment in cases:
        async with http.get(target) as response:
            assert response.status == 403
            assert response.headers["Content-Type"] == "application/xml"
            assert fragment.encode() in await response.read()
    async with http.get(url) as response:
        assert response.status == 200


async def _drain(response: aiohttp.ClientResponse, sink: list[bytes]) -> None:
    async for chunk in response.content.iter_any():
        sink.append(chunk)


async def test_storage_disconnect_after_bytes(
    fake: FakeCircleCI, http: aiohttp.ClientSession
) -> None:
    artifact = _artifact(fake, data=None, size=300_000)
    location = await _location(fake, http, artifact)
    fake.faults.disconnect(after_bytes=70_000, origin="storage")
    received: list[bytes] = []
    async with http.get(location) as response:
        assert response.headers["Content-Length"] == "300000"
        with pytest.raises(aiohttp.ClientPayloadError):
            await _drain(response, received)
    assert b"".join(received) == artifact.blob.read(0, 70_000)


async def test_hundred_megabytes_streamed_and_checksummed(
    fake: FakeCircleCI, http: aiohttp.ClientSession
) -> None:
    size = 100 * 1024 * 1024
    artifact = _artifact(fake, "big/disk.img", data=None, size=size)
    assert artifact.blob.data is None
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    location = await _location(fake, http, artifact)
    digest = hashlib.sha256()
    received = 0
    async with http.get(location) as response:
        assert response.headers["Content-Length"] == str(size)
        async for chunk in response.content.iter_chunked(1024 * 1024):
            digest.update(chunk)
            received += len(chunk)
    assert received == size
    assert digest.hexdigest() == artifact.sha256
    peak_growth_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
    assert peak_growth_kib < 40 * 1024


@pytest.mark.parametrize(
    "path",
    ["../../etc/passwd", "/abs/path.txt", "dir/nul\x00name", "a b/c?d#e%41.txt", "./x/../y"],
)
async def test_hostile_paths_are_kept_verbatim_and_downloadable(
    fake: FakeCircleCI, api: Api, http: aiohttp.ClientSession, path: str
) -> None:
    artifact = _artifact(fake, path)
    listed = await api.get(f"/project/{SLUG}/{artifact.job_number}/artifacts")
    (item,) = listed.json["items"]
    assert item["path"] == path
    assert "\x00" not in item["url"]
    assert "?" not in item["url"]
    assert "#" not in item["url"]
    headers = {"Circle-Token": fake.token}
    async with http.get(item["url"], headers=headers, allow_redirects=False) as response:
        assert response.status == 302
    encoded = URL(item["url"], encoded=True)
    async with http.get(encoded, headers=headers, allow_redirects=False) as response:
        assert response.status == 302


def test_generated_content_is_deterministic_and_range_consistent() -> None:
    blob = Blob(700_000, seed=b"abc")
    whole = blob.read()
    assert len(whole) == 700_000
    assert whole == Blob(700_000, seed=b"abc").read()
    assert whole != Blob(700_000, seed=b"abd").read()
    assert blob.sha256() == hashlib.sha256(whole).hexdigest()
    for start, end in [(0, 1), (262_143, 262_145), (100_000, 600_000), (699_999, 800_000)]:
        assert blob.read(start, end) == whole[start:end]
    with pytest.raises(ValueError, match="size"):
        Blob(3, b"ab")


async def test_a_storage_url_expires_on_the_fakes_clock(
    fake_factory: FakeFactory, http: aiohttp.ClientSession
) -> None:
    clock = SteppingClock()
    fake = await fake_factory(clock=clock, presign_ttl=60)
    location = await _location(fake, http, _artifact(fake))
    clock.now += 59
    async with http.get(location) as response:
        assert response.status == 200
    clock.now += 2
    async with http.get(location) as response:
        assert response.status == 403
        assert b"Request has expired" in await response.read()


@pytest.mark.parametrize(
    ("size", "start", "end"),
    [
        (0, 0, None),
        (1, 0, None),
        (1000, 10, 900),
        (CHUNK_SIZE, 0, None),
        (3 * CHUNK_SIZE + 5, 7, None),
    ],
)
def test_derived_bytes_are_the_same_whether_cached_or_cut_short(
    size: int, start: int, end: int | None
) -> None:
    seed = b"same-bytes"
    base = hashlib.shake_256(b"circleci-async-fake:" + seed).digest(CHUNK_SIZE)
    whole = b"".join(
        base[(index * 2_654_435_761) % CHUNK_SIZE :] + base[: (index * 2_654_435_761) % CHUNK_SIZE]
        for index in range(-(-size // CHUNK_SIZE))
    )[:size]
    blob = Blob(size, seed=seed)
    assert blob.read(start, end) == whole[start:end]
    assert blob.read(start, end) == whole[start:end]  # again, from the cache
