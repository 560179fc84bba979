"""`circleci-async jobs logs`, in-process against the fake."""

from __future__ import annotations

from typing import Any

import pytest

from circleci_async.testing import FakeCircleCI, JobRecord
from circleci_async.testing.logs import EXIT_LINE, TIMEOUT_LINE

from .cli_helpers import against, json_lines, ok, run

SLUG = "gh/acme/widgets"


def _job(fake: FakeCircleCI, status: str = "failed", **options: Any) -> JobRecord:
    pipeline = fake.state.add_pipeline(SLUG)
    workflow = fake.state.add_workflow(pipeline.id, status="failed")
    job = fake.state.add_job(workflow.id, name="test", status=status, **options)  # type: ignore[arg-type]
    assert job.number is not None
    return job


async def test_logs_prints_every_step_with_a_header_and_no_escapes_off_a_terminal(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    job = _job(fake)
    out = await ok(fake, capsys, "jobs", "logs", SLUG, str(job.number))
    headers = [line for line in out.splitlines() if line.startswith("==> ")]
    assert headers == [
        "==> Spin up environment (step 0)",
        "==> Preparing environment variables (step 99)",
        "==> Checkout code (step 101)",
        "==> make test (step 102) (exit code 1)",
    ]
    assert out.endswith(EXIT_LINE)
    assert "\x1b" not in out
    assert not fake.storage_saw_token


async def test_logs_failed_with_a_tail(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    job = _job(fake, parallelism=2)
    out = await ok(fake, capsys, "jobs", "logs", SLUG, str(job.number), "--failed", "--tail", "3")
    lines = out.splitlines()
    assert lines[0] == "==> make test (step 102) [container 1] (exit code 1)"
    assert lines[-1] == "Exited with code exit status 1"
    assert len(lines) <= 1 + 3


async def test_logs_of_one_step_and_container_raw_keeps_the_escapes(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    job = _job(fake, parallelism=2)
    raw = await ok(fake, capsys, "jobs", "logs", SLUG, str(job.number), "--step", "102",
                   "--container", "1", "--raw")  # fmt: skip
    named = await ok(fake, capsys, "jobs", "logs", SLUG, str(job.number), "--step", "make test",
                     "--container", "1")  # fmt: skip
    assert "\x1b[" in raw
    assert not raw.startswith("==>")
    assert raw.endswith(EXIT_LINE)
    assert named.splitlines()[0].startswith("==> make test (step 102) [container 1]")


async def test_logs_as_json_lines(fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]) -> None:
    job = _job(fake, status="timedout")
    out = await ok(fake, capsys, "jobs", "logs", SLUG, str(job.number), "--failed", "--json")
    lines = json_lines(out)
    assert {line["step_id"] for line in lines} == {102}
    assert lines[-1]["message"] == TIMEOUT_LINE
    assert {line["type"] for line in lines} <= {"out", "err"}


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--step", "7"], "has no step 7"),
        (["--step", "102", "--container", "4"], "did not run on container 4"),
        (["--tail", "2", "--follow"], "cannot be combined"),
    ],
)
async def test_logs_refuses_what_the_job_does_not_have(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str], options: list[str], words: str
) -> None:
    job = _job(fake)
    status = await run(against(fake, "jobs", "logs", SLUG, str(job.number), *options))
    _, err = capsys.readouterr()
    assert status == 2
    assert words in err
    assert len(err.splitlines()) == 1
    assert fake.token not in err


async def test_logs_refuses_a_bad_tail_before_sending(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    status = await run(against(fake, "jobs", "logs", SLUG, "1", "--tail", "0"))
    assert status == 2
    assert "--tail" in capsys.readouterr().err
    assert not fake.requests


async def test_logs_follow_of_a_finished_job_prints_each_step_once_and_ends(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    job = _job(fake)
    followed = await ok(fake, capsys, "jobs", "logs", SLUG, str(job.number), "--follow")
    plain = await ok(fake, capsys, "jobs", "logs", SLUG, str(job.number))
    assert [line for line in followed.splitlines() if line.startswith("==> ")] == [
        line for line in plain.splitlines() if line.startswith("==> ")
    ]
    assert followed.count(EXIT_LINE.strip()) == 1
    assert any("/api/v3/jobs/" in r.path for r in fake.requests)
