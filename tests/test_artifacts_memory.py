"""Memory stays flat: large files stream through, and many files leave no per-file state."""

from __future__ import annotations

import gc
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest

from circleci_async.artifacts import ArtifactRef
from circleci_async.models import Artifact
from circleci_async.testing import FakeCircleCI

from .artifacts_helpers import SLUG, add_job, client, sha256

pytestmark = pytest.mark.slow

MIB = 1 << 20


async def test_two_100_mib_files_stream_with_a_small_peak(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    large = [
        fake.state.add_artifact(SLUG, number, f"big-{i}.bin", size=100 * MIB) for i in range(2)
    ]
    async with client(fake) as circle:
        tracemalloc.start()
        try:
            report = await circle.artifacts.download_job(SLUG, number, tmp_path)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    print(f"\npeak traced memory for 2 x 100 MiB: {peak / MIB:.1f} MiB")
    assert report.ok
    assert report.bytes == 200 * MIB
    assert peak < 100 * MIB
    for artifact in large:
        assert sha256(tmp_path / "0" / artifact.path) == artifact.sha256


async def test_no_per_file_state_is_kept_however_many_files_are_listed(tmp_path: Path) -> None:
    async with FakeCircleCI(record=False, artifact_redirects=False) as fake:
        await _no_per_file_state(fake, tmp_path)


async def _no_per_file_state(fake: FakeCircleCI, tmp_path: Path) -> None:
    stored = fake.state.add_artifact(SLUG, add_job(fake), "same.txt", b"already here")
    (tmp_path / "0").mkdir()
    (tmp_path / "0" / "same.txt").write_bytes(b"already here")
    artifact = Artifact(path="same.txt", node_index=0, url=fake.artifact_url(stored))
    bodies: list[int] = []
    fake.on_response = lambda answer: bodies.append(answer.status or 0)

    def refs(count: int) -> Iterator[ArtifactRef]:
        for number in range(count):
            yield ArtifactRef(artifact, SLUG, number)

    async def retained(count: int, keep: Literal["all", "failed"]) -> int:
        gc.collect()
        before = sys.getallocatedblocks()
        report = await circle.artifacts.download(refs(count), tmp_path, by_job=False, keep=keep)
        gc.collect()
        assert (report.listed, report.skipped) == (count, count)
        return sys.getallocatedblocks() - before

    async with client(fake) as circle:
        await retained(100, "failed")
        few, many = await retained(500, "failed"), await retained(3_000, "failed")
        kept_all = await retained(1_000, "all")
    print(f"\nblocks kept: {few} for 500 files, {many} for 3,000; {kept_all} with keep='all'")
    assert many < few + 200, "memory grows with the number of files"
    assert kept_all > 1_000, "the measure would see one object per file"
    assert set(bodies) == {206}, "only one-byte size checks were sent"
