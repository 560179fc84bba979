"""The fake's step logs over loopback: v1.1 job details, storage output, v3, private raw."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest

from circleci_async.testing import FakeCircleCI, JobRecord, RecordedRequest
from circleci_async.testing.handlers.logs import OUTPUT_URL_TTL
from circleci_async.testing.log_output import GeneratedLog
from circleci_async.testing.logs import EXIT_LINE, LINE_INTERVAL, TIMEOUT_LINE

from .clock import SteppingClock
from .conftest import FakeFactory
from .spec_validation import recorded_violations

SLUG = "gh/acme/widgets"
ACTION_FIELDS = {
    "index", "step", "name", "status", "failed", "timedout", "infrastructure_fail", "canceled",
    "exit_code", "start_time", "end_time", "run_time_millis", "has_output", "truncated",
    "output_url", "parallel", "background", "type", "bash_command", "allocation_id",
    "insignificant", "continue",
}  # fmt: skip


def _job(fake: FakeCircleCI, status: str = "failed", **options: Any) -> JobRecord:
    pipeline = fake.state.add_pipeline(SLUG)
    workflow = fake.state.add_workflow(pipeline.id, status="failed")
    job = fake.state.add_job(workflow.id, name="test", status=status, **options)  # type: ignore[arg-type]
    assert job.number is not None
    return job


def _root(fake: FakeCircleCI) -> str:
    return fake.base_url.removesuffix("/api/v2")


async def _get(
    http: aiohttp.ClientSession,
    url: str,
    headers: Mapping[str, str] | None = None,
    **kwargs: Any,
) -> tuple[int, Mapping[str, str], bytes]:
    async with http.get(url, headers=headers or {}, **kwargs) as response:
        return response.status, response.headers, await response.read()


async def _details(
    fake: FakeCircleCI, http: aiohttp.ClientSession, job: JobRecord, vcs: str = "github"
) -> dict[str, Any]:
    url = f"{_root(fake)}/api/v1.1/project/{vcs}/acme/widgets/{job.number}"
    status, _, body = await _get(http, url, {"Circle-Token": fake.token})
    assert status == 200, body
    details: dict[str, Any] = json.loads(body)
    return details


def _actions(details: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [action for step in details["steps"] for action in step["actions"]]


async def _output(http: aiohttp.ClientSession, action: Mapping[str, Any]) -> list[Any]:
    status, headers, body = await _get(http, action["output_url"])
    assert status == 200, body
    assert headers["Content-Type"].startswith("application/json")
    lines: list[Any] = json.loads(body)
    return lines


async def test_failing_job_has_circleci_steps_and_ends_with_the_exit_line(
    fake: FakeCircleCI, http: aiohttp.ClientSession
) -> None:
    job = _job(fake)
    details = await _details(fake, http, job)
    assert details["build_num"] == job.number
    assert details["status"] == "failed"
    assert details["lifecycle"] == "finished"
    assert details["vcs_type"] == "github"
    assert details["workflows"]["job_name"] == "test"
    assert details["workflows"]["job_id"] == job.id
    steps = [(step["name"], step["actions"][0]["step"]) for step in details["steps"]]
    assert steps == [
        ("Spin up environment", 0),
        ("Preparing environment variables", 99),
        ("Checkout code", 101),
        ("make test", 102),
    ]
    for action in _actions(details):
        assert set(action) == ACTION_FIELDS
    spin_up, *_, failed = _actions(details)
    assert (spin_up["status"], spin_up["failed"], spin_up["exit_code"]) == ("success", None, None)
    assert (failed["status"], failed["failed"], failed["exit_code"]) == ("failed", True, 1)
    assert failed["bash_command"] == "make test"
    assert urlsplit(failed["output_url"]).netloc == urlsplit(fake.storage_url).netloc
    lines = await _output(http, failed)
    assert all(set(line) == {"message", "time", "type"} for line in lines)
    assert {line["type"] for line in lines} == {"out", "err"}
    assert lines[-1]["message"] == EXIT_LINE == "\nExited with code exit status 1\n"
    assert "\x1b[" in "".join(line["message"] for line in lines)
    assert not fake.storage_saw_token


async def test_successful_job_steps_all_succeed_with_exit_code_zero(
    fake: FakeCircleCI, http: aiohttp.ClientSession
) -> None:
    job = _job(fake, status="success")
    details = await _details(fake, http, job)
    assert details["failed"] is False
    actions = _actions(details)
    assert {action["status"] for action in actions} == {"success"}
    assert actions[-1]["exit_code"] == 0
    lines = await _output(http, actions[-1])
    assert EXIT_LINE not in [line["message"] for line in lines]


async def test_steps_come_from_the_jobs_config(
    fake: FakeCircleCI, http: aiohttp.ClientSession
) -> None:
    job = _job(fake)
    fake.state.pipelines[job.pipeline_id].config = (
        "version: 2.1\n"
        "jobs:\n"
        "  lint:\n"
        "    docker:\n"
        "      - image: cimg/python:3.12\n"
        "    steps:\n"
        "      - checkout\n"
        "      - run: ruff check .\n"
        "  test:\n"
        "    docker:\n"
        "      - image: cimg/python:3.12\n"
        "    steps:\n"
        "      - checkout\n"
        "      - restore_cache:\n"
        "          keys:\n"
        "            - deps-v1\n"
        "      - run:\n"
        "          name: Install\n"
        "          command: pip install -e .\n"
        "      - run:\n"
        "          name: Run tests\n"
        "          command: pytest -q\n"
        "      - store_test_results:\n"
        "          path: reports\n"
        "workflows:\n"
        "  main:\n"
        "    jobs:\n"
        "      - lint\n"
        "      - test\n"
    )
    details = await _details(fake, http, job)
    names = [(step["name"], step["actions"][0]["step"]) for step in details["steps"]]
    assert names == [
        ("Spin up environment", 0),
        ("Preparing environment variables", 99),
        ("Checkout code", 101),
        ("Restoring cache", 102),
        ("Install", 103),
        ("Run tests", 104),
        ("Uploading test results", 105),
    ]
    assert _actions(details)[4]["bash_command"] == "pip install -e ."
    assert _actions(details)[-1]["status"] == "failed"


async def test_timed_out_step_has_null_failed_and_exit_code(
    fake: FakeCircleCI, http: aiohttp.ClientSession
) -> None:
    job = _job(fake, status="timedout")
    details = await _details(fake, http, job)
    assert details["timedout"] is True
    last = _actions(details)[-1]
    assert last["status"] == "timedout"
    assert last["timedout"] is True
    assert last["failed"] is None
    assert last["exit_code"] is None
    lines = await _output(http, last)
    assert lines[-1]["message"] == TIMEOUT_LINE


async def test_parallel_job_has_an_action_per_container_and_fails_on_one(
    fake: FakeCircleCI, http: aiohttp.ClientSession
) -> None:
    job = _job(fake, parallelism=3)
    details = await _details(fake, http, job)
    assert details["parallel"] == 3
    for step in details["steps"]:
        assert [action["index"] for action in step["actions"]] == [0, 1, 2]
    last = details["steps"][-1]["actions"]
    assert [action["status"] for action in last] == ["success", "success", "failed"]
    outputs = [await _output(http, action) for action in last]
    assert [lines[-1]["message"] == EXIT_LINE for lines in outputs] == [False, False, True]
    assert outputs[0][1]["message"].startswith("[0] ")
    assert outputs[1][1]["message"].startswith("[1] ")


@pytest.mark.parametrize("vcs", ["github", "gh", "bitbucket", "bb"])
async def test_v1_accepts_both_spellings_of_the_vcs(
    fake: FakeCircleCI, http: aiohttp.ClientSession, vcs: str
) -> None:
    slug = "bb/acme/widgets" if vcs.startswith("b") else SLUG
    pipeline = fake.state.add_pipeline(slug)
    workflow = fake.state.add_workflow(pipeline.id)
    job = fake.state.add_job(workflow.id, name="build")
    details = await _details(fake, http, job, vcs)
    assert details["vcs_type"] == ("bitbucket" if vcs.startswith("b") else "github")


async def test_v1_refuses_unknown_jobs_vcs_and_tokens(
    fake: FakeCircleCI, http: aiohttp.ClientSession
) -> None:
    job = _job(fake)
    base = f"{_root(fake)}/api/v1.1/project"
    auth = {"Circle-Token": fake.token}
    assert (await _get(http, f"{base}/github/acme/widgets/{job.number}"))[0] == 401
    assert (await _get(http, f"{base}/github/acme/widgets/999", auth))[0] == 404
    assert (await _get(http, f"{base}/gitlab/acme/widgets/{job.number}", auth))[0] == 404
    assert (await _get(http, f"{base}/github/acme/widgets/seven", auth))[0] == 400


async def test_job_that_has_not_started_has_no_steps(
    fake: FakeCircleCI, http: aiohttp.ClientSession
) -> None:
    job = _job(fake, status="queued")
    details = await _details(fake, http, job)
    assert details["steps"] == []
    assert details["lifecycle"] == "queued"
    assert details["start_time"] is None


async def test_running_step_grows_with_the_fakes_clock_then_ends(
    fake_factory: FakeFactory, http: aiohttp.ClientSession
) -> None:
    clock = SteppingClock()
    fake = await fake_factory(clock=clock)
    job = _job(fake, status="running")
    job.started_at = fake.state.now()
    job.stopped_at = None
    clock.now += 30
    details = await _details(fake, http, job)
    assert details["lifecycle"] == "running"
    running = _actions(details)[-1]
    assert (running["name"], running["status"], running["end_time"]) == (
        "make test",
        "running",
        None,
    )
    first = await _output(http, running)
    clock.now += 10 * LINE_INTERVAL
    second = await _output(http, running)
    assert len(second) == len(first) + 10
    assert second[: len(first)] == first
    job.status, job.stopped_at = "success", fake.state.now()
    ended = _actions(await _details(fake, http, job))[-1]
    assert ended["status"] == "success"
    final = await _output(http, ended)
    assert final[: len(second)] == second


async def test_output_urls_expire_on_the_fakes_clock(
    fake_factory: FakeFactory, http: aiohttp.ClientSession
) -> None:
    clock = SteppingClock()
    fake = await fake_factory(clock=clock)
    job = _job(fake)
    action = _actions(await _details(fake, http, job))[-1]
    query = dict(part.split("=", 1) for part in urlsplit(action["output_url"]).query.split("&"))
    assert query["X-Amz-Expires"] == str(OUTPUT_URL_TTL)
    clock.now += OUTPUT_URL_TTL - 1
    assert (await _get(http, action["output_url"]))[0] == 200
    clock.now += 2
    status, _, body = await _get(http, action["output_url"])
    assert status == 403
    assert b"Request has expired" in body
    fresh = _actions(await _details(fake, http, job))[-1]
    assert (await _get(http, fresh["output_url"]))[0] == 200


async def test_storage_refuses_tampered_and_unknown_output(
    fake: FakeCircleCI, http: aiohttp.ClientSession
) -> None:
    job = _job(fake)
    url = _actions(await _details(fake, http, job))[-1]["output_url"]
    assert (await _get(http, url.replace("-step-102-", "-step-103-")))[0] == 403
    assert (await _get(http, url.split("?")[0]))[0] == 403
    status, _, _ = await _get(http, url, {"Authorization": "Bearer x"})
    assert status == 400
    assert fake.storage_saw_token


async def test_v3_job_lists_steps_per_parallel_execution(
    fake: FakeCircleCI, http: aiohttp.ClientSession
) -> None:
    job = _job(fake, parallelism=2)
    url = f"{_root(fake)}/api/v3/jobs/{job.id}"
    status, _, body = await _get(http, url, {"Authorization": f"Bearer {fake.token}"})
    assert status == 200
    data = json.loads(body)["data"]
    assert data["id"] == job.id
    executions = data["attributes"]["parallel_executions"]
    assert [execution["index"] for execution in executions] == [0, 1]
    assert [step["num"] for step in executions[1]["steps"]] == [0, 99, 101, 102]
    assert executions[1]["steps"][-1]["exit_code"] == 1


async def test_v3_takes_only_a_bearer_token(
    fake: FakeCircleCI, http: aiohttp.ClientSession
) -> None:
    job = _job(fake)
    url = f"{_root(fake)}/api/v3/jobs/{job.id}"
    assert (await _get(http, url, {"Circle-Token": fake.token}))[0] == 401
    assert (await _get(http, url, {"Authorization": "Bearer wrong"}))[0] == 401
    assert (await _get(http, url, {"Authorization": f"Bearer {fake.token}"}))[0] == 200


async def test_v3_is_absent_on_server(
    fake_factory: FakeFactory, http: aiohttp.ClientSession
) -> None:
    fake = await fake_factory(profile="server")
    job = _job(fake)
    url = f"{_root(fake)}/api/v3/jobs/{job.id}"
    assert (await _get(http, url, {"Authorization": f"Bearer {fake.token}"}))[0] == 404
    assert (await _details(fake, http, job))["build_num"] == job.number


async def test_v3_stdout_and_stderr_with_range_terminal_and_204(
    fake: FakeCircleCI, http: aiohttp.ClientSession
) -> None:
    job = _job(fake)
    url = f"{_root(fake)}/api/v3/jobs/{job.id}"
    bearer = {"Authorization": f"Bearer {fake.token}"}
    params = {"filter[execution]": "0", "filter[step_num]": "102"}
    status, headers, out = await _get(http, f"{url}/stdout", bearer, params=params)
    assert status == 200
    assert headers["X-Terminal"] == "true"
    assert headers["Content-Type"].startswith("text/plain")
    assert out.endswith(EXIT_LINE.encode())
    _, _, err = await _get(http, f"{url}/stderr", bearer, params=params)
    assert err == b"\x1b[31merror:\x1b[0m make test failed\n"
    ranged = {**bearer, "Range": f"bytes={len(out) - 10}-"}
    status, headers, tail = await _get(http, f"{url}/stdout", ranged, params=params)
    assert (status, tail) == (206, out[-10:])
    assert headers["Content-Range"] == f"bytes {len(out) - 10}-{len(out) - 1}/{len(out)}"
    at_end = {**bearer, "Range": f"bytes={len(out)}-"}
    status, headers, body = await _get(http, f"{url}/stdout", at_end, params=params)
    assert (status, body, headers["X-Terminal"]) == (204, b"", "true")
    quiet = {"filter[execution]": "0", "filter[step_num]": "0"}
    assert (await _get(http, f"{url}/stderr", bearer, params=quiet))[0] == 204
    missing = {"filter[execution]": "0", "filter[step_num]": "7"}
    assert (await _get(http, f"{url}/stdout", bearer, params=missing))[0] == 404
    assert (await _get(http, f"{url}/stdout", bearer))[0] == 400
    other = {"filter[execution]": "3", "filter[step_num]": "102"}
    assert (await _get(http, f"{url}/stdout", bearer, params=other))[0] == 404


async def test_v3_running_step_has_no_terminal_header_until_it_ends(
    fake_factory: FakeFactory, http: aiohttp.ClientSession
) -> None:
    clock = SteppingClock()
    fake = await fake_factory(clock=clock)
    job = _job(fake, status="running")
    job.started_at, job.stopped_at = fake.state.now(), None
    clock.now += 20
    url = f"{_root(fake)}/api/v3/jobs/{job.id}/stdout"
    params = {"filter[execution]": "0", "filter[step_num]": "102"}
    bearer = {"Authorization": f"Bearer {fake.token}"}
    status, headers, seen = await _get(http, url, bearer, params=params)
    assert status == 200
    assert "X-Terminal" not in headers
    at_end = {**bearer, "Range": f"bytes={len(seen)}-"}
    status, headers, _ = await _get(http, url, at_end, params=params)
    assert status == 204
    assert "X-Terminal" not in headers
    clock.now += 3 * LINE_INTERVAL
    status, headers, more = await _get(http, url, at_end, params=params)
    assert status == 206
    assert more.count(b"\n") == 3
    job.status, job.stopped_at = "success", fake.state.now()
    status, headers, _ = await _get(
        http, url, {**bearer, "Range": f"bytes={len(seen) + len(more)}-"}, params=params
    )
    assert (status, headers["X-Terminal"]) == (204, "true")


async def test_private_raw_output_and_error_are_plain_text(
    fake: FakeCircleCI, http: aiohttp.ClientSession
) -> None:
    job = _job(fake)
    base = f"{_root(fake)}/api/private/output/raw/gh/acme/widgets/{job.number}"
    auth = {"Circle-Token": fake.token}
    status, headers, out = await _get(http, f"{base}/output/0/102", auth)
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain")
    assert out.endswith(EXIT_LINE.encode())
    status, _, err = await _get(http, f"{base}/error/0/102", auth)
    assert (status, err) == (200, b"\x1b[31merror:\x1b[0m make test failed\n")
    status, _, quiet = await _get(http, f"{base}/error/0/0", auth)
    assert (status, quiet) == (200, b"")
    assert (await _get(http, f"{base}/output/0/555", auth))[0] == 404
    assert (await _get(http, f"{base}/output/0/102"))[0] == 401


async def test_set_output_serves_given_lines_on_every_endpoint(
    fake: FakeCircleCI, http: aiohttp.ClientSession
) -> None:
    job = _job(fake)
    fake.logs.set_output(job, 101, lines=[("out", "caf\u00e9\n"), ("err", "warn\n")])
    action = _actions(await _details(fake, http, job))[2]
    assert [line["message"] for line in await _output(http, action)] == ["caf\u00e9\n", "warn\n"]
    raw = f"{_root(fake)}/api/private/output/raw/gh/acme/widgets/{job.number}/output/0/101"
    assert (await _get(http, raw, {"Circle-Token": fake.token}))[2] == "caf\u00e9\n".encode()
    with pytest.raises(ValueError, match="exactly one"):
        fake.logs.set_output(job, 101)


async def test_huge_generated_log_is_streamed_not_stored(
    fake: FakeCircleCI, http: aiohttp.ClientSession
) -> None:
    job = _job(fake)
    fake.logs.set_output(job, 102, size=1 << 30)
    action = _actions(await _details(fake, http, job))[-1]
    async with http.get(action["output_url"]) as response:
        assert response.status == 200
        length = int(response.headers["Content-Length"])
        first = await response.content.read(4096)
    assert (1 << 30) - 200 < length <= 1 << 30
    assert first.startswith(b'[{"message":"generated line 000000')
    url = f"{_root(fake)}/api/v3/jobs/{job.id}/stdout"
    params = {"filter[execution]": "0", "filter[step_num]": "102"}
    headers = {"Authorization": f"Bearer {fake.token}", "Range": f"bytes={(1 << 30) - 5}-"}
    status, sent, tail = await _get(http, url, headers, params=params)
    assert (status, len(tail)) == (206, 5)
    assert sent["Content-Range"] == f"bytes {(1 << 30) - 5}-{(1 << 30) - 1}/{1 << 30}"


def test_generated_log_slices_agree_and_parse() -> None:
    when = FakeCircleCI().state.now()
    log = GeneratedLog.of_size(300_000, when)
    whole = b"".join(log.chunks())
    assert len(whole) == log.length
    lines = json.loads(whole)
    assert lines[0]["message"].startswith("generated line 000000")
    assert lines[1024]["message"] == lines[0]["message"]
    for start, end in [(0, 1), (5, 140_000), (99_999, 300_000), (log.length - 3, log.length)]:
        assert b"".join(log.slice(start, end).chunks()) == whole[start:end]
    raw = GeneratedLog.of_size(123_457, when, raw=True)
    assert raw.length == 123_457
    assert len(b"".join(raw.chunks())) == 123_457


async def test_fault_truncated_log_ends_mid_element(
    fake: FakeCircleCI, http: aiohttp.ClientSession
) -> None:
    job = _job(fake)
    action = _actions(await _details(fake, http, job))[-1]
    fake.faults.truncate_body(100, origin="storage")
    status, headers, body = await _get(http, action["output_url"])
    assert (status, len(body), headers["Content-Length"]) == (200, 100, "100")
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)
    assert len(await _output(http, action)) > 3


async def test_fault_huge_log_answers_a_generated_array(
    fake: FakeCircleCI, http: aiohttp.ClientSession
) -> None:
    job = _job(fake)
    action = _actions(await _details(fake, http, job))[-1]
    fake.faults.huge_log(2_000_000)
    lines = await _output(http, action)
    assert len(lines) > 10_000
    assert [r.fault for r in fake.requests if r.origin == "storage"] == ["huge_log"]


async def test_fault_expired_output_url_then_fresh_details(
    fake: FakeCircleCI, http: aiohttp.ClientSession
) -> None:
    job = _job(fake)
    fake.faults.expire_log_urls()
    details = await _details(fake, http, job)
    expired, *rest = _actions(details)
    status, _, body = await _get(http, expired["output_url"])
    assert (status, b"Request has expired" in body) == (403, True)
    assert (await _get(http, rest[0]["output_url"]))[0] == 200
    again = _actions(await _details(fake, http, job))[0]
    assert (await _get(http, again["output_url"]))[0] == 200


async def test_fault_stalled_body_waits_on_the_fakes_sleep(
    fake_factory: FakeFactory, http: aiohttp.ClientSession
) -> None:
    clock = SteppingClock()
    fake = await fake_factory(clock=clock, sleep=clock.sleep)
    job = _job(fake)
    action = _actions(await _details(fake, http, job))[-1]
    fake.faults.stall_body(120.0, after_bytes=50, origin="storage")
    lines = await _output(http, action)
    assert clock.sleeps == [120.0]
    assert lines[-1]["message"] == EXIT_LINE


async def test_fault_stalled_body_stops_after_the_first_bytes(
    fake_factory: FakeFactory, http: aiohttp.ClientSession
) -> None:
    held = asyncio.Event()

    async def never(seconds: float) -> None:
        held.set()
        await asyncio.Event().wait()

    fake = await fake_factory(sleep=never)
    job = _job(fake)
    action = _actions(await _details(fake, http, job))[-1]
    fake.faults.stall_body(60.0, after_bytes=20, origin="storage")
    async with http.get(action["output_url"]) as response:
        assert response.status == 200
        first = await response.content.readexactly(20)
        await asyncio.wait_for(held.wait(), 5)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(response.content.read(1), 0.2)
    assert first.startswith(b'[{"message":')


def test_spec_check_skips_routes_outside_v2_but_not_v2() -> None:
    def record(path: str, operation: str, body: Any) -> RecordedRequest:
        return RecordedRequest(
            origin="api",
            method="GET",
            path=path,
            query={},
            headers={},
            operation_id=operation,
            received_at=0.0,
            status=200,
            body_json=body,
        )

    outside = record("/api/v1.1/project/github/a/b/1", "v1.1:getJobDetails", {"steps": []})
    assert recorded_violations([outside]) == []
    inside = record("/api/v2/me", "getCurrentUser", {"login": 5})
    assert recorded_violations([inside])


async def test_log_requests_are_recorded_with_their_route(
    fake: FakeCircleCI, http: aiohttp.ClientSession
) -> None:
    job = _job(fake)
    await _details(fake, http, job)
    (seen,) = fake.requests_for("v1.1:getJobDetails")
    assert seen.path == f"/api/v1.1/project/github/acme/widgets/{job.number}"
    assert seen.status == 200
