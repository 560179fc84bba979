"""The token goes to the API and trusted artifact hosts only, and shows up nowhere else."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from yarl import URL

from circleci_async.artifacts import TrustedHosts
from circleci_async.errors import AuthenticationError, ConfigurationError
from circleci_async.testing import FakeCircleCI

from .artifacts_helpers import SLUG, add_job, client

CIRCLE = TrustedHosts(["*.circle-artifacts.com", "circleci.com"])


@pytest.mark.parametrize(
    ("url", "trusted"),
    [
        ("https://output.circle-artifacts.com/output/job/x/artifacts/0/a", True),
        ("https://53936-48750547-gh.circle-artifacts.com/0/a.png", True),
        ("https://OUTPUT.Circle-Artifacts.COM./a", True),
        ("https://circleci.com/api/v2/me", True),
        ("http://output.circle-artifacts.com/a", False),
        ("https://circle-artifacts.com/a", False),
        ("https://evilcircle-artifacts.com/a", False),
        ("https://output.circle-artifacts.com.evil.example/a", False),
        ("https://circle-production-artifacts.s3.amazonaws.com/a", False),
        ("https://app.circleci.com/a", False),
        ("ftp://output.circle-artifacts.com/a", False),
    ],
)
def test_trusted_hosts_match_names_and_subdomains_only(url: str, trusted: bool) -> None:
    assert CIRCLE.allows(URL(url)) is trusted


def test_the_token_is_dropped_for_good_on_leaving_the_trusted_hosts() -> None:
    artifacts = URL("https://output.circle-artifacts.com/a")
    storage = URL("https://bucket.s3.amazonaws.com/a?X-Amz-Signature=s")
    back = URL("https://other.circle-artifacts.com/b")
    assert CIRCLE.keeps_token(True, artifacts, back)
    assert not CIRCLE.keeps_token(True, artifacts, storage)
    assert not CIRCLE.keeps_token(False, storage, back)
    assert not CIRCLE.keeps_token(True, artifacts, URL("http://output.circle-artifacts.com/a"))
    assert CIRCLE.keeps_token(True, URL("http://circleci.com/x"), artifacts)


def test_ip_addresses_are_host_names_too() -> None:
    hosts = TrustedHosts(["127.0.0.2", "[::1]"], plain_http=True)
    assert hosts.allows(URL("http://[::1]:8080/a"))
    assert hosts.allows(URL("http://127.0.0.2/a"))
    assert not hosts.allows(URL("http://127.0.0.3/a"))


def test_plain_http_carries_the_token_only_when_the_api_is_plain_http_too() -> None:
    local = TrustedHosts(["localhost"], plain_http=True)
    assert local.allows(URL("http://localhost:8080/a"))
    assert not local.allows(URL("http://127.0.0.1/a"))
    assert not TrustedHosts(["localhost"]).allows(URL("http://localhost:8080/a"))
    assert TrustedHosts(["localhost"]).allows(URL("https://localhost:8443/a"))


@pytest.mark.parametrize("pattern", ["", "*", "https://x.com", "x.com:443", "*.*.com", "a b"])
def test_malformed_host_patterns_are_configuration_errors(pattern: str) -> None:
    with pytest.raises(ConfigurationError, match="artifact host"):
        TrustedHosts([pattern])


async def test_storage_never_sees_the_token_while_the_artifacts_origin_gets_it(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    for i in range(10):
        fake.state.add_artifact(SLUG, number, f"f{i}.bin", size=2000)
    fake.state.add_artifact(SLUG, number, "index.html", b"<html></html>")
    async with client(fake) as circle:
        report = await circle.artifacts.download_job(SLUG, number, tmp_path)
    assert report.ok
    assert report.downloaded == 11
    artifacts = [r for r in fake.requests if r.origin == "artifacts"]
    storage = [r for r in fake.requests if r.origin == "storage"]
    assert len(artifacts) == 11
    assert len(storage) == 10
    assert all(r.headers.get("Circle-Token") == fake.token for r in artifacts)
    assert not fake.storage_saw_token
    assert not any(fake.token in str(r.headers) + str(r.query) for r in storage)


async def test_bearer_tokens_are_dropped_at_storage_too(fake: FakeCircleCI, tmp_path: Path) -> None:
    number = add_job(fake)
    fake.state.add_artifact(SLUG, number, "a.bin", size=100)
    async with client(fake, auth="bearer") as circle:
        report = await circle.artifacts.download_job(SLUG, number, tmp_path)
    assert report.ok
    artifacts = [r for r in fake.requests if r.origin == "artifacts"]
    assert artifacts[0].headers["Authorization"] == f"Bearer {fake.token}"
    assert not fake.storage_saw_token


async def test_an_untrusted_artifact_host_never_gets_the_token(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    fake.state.add_artifact(SLUG, number, "a.bin", size=100)
    async with client(fake, artifact_hosts=()) as circle:
        report = await circle.artifacts.download_job(SLUG, number, tmp_path)
    (failure,) = report.failures
    assert isinstance(failure.error, AuthenticationError)
    artifacts = [r for r in fake.requests if r.origin == "artifacts"]
    assert artifacts
    assert not any("Circle-Token" in r.headers or "Authorization" in r.headers for r in artifacts)
    assert [r.origin for r in fake.requests].count("api") == 1


async def test_the_token_is_in_no_log_record_error_repr_or_report(
    fake: FakeCircleCI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    number = add_job(fake)
    for name in ("a", "b", "c"):
        fake.state.add_artifact(SLUG, number, f"{name}.bin", size=50_000)
    fake.state.add_artifact(SLUG, number, "../evil", b"x")
    fake.faults.error(403, origin="storage")
    fake.faults.disconnect(origin="storage", after_bytes=10_000)
    caplog.set_level(logging.DEBUG)
    async with client(fake) as circle:
        report = await circle.artifacts.download_job(SLUG, number, tmp_path, concurrency=1)
        service_repr = repr(circle.artifacts)
    assert report.failed == 2
    assert report.downloaded == 2
    texts = [service_repr, repr(report), report.summary()]
    texts += [str(f.error) + repr(f.error) for f in report.files if f.error]
    texts += [record.getMessage() for record in caplog.records]
    assert any("redirect" in record.getMessage() for record in caplog.records)
    assert any("retrying" in record.getMessage() for record in caplog.records)
    signatures = {r.query["X-Amz-Signature"] for r in fake.requests if r.origin == "storage"}
    assert len(signatures) >= 3, "the storage host saw too few pre-signed URLs to check"
    for text in texts:
        assert fake.token not in text
        assert not any(signature in text for signature in signatures)
