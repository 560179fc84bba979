"""The path guard: hostile names from the server are refused and never written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from circleci_async.artifacts import DestinationError, UnsafePathError
from circleci_async.artifacts.paths import job_folder, safe_target
from circleci_async.testing import FakeCircleCI

from .artifacts_helpers import SLUG, add_job, client, downloads, files_under


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("", "the path is empty"),
        ("/etc/passwd", "it is absolute"),
        ("../outside.txt", "it has a '..' part"),
        ("a/../../outside.txt", "it has a '..' part"),
        ("a/..", "it has a '..' part"),
        ("./a.txt", "it has a '.' part"),
        ("a//b.txt", "it has an empty name"),
        ("dir/", "it has an empty name"),
        ("a\x00b.txt", "it contains a NUL byte"),
        ("..\\..\\windows\\win.ini", "it contains a backslash"),
        ("C:/Windows/win.ini", "it starts with a drive letter"),
        ("c:relative.txt", "it starts with a drive letter"),
        ("build/app.bin.part", "kept for downloads in progress"),
    ],
)
def test_hostile_paths_are_refused_with_a_reason(tmp_path: Path, path: str, reason: str) -> None:
    with pytest.raises(UnsafePathError, match="refused artifact path") as caught:
        safe_target(tmp_path, ["0"], path)
    assert reason in caught.value.reason
    assert caught.value.path == path


@pytest.mark.parametrize(
    "path",
    ["a.txt", "deep/er/file.xml", ".hidden", "..dots", "a..b/c", "name with spaces (1).txt",
     "ünï/файл.bin", "part/of.partial", "x.part.txt"],
)  # fmt: skip
def test_ordinary_paths_land_below_dest(tmp_path: Path, path: str) -> None:
    target = safe_target(tmp_path, ["12-build", "0"], path)
    assert target == str(tmp_path.resolve() / "12-build" / "0" / path)
    assert not os.path.lexists(target)


def test_the_layout_parts_are_checked_too(tmp_path: Path) -> None:
    with pytest.raises(UnsafePathError, match=r"'\.\.' part"):
        safe_target(tmp_path, [".."], "a.txt")


def test_a_symlink_inside_dest_that_points_outside_is_refused(tmp_path: Path) -> None:
    dest, outside = tmp_path / "dest", tmp_path / "outside"
    (dest / "0").mkdir(parents=True)
    outside.mkdir()
    (dest / "0" / "escape").symlink_to(outside, target_is_directory=True)
    with pytest.raises(UnsafePathError, match="resolves outside the destination"):
        safe_target(dest, ["0"], "escape/pwned.txt")


def test_a_symlink_that_stays_inside_dest_is_followed(tmp_path: Path) -> None:
    (tmp_path / "0" / "real").mkdir(parents=True)
    (tmp_path / "0" / "alias").symlink_to(tmp_path / "0" / "real", target_is_directory=True)
    target = safe_target(tmp_path, ["0"], "alias/file.txt")
    assert target == str(tmp_path.resolve() / "0" / "real" / "file.txt")


def test_a_final_name_that_is_a_symlink_is_refused(tmp_path: Path) -> None:
    (tmp_path / "0").mkdir()
    (tmp_path / "0" / "passwd").symlink_to("/etc/passwd")
    with pytest.raises(UnsafePathError, match="final name is a symlink"):
        safe_target(tmp_path, ["0"], "passwd")


def test_dest_itself_may_be_a_symlink(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    assert safe_target(tmp_path / "link", ["0"], "a") == str(tmp_path.resolve() / "real/0/a")


@pytest.mark.parametrize(
    ("number", "name", "folder"),
    [
        (12, "build", "12-build"),
        (12, None, "12"),
        (12, "", "12"),
        (7, "test/unit", "7-test_unit"),
        (7, "..", "7-.."),
        (7, "a\\b:c\x00d\ne", "7-a_b_c_d_e"),
        (3, "x" * 300, "3-" + "x" * 100),
    ],
)
def test_job_folders_are_single_plain_names(number: int, name: str | None, folder: str) -> None:
    assert job_folder(number, name) == folder


async def test_hostile_artifacts_are_reported_and_nothing_lands_outside_dest(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    hostile = [
        "/tmp/absolute.txt",
        "../../escape.txt",
        "ok/../../../escape.txt",
        "back\\slash.txt",
        "C:/drive.txt",
        "nul\x00byte.txt",
        "trailing/",
        "escape/through-link.txt",
    ]
    for path in hostile:
        fake.state.add_artifact(SLUG, number, path, b"evil")
    good = fake.state.add_artifact(SLUG, number, "fine/report.txt", b"fine")
    dest, outside = tmp_path / "dest", tmp_path / "outside"
    (dest / "0").mkdir(parents=True)
    outside.mkdir()
    (dest / "0" / "escape").symlink_to(outside, target_is_directory=True)
    before = files_under(tmp_path)

    async with client(fake) as circle:
        report = await circle.artifacts.download_job(SLUG, number, dest)

    assert (report.downloaded, report.failed) == (1, len(hostile))
    assert sorted(f.path for f in report.failures) == sorted(hostile)
    assert all(isinstance(f.error, UnsafePathError) for f in report.failures)
    assert all(f.target is None for f in report.failures)
    assert files_under(tmp_path) == {**before, "dest/0/fine/report.txt": dest / "0/fine/report.txt"}
    assert list(outside.iterdir()) == []
    assert (dest / "0/fine/report.txt").read_bytes() == good.read()
    asked = [r.path for r in fake.requests if r.origin == "artifacts"]
    assert len(asked) == 1, "a refused path must not even be requested"
    assert not (tmp_path / "escape.txt").is_symlink()
    assert not (tmp_path / "escape.txt").exists()


async def test_a_part_file_planted_as_a_symlink_is_never_written_through(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    fake.state.add_artifact(SLUG, number, "a.txt", b"evil")
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    (tmp_path / "dest/0").mkdir(parents=True)
    (tmp_path / "dest/0/a.txt.part").symlink_to(victim)
    async with client(fake) as circle:
        report = await circle.artifacts.download_job(SLUG, number, tmp_path / "dest")
    (failure,) = report.failures
    assert isinstance(failure.error, DestinationError)
    assert victim.read_bytes() == b"precious"
    assert not (tmp_path / "dest/0/a.txt").exists()
    assert "a.txt.part is not a regular file" in str(failure.error)
    assert downloads(fake) == []


@pytest.mark.parametrize("path", ["rep.part/a.txt", "x/rep.part.validator/b.txt"])
def test_folders_named_like_part_files_are_refused(tmp_path: Path, path: str) -> None:
    with pytest.raises(UnsafePathError, match="kept for downloads in progress"):
        safe_target(tmp_path, ["0"], path)


@pytest.mark.parametrize("order", ["folder first", "file first"])
async def test_a_folder_named_like_a_part_file_never_blocks_the_file(
    fake: FakeCircleCI, tmp_path: Path, order: str
) -> None:
    number = add_job(fake)
    listed = [("rep.part/a.txt", b"inside"), ("rep", b"the report"), ("x/rep", b"deeper")]
    if order == "file first":
        listed.reverse()
    for path, data in listed:
        fake.state.add_artifact(SLUG, number, path, data)
    async with client(fake) as circle:
        report = await circle.artifacts.download_job(SLUG, number, tmp_path, concurrency=1)
    (failure,) = report.failures
    assert failure.path == "rep.part/a.txt"
    assert isinstance(failure.error, UnsafePathError)
    assert "kept for downloads in progress" in str(failure.error)
    assert (tmp_path / "0/rep").read_bytes() == b"the report"
    assert (tmp_path / "0/x/rep").read_bytes() == b"deeper"
    assert sorted(files_under(tmp_path)) == ["0/rep", "0/x/rep"]
