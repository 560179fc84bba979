"""v1.1 job details read tolerantly, the helpers on them, and the v1.1 path rules."""

from __future__ import annotations

import pytest

from circleci_async.errors import ConfigurationError, DecodeError, InvalidArgumentError
from circleci_async.logs import (
    LOG_ENDPOINTS,
    ActionStatus,
    api_root,
    read_steps,
    strip_ansi,
    v11_path,
)
from circleci_async.logs.stream import check_tail, pick_action


def action(**fields: object) -> dict[str, object]:
    return {"index": 0, "step": 0, "status": "success", "failed": None, "exit_code": 0, **fields}


ANSWER = {
    "build_num": 12,
    "status": "failed",
    "lifecycle": "finished",
    "parallel": 2,
    "workflows": {"job_name": "test", "job_id": "5c1c0c36-0000-4000-8000-000000000001"},
    "steps": [
        {"name": "Spin up environment", "actions": [action(step=0)]},
        {"name": "Checkout code", "actions": [action(step=1, exit_code=None)]},
        {
            "name": "run tests",
            "actions": [
                action(step=115, index=0, status="failed", failed=True, exit_code=1),
                action(step=115, index=1, status="success", exit_code=0),
            ],
        },
        {"name": "silent", "actions": [action(step=116, status="timedout", exit_code=None)]},
        {"name": "odd", "actions": [action(step=117, status="brand_new", exit_code=None)]},
        {"name": "bare", "actions": [{}]},
    ],
    "unknown_field": {"kept": True},
}


def test_steps_decode_with_nulls_missing_fields_and_unknown_statuses() -> None:
    steps = read_steps(ANSWER)
    assert [s.id for s in steps.steps] == [0, 1, 115, 116, 117, None]
    assert steps.number == 12
    assert steps.parallelism == 2
    assert steps.job_name == "test"
    assert steps.job_id == "5c1c0c36-0000-4000-8000-000000000001"
    odd = steps.steps[4].actions[0]
    assert odd.status == "brand_new"
    assert steps.steps[3].actions[0].status == ActionStatus.TIMEDOUT
    assert steps.steps[5].actions[0].status is None
    assert steps.raw is ANSWER
    assert steps.raw["unknown_field"] == {"kept": True}
    assert steps.containers() == [0, 1]


def test_failed_actions_include_the_no_output_timeout_with_nulls() -> None:
    steps = read_steps(ANSWER)
    failed = steps.failed_actions()
    assert [(a.step, a.index) for a in failed] == [(115, 0), (116, 0)]
    silent = failed[1]
    assert silent.failed is None
    assert silent.exit_code is None
    assert silent.timed_out
    assert silent.outcome == "timed out"
    assert failed[0].outcome == "exit code 1"
    ending = steps.ending_step()
    assert ending is not None
    assert ending.name == "run tests"


def test_a_non_zero_exit_code_alone_counts_as_failed() -> None:
    steps = read_steps({"steps": [{"name": "x", "actions": [action(exit_code=2)]}]})
    assert [a.exit_code for a in steps.failed_actions()] == [2]


def test_the_output_url_stays_out_of_repr() -> None:
    signed = "https://storage.example/o?X-Amz-Signature=abc"
    steps = read_steps({"steps": [{"name": "x", "actions": [action(output_url=signed)]}]})
    assert "X-Amz" not in repr(steps)
    assert steps.steps[0].actions[0].output_url == signed


def test_an_answer_that_is_not_an_object_is_a_decode_error() -> None:
    with pytest.raises(DecodeError, match="a list"):
        read_steps([1])


def test_picking_a_step_by_id_or_name_and_container() -> None:
    steps = read_steps(ANSWER)
    assert pick_action(steps, 115, 1).index == 1
    assert pick_action(steps, "run tests", 0).status == "failed"
    with pytest.raises(InvalidArgumentError, match="no step 7; its steps: 0 'Spin up"):
        pick_action(steps, 7, 0)
    with pytest.raises(InvalidArgumentError, match=r"no container 5; it ran on \[0, 1\]"):
        pick_action(steps, 115, 5)
    with pytest.raises(InvalidArgumentError, match=r"has no steps yet \(its status is queued\)"):
        pick_action(read_steps({"build_num": 3, "status": "queued", "steps": []}), 0, 0)


@pytest.mark.parametrize("tail", [0, -1, True, 1.5, "3"])
def test_tail_must_be_a_positive_int(tail: object) -> None:
    with pytest.raises(InvalidArgumentError, match="tail must be a positive"):
        check_tail(tail)


@pytest.mark.parametrize(
    ("slug", "vcs"),
    [("gh/org/repo", "github"), ("github/org/repo", "github"), ("bb/o/r", "bitbucket")],
)
def test_v11_names_the_vcs_in_full(slug: str, vcs: str) -> None:
    assert v11_path(slug, 7) == {
        "vcs": vcs,
        "org": slug.split("/")[1],
        "repo": slug.split("/")[2],
        "job-number": "7",
    }


def test_a_circleci_slug_is_sent_as_it_is_and_a_bad_one_refused() -> None:
    org, project = "1f1e4ac0-0000-4000-8000-00000000000a", "2b2e4ac0-0000-4000-8000-00000000000b"
    assert v11_path(f"circleci/{org}/{project}", 1)["vcs"] == "circleci"
    with pytest.raises(InvalidArgumentError, match="malformed project slug"):
        v11_path("gl/org/repo", 1)
    with pytest.raises(InvalidArgumentError, match="must not be negative"):
        v11_path("gh/org/repo", -1)


def test_the_api_root_comes_from_the_base_url() -> None:
    assert api_root("https://circleci.com/api/v2") == "https://circleci.com"
    assert api_root("https://ci.example.com/circle/api/v2/") == "https://ci.example.com/circle"
    with pytest.raises(ConfigurationError, match="ending in /api/v2"):
        api_root("https://circleci.com/v2")


def test_the_log_endpoints_are_one_table_of_endpoints_outside_the_spec() -> None:
    names = [endpoint.operation_id for endpoint in LOG_ENDPOINTS]
    assert len(set(names)) == len(names)
    assert all(endpoint.path.startswith("/api/v") for endpoint in LOG_ENDPOINTS)


def test_strip_ansi_removes_colours_and_carriage_return_rewrites() -> None:
    assert strip_ansi("\x1b[1;31mred\x1b[0m plain") == "red plain"
    assert strip_ansi("10%\r50%\r100%\nnext\r\n") == "100%\nnext\n"
    assert strip_ansi("\x1b]0;title\x07text") == "text"
