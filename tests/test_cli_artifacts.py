"""`circleci-async artifacts download` run in-process against the fake."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import sys
from pathlib import Path

import pytest

from circleci_async.artifacts import Progress
from circleci_async.cli import main
from circleci_async.cli.progress_bar import ProgressBar, render
from circleci_async.testing import FakeCircleCI

from .artifacts_helpers import SLUG, add_job, files_under


class Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def argv(fake: FakeCircleCI, dest: Path, *extra: str) -> list[str]:
    return [
        "artifacts",
        "download",
        SLUG,
        "--dest",
        str(dest),
        "--base-url",
        fake.base_url,
        "--artifact-host",
        "localhost",
        *extra,
    ]


async def run(args: list[str]) -> int:
    return await asyncio.to_thread(main, args)


def progress(**counts: int | bool | float) -> Progress:
    values: dict[str, int | bool | float] = {
        "listed": 0,
        "listing_done": False,
        "downloaded": 0,
        "skipped": 0,
        "failed": 0,
        "bytes": 0,
        "rate": 0.0,
        "elapsed": 0.0,
    }
    values.update(counts)
    return Progress(**values)  # type: ignore[arg-type]


async def test_a_job_downloads_with_exit_status_0_and_a_summary(
    fake: FakeCircleCI,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CIRCLECI_TOKEN", fake.token)
    number = add_job(fake)
    for i in range(5):
        fake.state.add_artifact(SLUG, number, f"out/{i}.txt", f"file {i}".encode())
    status = await run(argv(fake, tmp_path, "--job", str(number), "--concurrency", "2"))
    out, err = capsys.readouterr()
    assert status == 0, err
    assert "5 downloaded, 0 skipped, 0 failed of 5 files" in out
    assert str(tmp_path) in out
    assert err == ""
    assert sorted(files_under(tmp_path)) == [f"0/out/{i}.txt" for i in range(5)]

    again = await run(argv(fake, tmp_path, "--job", str(number), "--token", fake.token))
    assert again == 0
    assert "0 downloaded, 5 skipped" in capsys.readouterr().out


async def test_a_failed_file_gives_exit_status_1_and_one_line_for_it(
    fake: FakeCircleCI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = add_job(fake)
    fake.state.add_artifact(SLUG, number, "good.txt", b"good")
    fake.state.add_artifact(SLUG, number, "../bad.txt", b"bad")
    fake.faults.error(404, origin="artifacts")
    status = await run(
        argv(fake, tmp_path, "--job", str(number), "--token", fake.token, "--concurrency", "1")
    )
    out, err = capsys.readouterr()
    assert status == 1
    lines = err.splitlines()
    assert "failed 0/good.txt: 404 Not Found" in lines[0]
    assert lines[1].startswith("failed ../bad.txt: refused artifact path '../bad.txt'")
    assert len(lines) == 2
    assert "0 downloaded, 0 skipped, 2 failed of 2 files" in out
    assert "Traceback" not in out + err


async def test_a_missing_job_is_reported_with_exit_status_1(
    fake: FakeCircleCI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = await run(argv(fake, tmp_path, "--job", "404", "--token", fake.token))
    out, err = capsys.readouterr()
    assert status == 1
    assert err.startswith(f"could not list the artifacts of job 404 of {SLUG}: 404 ")
    assert "1 list(s) could not be read" in out


async def test_branch_workflow_and_pipeline_select_what_to_download(
    fake: FakeCircleCI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = fake.state.add_pipeline(SLUG, branch="release")
    old_job = fake.state.add_job(fake.state.add_workflow(old.id).id, name="build")
    new = fake.state.add_pipeline(SLUG, branch="release")
    workflow = fake.state.add_workflow(new.id)
    new_job = fake.state.add_job(workflow.id, name="build")
    assert old_job.number is not None
    assert new_job.number is not None
    fake.state.add_artifact(SLUG, old_job.number, "a.txt", b"old")
    fake.state.add_artifact(SLUG, new_job.number, "a.txt", b"new")
    token = ["--token", fake.token]

    assert await run(argv(fake, tmp_path / "b", "--branch", "release", *token)) == 0
    assert files_under(tmp_path / "b") == {
        f"{new_job.number}-build/0/a.txt": tmp_path / "b" / f"{new_job.number}-build/0/a.txt"
    }
    assert await run(argv(fake, tmp_path / "w", "--workflow", workflow.id, *token)) == 0
    assert list(files_under(tmp_path / "w")) == [f"{new_job.number}-build/0/a.txt"]
    assert await run(argv(fake, tmp_path / "p", "--pipeline", old.id, *token)) == 0
    assert (tmp_path / "p" / f"{old_job.number}-build/0/a.txt").read_bytes() == b"old"
    capsys.readouterr()

    assert await run(argv(fake, tmp_path / "n", "--branch", "nope", *token)) == 1
    assert capsys.readouterr().err == f"no pipeline on branch 'nope' of {SLUG}\n"


async def test_include_and_exclude_flags(
    fake: FakeCircleCI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = add_job(fake)
    for path in ("a.xml", "b.xml", "c.log", "d/e.xml"):
        fake.state.add_artifact(SLUG, number, path, b"x")
    args = ["--job", str(number), "--token", fake.token, "--include", "*.xml"]
    assert await run(argv(fake, tmp_path, *args, "--exclude", "b.*", "--exclude", "d/*")) == 0
    assert list(files_under(tmp_path)) == ["0/a.xml"]
    assert "1 downloaded" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "the following arguments are required: GROUP"),
        (["artifacts"], "the following arguments are required: COMMAND"),
        (["artifacts", "download", SLUG, "--dest", "d"], "one of the arguments --job"),
        (["artifacts", "download", SLUG, "--job", "1"], "the following arguments are required"),
        (["artifacts", "download", SLUG, "--job", "x", "--dest", "d"], "invalid int value"),
        (["artifacts", "download", SLUG, "--job", "1", "--workflow", "w", "--dest", "d"],
         "not allowed with argument"),
        (["artifacts", "download", SLUG, "--job", "1", "--dest", "d", "--concurrency", "0"],
         "must be at least 1"),
        (["artifacts", "download", "acme/widgets", "--job", "1", "--dest", "d", "--token", "t"],
         "malformed project slug"),
        (["artifacts", "download", SLUG, "--job", "1", "--dest", "d", "--token", "t",
          "--artifact-host", "https://x"], "is not a host name"),
        (["artifacts", "download", SLUG, "--job", "1", "--dest", "d"], "no CircleCI token"),
    ],
)  # fmt: skip
def test_usage_errors_exit_2_with_one_line(
    args: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CIRCLECI_TOKEN", raising=False)
    monkeypatch.delenv("CIRCLE_TOKEN", raising=False)
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.splitlines()) == 1
    assert message in err
    assert "error:" in err


def test_help_and_version_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("circleci-async ")
    assert main(["artifacts", "download", "--help"]) == 0
    assert "--concurrency N" in capsys.readouterr().out


async def test_a_terminal_gets_a_progress_bar(
    fake: FakeCircleCI,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    number = add_job(fake)
    for i in range(3):
        fake.state.add_artifact(SLUG, number, f"{i}.bin", size=10_000)
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert await run(argv(fake, tmp_path, "--job", str(number), "--token", fake.token)) == 0
    drawn = terminal.getvalue()
    assert drawn.startswith("\r[")
    assert drawn.endswith("\n")
    assert "3/3 files" in drawn.rsplit("\r", 1)[-1]
    assert "29.3 KiB" in drawn
    assert "3 downloaded" in capsys.readouterr().out


async def test_without_a_terminal_there_is_no_bar(
    fake: FakeCircleCI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = add_job(fake)
    fake.state.add_artifact(SLUG, number, "a.bin", size=10)
    assert await run(argv(fake, tmp_path, "--job", str(number), "--token", fake.token)) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.slow
async def test_ctrl_c_exits_130_leaving_only_a_part_file(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    number = add_job(fake)
    fake.state.add_artifact(SLUG, number, "huge.bin", size=8 << 30)
    part = tmp_path / "0" / "huge.bin.part"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "circleci_async", *argv(fake, tmp_path, "--job", str(number)),
        env={**os.environ, "CIRCLECI_TOKEN": fake.token},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    for _ in range(12_000):  # up to 120 s for a loaded machine; no timing is judged
        if part.exists() and part.stat().st_size:
            break
        await asyncio.sleep(0.01)
    else:
        pytest.fail("the download never started")
    process.send_signal(signal.SIGINT)
    out, err = await process.communicate()
    assert process.returncode == 130, (out, err)
    assert err.decode() == (
        "circleci-async: error: interrupted; unfinished files are kept as .part and resume "
        "next time\n"
    )
    assert out == b""
    assert sorted(files_under(tmp_path)) == ["0/huge.bin.part", "0/huge.bin.part.validator"]


def test_the_bar_shows_files_bytes_rate_and_an_open_listing() -> None:
    line = render(progress(listed=40, downloaded=10, bytes=3 << 20, rate=1.5 * (1 << 20)), 80)
    assert line == "listing... 10 done of 40 listed so far  3.0 MiB  1.5 MiB/s"
    known = render(progress(listed=40, listing_done=True, downloaded=10), 80)
    assert known == "[" + "#" * 8 + "." * 22 + "]" + " 10/40 files  0 B  0 B/s"
    done = render(progress(listed=2, listing_done=True, downloaded=1, failed=1), 80)
    assert " 2/2 files, 1 failed  0 B  0 B/s" in done
    assert "." not in done[: done.index("]")]
    narrow = render(progress(listed=5, listing_done=True, downloaded=1), 20)
    assert len(narrow) <= 20
    assert "[" not in narrow


def test_the_bar_redraws_in_place_at_most_ten_times_a_second() -> None:
    now = [0.0]
    stream = Terminal()
    bar = ProgressBar(stream, width=60, clock=lambda: now[0])
    bar.update(progress(listed=3, downloaded=1))
    bar.update(progress(listed=3, downloaded=2))
    now[0] = 0.5
    bar.update(progress(listed=3, listing_done=True, downloaded=3))
    bar.finish()
    frames = stream.getvalue().split("\r")[1:]
    assert len(frames) == 3
    assert "listing... 1 done of 3 listed" in frames[0]
    assert "3/3 files" in frames[1]
    assert frames[2].endswith("\n")
