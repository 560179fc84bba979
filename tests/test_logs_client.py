"""Step logs through the client, over loopback against the fake: steps, output, follow, failure."""

from __future__ import annotations

import os
from collections.abc import AsyncIterable
from pathlib import Path
from typing import Any

import pytest

from circleci_async import CircleCI
from circleci_async.errors import (
    DecodeError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    TransportError,
)
from circleci_async.logs import LogLine
from circleci_async.testing import FakeCircleCI, JobRecord
from circleci_async.testing.logs import EXIT_LINE, LINE_INTERVAL, TIMEOUT_LINE

from .clock import SteppingClock
from .conftest import FakeFactory

SLUG = "gh/acme/widgets"


def _job(fake: FakeCircleCI, status: str = "failed", **options: Any) -> JobRecord:
    pipeline = fake.state.add_pipeline(SLUG)
    workflow = fake.state.add_workflow(pipeline.id, status="failed")
    job = fake.state.add_job(workflow.id, name="test", status=status, **options)  # type: ignore[arg-type]
    assert job.number is not None
    return job


def _client(fake: FakeCircleCI, **options: Any) -> CircleCI:
    return CircleCI(fake.token, base_url=fake.base_url, **options)


def _paths(fake: FakeCircleCI) -> list[str]:
    return [f"{r.method} {r.path}" for r in fake.requests]


async def test_steps_of_a_failing_job_name_the_failed_step(fake: FakeCircleCI) -> None:
    job = _job(fake)
    async with _client(fake) as circle:
        steps = await circle.jobs.steps(SLUG, job.number)  # type: ignore[arg-type]
    assert [(s.name, s.id) for s in steps.steps][:2] == [
        ("Spin up environment", 0),
        ("Preparing environment variables", 99),
    ]
    assert steps.job_id == job.id
    (failed,) = steps.failed_actions()
    assert (failed.step, failed.exit_code, failed.outcome) == (102, 1, "exit code 1")
    ending = steps.ending_step()
    assert ending is not None
    assert ending.name == "make test"
    assert steps.raw["build_num"] == job.number  # type: ignore[index]
    assert any("/api/v1.1/project/github/acme/widgets/" in p for p in _paths(fake))


async def test_the_failed_steps_output_ends_with_the_exit_line(fake: FakeCircleCI) -> None:
    job = _job(fake)
    async with _client(fake) as circle:
        lines = [line async for line in circle.jobs.output(SLUG, job.number, step=102)]  # type: ignore[arg-type]
        tail = await circle.jobs.output(SLUG, job.number, step="make test").text(tail=2)  # type: ignore[arg-type]
    assert lines[-1].message == EXIT_LINE
    assert {line.stream for line in lines} == {"out", "err"}
    assert lines[0].time is not None
    assert tail.splitlines()[-1] == "Exited with code exit status 1"
    assert "\x1b[" not in tail
    assert not fake.storage_saw_token


async def test_a_timed_out_step_is_reported_as_such(fake: FakeCircleCI) -> None:
    job = _job(fake, status="timedout")
    async with _client(fake) as circle:
        steps = await circle.jobs.steps(SLUG, job.number)  # type: ignore[arg-type]
        failure = await circle.jobs.failure(SLUG, job.number, tail=3)  # type: ignore[arg-type]
    (action,) = steps.failed_actions()
    assert (action.status, action.failed, action.exit_code) == ("timedout", None, None)
    assert action.timed_out
    (failed,) = failure.actions
    assert (failed.outcome, failed.timed_out, failed.exit_code) == ("timed out", True, None)
    assert failed.tail[-1] == TIMEOUT_LINE.strip()


async def test_a_parallel_jobs_containers_each_have_their_output(fake: FakeCircleCI) -> None:
    job = _job(fake, parallelism=3)
    async with _client(fake) as circle:
        steps = await circle.jobs.steps(SLUG, job.number)  # type: ignore[arg-type]
        outputs = [
            await circle.jobs.output(SLUG, job.number, step=102, index=i).text()  # type: ignore[arg-type]
            for i in steps.containers()
        ]
        failure = await circle.jobs.failure(SLUG, job.number)  # type: ignore[arg-type]
        with pytest.raises(InvalidArgumentError, match=r"no container 3; it ran on \[0, 1, 2\]"):
            await circle.jobs.output(SLUG, job.number, step=102, index=3).text()  # type: ignore[arg-type]
    assert steps.containers() == [0, 1, 2]
    assert [text.endswith(EXIT_LINE) for text in outputs] == [False, False, True]
    assert [text.splitlines()[1][:4] for text in outputs] == ["[0] ", "[1] ", "[2] "]
    assert [(a.index, a.outcome) for a in failure.actions] == [(2, "exit code 1")]


