"""Cancelling a harvest leaves only `.part` files and a closed session; a re-run completes."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import pytest

from circleci_async.artifacts import DownloadReport, Progress
from circleci_async.testing import FakeCircleCI

from .artifacts_helpers import SLUG, add_job, client, files_under, sha256

MIB = 1 << 20


async def test_a_cancelled_harvest_leaves_only_part_files_and_a_rerun_resumes_them(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    artifacts = [
        fake.state.add_artifact(SLUG, number, f"big/{i}.bin", size=16 * MIB) for i in range(3)
    ]
    artifacts += [
        fake.state.add_artifact(SLUG, number, f"small/{i}.txt", size=100) for i in range(20)
    ]
    expected = {f"0/{a.path}": a.sha256 for a in artifacts}
    task: asyncio.Task[DownloadReport] | None = None

    def cancel_mid_way(progress: Progress) -> None:
        if progress.done and progress.bytes > 4 * MIB and task is not None:
            task.cancel()

    ticks = itertools.count()
    async with client(fake, clock=lambda: float(next(ticks))) as circle:
        session = circle.core.http()
        task = asyncio.create_task(
            circle.artifacts.download_job(
                SLUG, number, tmp_path, concurrency=4, progress=cancel_mid_way
            )
        )
        with pytest.raises(asyncio.CancelledError):
            await task

        on_disk = files_under(tmp_path)
        validators = {key for key in on_disk if key.endswith(".part.validator")}
        on_disk = {key: path for key, path in on_disk.items() if key not in validators}
        parts = {key: path.stat().st_size for key, path in on_disk.items() if key.endswith(".part")}
        assert validators == {key + ".validator" for key in parts}
        assert any(parts.values()), "the big files were in flight"
        assert all(key.removesuffix(".part") in expected for key in parts)
        for key, path in on_disk.items():
            if not key.endswith(".part"):
                assert sha256(path) == expected[key], f"{key} is under its final name but partial"
        sent_before = len(fake.requests)
        report = await circle.artifacts.download_job(SLUG, number, tmp_path, concurrency=4)

    assert session.closed
    assert report.ok
    assert report.downloaded + report.skipped == len(artifacts)
    assert report.skipped == len(on_disk) - len(parts)
    on_disk = files_under(tmp_path)
    assert sorted(on_disk) == sorted(expected)
    assert all(sha256(path) == expected[key] for key, path in on_disk.items())
    rerun = fake.requests[sent_before:]
    ranges = [r.headers.get("Range") for r in rerun if r.origin == "storage"]
    resumed = {value for value in ranges if value not in (None, "bytes=0-0")}
    assert ranges.count("bytes=0-0") == report.skipped  # each present file's size is checked
    assert resumed == {f"bytes={size}-" for size in parts.values() if size}
