"""One harvest at a time owns each file of a destination; "present" means the right size."""

from __future__ import annotations

import asyncio
import fcntl
import itertools
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from circleci_async.artifacts import DestinationError, Outcome
from circleci_async.testing import FakeCircleCI

from .artifacts_helpers import SLUG, Sleeps, add_job, client, downloads, files_under, sha256
from .conftest import FakeFactory

MIB = 1 << 20


class Yielding(Sleeps):
    """An injected `sleep` that records each delay and lets the event loop run once."""

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(0)


def full_bodies(fake: FakeCircleCI) -> list[str]:
    """Paths the storage origin answered with a whole body (200)."""
    return [r.path for r in fake.requests if r.origin == "storage" and r.status == 200]


async def test_two_harvests_of_one_large_file_into_one_folder_end_byte_exact(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    big = fake.state.add_artifact(SLUG, number, "big.bin", size=16 * MIB)
    seen: list[int | None] = []

    def watch(_progress: object) -> None:
        final = tmp_path / "0/big.bin"
        seen.append(final.stat().st_size if final.exists() else None)

    async with client(fake, Yielding()) as first, client(fake, Yielding()) as second:
        reports = await asyncio.gather(
            first.artifacts.download_job(SLUG, number, tmp_path, progress=watch),
            second.artifacts.download_job(SLUG, number, tmp_path, progress=watch),
        )

    assert all(report.ok for report in reports), [r.summary() for r in reports]
    assert sorted(f.outcome for r in reports for f in r.files) == [
        Outcome.DOWNLOADED,
        Outcome.SKIPPED,
    ]
    assert sha256(tmp_path / "0/big.bin") == big.sha256
    assert list(files_under(tmp_path)) == ["0/big.bin"]
    assert full_bodies(fake) == [full_bodies(fake)[0]]  # the file was fetched once
    # nothing was ever under the final name before it was whole
    assert set(seen) == {None, big.size}


async def test_a_final_file_of_the_wrong_size_is_fetched_again(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    big = fake.state.add_artifact(SLUG, number, "big.bin", size=4 * MIB)
    same = fake.state.add_artifact(SLUG, number, "same.bin", size=1000)
    (tmp_path / "0").mkdir()
    (tmp_path / "0/big.bin").write_bytes(big.read()[:983_040])  # a torn file
    (tmp_path / "0/same.bin").write_bytes(same.read())
    async with client(fake) as circle:
        report = await circle.artifacts.download_job(SLUG, number, tmp_path)

    assert report.ok, report.summary()
    outcomes = {f.path: (f.outcome, f.size) for f in report.files}
    assert outcomes == {
        "big.bin": (Outcome.DOWNLOADED, 4 * MIB),
        "same.bin": (Outcome.SKIPPED, 1000),
    }
    assert sha256(tmp_path / "0/big.bin") == big.sha256
    assert full_bodies(fake) == [full_bodies(fake)[0]]  # only big.bin came whole
    assert report.bytes == 4 * MIB  # the probe of same.bin is not counted
    assert sorted(files_under(tmp_path)) == ["0/big.bin", "0/same.bin"]


async def test_a_present_file_is_checked_with_one_byte_and_kept(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    fake.state.add_artifact(SLUG, number, "a.bin", size=300_000)
    async with client(fake) as circle:
        await circle.artifacts.download_job(SLUG, number, tmp_path)
        before = len(downloads(fake))
        again = await circle.artifacts.download_job(SLUG, number, tmp_path)
    probes = downloads(fake)[before:]
    assert [f.outcome for f in again.files] == [Outcome.SKIPPED]
    storage = [r for r in probes if r.origin == "storage"]
    assert [(r.headers.get("Range"), r.status) for r in storage] == [("bytes=0-0", 206)]
    assert again.bytes == 0


@pytest.mark.slow
async def test_two_processes_harvesting_one_file_into_one_folder_end_byte_exact(
    fake_factory: FakeFactory, tmp_path: Path
) -> None:
    fake = await fake_factory()
    number = add_job(fake)
    big = fake.state.add_artifact(SLUG, number, "big.bin", size=32 * MIB)
    fake.faults.delay(1.0, times=2, origin="storage")  # slowed storage: the runs overlap
    script = textwrap.dedent(
        f"""
        import asyncio, sys
        from circleci_async import CircleCI

        async def main():
            async with CircleCI(token={fake.token!r}, base_url={fake.base_url!r},
                                artifact_hosts=["localhost"]) as circle:
                report = await circle.artifacts.download_job({SLUG!r}, {number}, sys.argv[1])
            print(report.files[0].outcome.value, report.ok)

        asyncio.run(main())
        """
    )
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    command = [sys.executable, "-c", script, str(tmp_path)]
    children = [
        await asyncio.create_subprocess_exec(
            *command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )
        for _ in range(2)
    ]
    outputs = [await asyncio.wait_for(child.communicate(), 120) for child in children]
    assert all(child.returncode == 0 for child in children), outputs
    said = sorted(out.decode().split()[0] for out, _ in outputs)
    assert said == ["downloaded", "skipped"], outputs
    assert sha256(tmp_path / "0/big.bin") == big.sha256
    assert list(files_under(tmp_path)) == ["0/big.bin"]


async def test_an_empty_file_in_place_is_kept_and_a_stale_one_fetched_again(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    fake.state.add_artifact(SLUG, number, "empty.txt", b"")
    fake.state.add_artifact(SLUG, number, "emptied.txt", b"")
    (tmp_path / "0").mkdir()
    (tmp_path / "0/empty.txt").write_bytes(b"")
    (tmp_path / "0/emptied.txt").write_bytes(b"old content")
    async with client(fake) as circle:
        report = await circle.artifacts.download_job(SLUG, number, tmp_path)
    outcomes = {f.path: f.outcome for f in report.files}
    assert outcomes == {"empty.txt": Outcome.SKIPPED, "emptied.txt": Outcome.DOWNLOADED}
    assert (tmp_path / "0/emptied.txt").read_bytes() == b""
    assert sorted(files_under(tmp_path)) == ["0/emptied.txt", "0/empty.txt"]


async def test_the_wait_for_a_file_another_harvest_holds_is_bounded_by_the_file_budget(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    fake.state.add_artifact(SLUG, number, "held.bin", b"x" * 100)
    fake.state.add_artifact(SLUG, number, "free.bin", b"y" * 100)
    (tmp_path / "0").mkdir()
    holder = os.open(tmp_path / "0/held.bin.part", os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)  # another harvest, stuck
    ticks = itertools.count()
    sleeps = Yielding()
    try:
        async with client(fake, sleeps, clock=lambda: float(next(ticks))) as circle:
            report = await circle.artifacts.download_job(SLUG, number, tmp_path, file_budget=30)
    finally:
        os.close(holder)
    (failure,) = report.failures
    assert failure.path == "held.bin"
    assert isinstance(failure.error, DestinationError)
    assert "another harvest has been writing it for over 30s" in str(failure.error)
    assert (tmp_path / "0/free.bin").read_bytes() == b"y" * 100
    assert not (tmp_path / "0/held.bin").exists()
    assert len(sleeps.delays) < 30