async def test_failure_summarises_the_failed_step_and_tests(fake: FakeCircleCI) -> None:
    job = _job(fake)
    async with _client(fake) as circle:
        failure = await circle.jobs.failure(SLUG, job.number, tail=5)  # type: ignore[arg-type]
        with pytest.raises(InvalidArgumentError, match="tail must be a positive"):
            await circle.jobs.failure(SLUG, job.number, tail=0)  # type: ignore[arg-type]
    assert failure.job.number == job.number
    (failed,) = failure.actions
    assert (failed.step, failed.step_id, failed.outcome) == ("make test", 102, "exit code 1")
    assert len(failed.tail) <= 5
    assert failed.tail[-1] == "Exited with code exit status 1"
    assert all("\x1b" not in line for line in failed.tail)
    assert "step 'make test': exit code 1" in failure.summary()


async def test_the_token_never_reaches_the_storage_host(fake: FakeCircleCI) -> None:
    job = _job(fake)
    for auth in ("circle-token", "bearer"):
        async with _client(fake, auth=auth) as circle:
            await circle.jobs.output(SLUG, job.number, step=102).text()  # type: ignore[arg-type]
            await circle.jobs.failure(SLUG, job.number)  # type: ignore[arg-type]
    storage = [r for r in fake.requests if r.origin == "storage"]
    assert storage
    assert not fake.storage_saw_token


async def test_an_expired_output_url_fetches_fresh_details_once(fake: FakeCircleCI) -> None:
    job = _job(fake)
    per_answer = 4  # one output_url per action: four steps on one container
    fake.faults.expire_log_urls(per_answer)
    async with _client(fake) as circle:
        text = await circle.jobs.output(SLUG, job.number, step=102).text()  # type: ignore[arg-type]
        details = [p for p in _paths(fake) if "/api/v1.1/" in p]
        fake.faults.expire_log_urls(2 * per_answer)
        with pytest.raises(PermissionDeniedError, match="403") as raised:
            await circle.jobs.output(SLUG, job.number, step=102).text()  # type: ignore[arg-type]
    assert text.endswith(EXIT_LINE)
    assert len(details) == 2
    assert len([p for p in _paths(fake) if "/api/v1.1/" in p]) == 4
    assert "X-Amz" not in str(raised.value)


async def test_save_writes_through_a_part_file(fake: FakeCircleCI, tmp_path: Path) -> None:
    job = _job(fake)
    target = tmp_path / "test.log"
    async with _client(fake) as circle:
        size = await circle.jobs.output(SLUG, job.number, step=102).save(target)  # type: ignore[arg-type]
        fake.faults.truncate_body(100, origin="storage")
        with pytest.raises(DecodeError, match="ends in the middle"):
            await circle.jobs.output(SLUG, job.number, step=102).save(tmp_path / "cut.log")  # type: ignore[arg-type]
    assert target.read_bytes().endswith(EXIT_LINE.encode())
    assert size == target.stat().st_size
    assert sorted(os.listdir(tmp_path)) == ["test.log"]


async def test_a_truncated_log_gives_the_lines_read_then_an_error(fake: FakeCircleCI) -> None:
    job = _job(fake)
    fake.faults.truncate_body(300, origin="storage")
    seen: list[LogLine] = []

    async def read(stream: AsyncIterable[LogLine]) -> None:
        async for line in stream:
            seen.append(line)

    async with _client(fake) as circle:
        with pytest.raises(DecodeError, match="lines were read before"):
            await read(circle.jobs.output(SLUG, job.number, step=102))  # type: ignore[arg-type]
    assert seen


async def test_bad_arguments_and_missing_steps_are_clear_errors(fake: FakeCircleCI) -> None:
    job = _job(fake)
    queued = _job(fake, status="queued")
    async with _client(fake) as circle:
        with pytest.raises(InvalidArgumentError, match="no step 7"):
            await circle.jobs.output(SLUG, job.number, step=7).text()  # type: ignore[arg-type]
        with pytest.raises(InvalidArgumentError, match="no steps yet"):
            await circle.jobs.output(SLUG, queued.number, step=0).text()  # type: ignore[arg-type]
        with pytest.raises(InvalidArgumentError, match="step id must not be negative"):
            circle.jobs.output(SLUG, job.number, step=-1)  # type: ignore[arg-type]
        with pytest.raises(InvalidArgumentError, match="index"):
            circle.jobs.output(SLUG, job.number, step=0, index=-1)  # type: ignore[arg-type]
        with pytest.raises(InvalidArgumentError, match="tail must be a positive"):
            await circle.jobs.output(SLUG, job.number, step=0).text(tail=-3)  # type: ignore[arg-type]
        with pytest.raises(NotFoundError):
            await circle.jobs.steps(SLUG, 9999)
    assert not [p for p in _paths(fake) if "/api/v1.1/" in p and "9999" not in p][3:]


