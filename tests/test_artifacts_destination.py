"""A fault of the destination folder itself stops the harvest once, with one error naming it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from circleci_async.artifacts import DestinationError, DestinationFolderError, Progress
from circleci_async.testing import FakeCircleCI

from .artifacts_helpers import SLUG, add_job, client, downloads, files_under


def many(fake: FakeCircleCI, count: int = 200) -> int:
    number = add_job(fake)
    for i in range(count):
        fake.state.add_artifact(SLUG, number, f"out/{i}.txt", b"x" * 100)
    return number


async def test_a_destination_that_is_a_file_is_one_error_before_any_request(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = many(fake)
    dest = tmp_path / "report.txt"
    dest.write_text("not a folder")
    async with client(fake) as circle:
        with pytest.raises(DestinationFolderError) as caught:
            await circle.artifacts.download_job(SLUG, number, dest)
    assert str(caught.value) == (
        f"the destination folder {dest} cannot be used: it is a file, not a folder"
    )
    assert isinstance(caught.value, DestinationError)
    assert caught.value.target == str(dest)
    assert fake.requests == []
    assert dest.read_text() == "not a folder"


async def test_a_destination_below_a_file_is_one_error(fake: FakeCircleCI, tmp_path: Path) -> None:
    number = many(fake, 3)
    (tmp_path / "file").write_text("x")
    async with client(fake) as circle:
        with pytest.raises(DestinationFolderError) as caught:
            await circle.artifacts.download_job(SLUG, number, tmp_path / "file" / "out")
    assert caught.value.reason == f"{tmp_path / 'file'} is a file, not a folder"
    assert fake.requests == []


@pytest.mark.parametrize("then", ["removed", "replaced by a file"])
async def test_a_destination_that_goes_away_mid_harvest_stops_it_once(
    fake: FakeCircleCI, tmp_path: Path, then: str
) -> None:
    number = many(fake)
    dest = tmp_path / "out"

    def break_it(progress: Progress) -> None:
        if progress.downloaded == 3 and dest.is_dir():
            shutil.rmtree(dest)
            if then != "removed":
                dest.write_text("a file now")

    async with client(fake) as circle:
        with pytest.raises(DestinationFolderError) as caught:
            await circle.artifacts.download_job(
                SLUG, number, dest, concurrency=2, progress=break_it
            )
    assert str(caught.value).startswith(f"the destination folder {dest} cannot be used: ")
    assert caught.value.reason in (
        "it is gone",
        "it was replaced during the harvest",
        "it is a file, not a folder",
    )
    asked = [r for r in downloads(fake) if r.origin == "artifacts"]
    assert len(asked) <= 3 + 2 * 2, "the harvest went on after its folder went away"
    if then == "removed":
        assert all(key.endswith(".part") for key in files_under(tmp_path))


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
async def test_a_read_only_destination_is_one_error(fake: FakeCircleCI, tmp_path: Path) -> None:
    number = many(fake, 3)
    dest = tmp_path / "out"
    dest.mkdir(mode=0o555)
    try:
        async with client(fake) as circle:
            with pytest.raises(DestinationFolderError, match="it is not writable"):
                await circle.artifacts.download_job(SLUG, number, dest)
    finally:
        dest.chmod(0o755)
    assert fake.requests == []