async def test_output_that_is_not_a_json_array_is_a_decode_error(fake: FakeCircleCI) -> None:
    job = _job(fake)
    fake.faults.hostile_html(status=200, size=2000, origin="storage")
    async with _client(fake) as circle:
        with pytest.raises(DecodeError, match="not a JSON array"):
            await circle.jobs.output(SLUG, job.number, step=102).text()  # type: ignore[arg-type]


async def test_a_stalled_log_ends_within_the_budget(fake_factory: FakeFactory) -> None:
    fake = await fake_factory()
    job = _job(fake)
    fake.faults.stall_body(30.0, after_bytes=50, origin="storage")
    from circleci_async.retry import RetryPolicy

    async with _client(fake, retry=RetryPolicy(budget=0.5)) as circle:
        with pytest.raises(TransportError):
            await circle.jobs.output(SLUG, job.number, step=102).text()  # type: ignore[arg-type]


async def test_follow_prints_every_line_once_in_order_until_x_terminal(
    fake_factory: FakeFactory,
) -> None:
    clock = SteppingClock()
    fake = await fake_factory(clock=clock)
    job = _job(fake, status="running")
    job.started_at, job.stopped_at = fake.state.now(), None
    clock.now += 20
    finish_at = clock.now + 12 * LINE_INTERVAL

    async def sleep(seconds: float) -> None:
        await clock.sleep(seconds)
        if clock.now >= finish_at and job.stopped_at is None:
            job.status, job.stopped_at = "success", fake.state.now()

    async with _client(fake, clock=clock, sleep=sleep) as circle:
        stream = circle.jobs.output(SLUG, job.number, step=102, follow=True, poll=1.0)  # type: ignore[arg-type]
        followed = [line.message async for line in stream]
        final = await circle.jobs.output(SLUG, job.number, step=102).text(ansi=True)  # type: ignore[arg-type]
    assert "".join(followed) == final
    assert all(line.endswith("\n") for line in followed)
    assert len(followed) == final.count("\n")
    v3 = [r for r in fake.requests if "/api/v3/jobs/" in r.path]
    assert v3
    assert all(r.headers.get("Authorization", "").startswith("Bearer ") for r in v3)
    assert any("Range" in r.headers for r in v3)
    assert clock.sleeps
    assert set(clock.sleeps) == {1.0}


async def test_follow_on_server_polls_v11(fake_factory: FakeFactory) -> None:
    clock = SteppingClock()
    fake = await fake_factory(clock=clock, profile="server")
    job = _job(fake, status="running")
    job.started_at, job.stopped_at = fake.state.now(), None
    clock.now += 10
    finish_at = clock.now + 6 * LINE_INTERVAL

    async def sleep(seconds: float) -> None:
        await clock.sleep(seconds)
        if clock.now >= finish_at and job.stopped_at is None:
            job.status, job.stopped_at = "success", fake.state.now()

    async with _client(fake, clock=clock, sleep=sleep) as circle:
        stream = circle.jobs.output(SLUG, job.number, step=102, follow=True, poll=2.0)  # type: ignore[arg-type]
        followed = [line.message async for line in stream]
        final = [line.message async for line in circle.jobs.output(SLUG, job.number, step=102)]  # type: ignore[arg-type]
    assert followed == final
    assert not fake.storage_saw_token


async def test_follow_stops_at_the_budget(fake_factory: FakeFactory) -> None:
    clock = SteppingClock()
    fake = await fake_factory(clock=clock)
    job = _job(fake, status="running")
    job.started_at, job.stopped_at = fake.state.now(), None
    seen: list[LogLine] = []

    async def follow(stream: AsyncIterable[LogLine]) -> None:
        async for line in stream:
            seen.append(line)

    async with _client(fake, clock=clock, sleep=clock.sleep) as circle:
        stream = circle.jobs.output(SLUG, job.number, step=102, follow=True, budget=30.0)  # type: ignore[arg-type]
        with pytest.raises(TransportError, match="budget of 30s"):
            await follow(stream)
    assert seen
    assert sum(clock.sleeps) <= 30.0 + 2.0
