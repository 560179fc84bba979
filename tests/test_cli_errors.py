"""Wrong command lines exit 2 and failures exit 1, each with one line on stderr and no token."""

from __future__ import annotations

import pytest

from circleci_async import RetryPolicy
from circleci_async.cli import main
from circleci_async.testing import FakeCircleCI

from .cli_helpers import against, closed_port, run

SLUG = "gh/acme/api-server"
TOKEN = "s3cr3t-t0ken-value"
MISSING_PIPELINE = "5034460f-c7c4-4c43-9457-de07e2029e7b"


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries as the commands do them, with waits of milliseconds."""
    policy = RetryPolicy(attempts=3, base_delay=0.001, max_delay=0.002)
    monkeypatch.setattr("circleci_async.cli.common.RETRY_POLICY", policy)


def one_line(err: str) -> str:
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "invalid choice: 'nope'"),
        (["pipelines", "nope"], "invalid choice: 'nope'"),
        (["me", "--bogus"], "unrecognized arguments: --bogus"),
        (["pipelines", "list", SLUG, "--limt", "3"], "unrecognized arguments: --limt"),
        (["pipelines", "list", SLUG, "--limit", "0"], "must be at least 1"),
        (["pipelines", "list", "acme/api"], "malformed project slug 'acme/api'"),
        (["pipelines", "list", "xx/acme/api"], "the vcs part must be"),
        (["pipelines", "trigger", SLUG, "--param", "deploy"], "expected key=value, got 'deploy'"),
        (["pipelines", "trigger", SLUG, "--param", "=1"], "expected key=value, got '=1'"),
        (["pipelines", "trigger", SLUG, "--param", "a=1", "--param", "a=2"], "'a' given twice"),
        (["pipelines", "trigger", SLUG, "--branch", "b", "--tag", "t"], "not allowed with"),
        (["pipelines", "get"], "the following arguments are required: ID"),
        (["jobs", "get", SLUG, "one"], "not a job number: 'one'"),
        (["jobs", "tests", SLUG, "-3"], "not a job number: '-3'"),
        (["jobs", "cancel", SLUG, "1.5"], "not a job number: '1.5'"),
        (["envvars", "set", SLUG, "NAME"], "the following arguments are required: VALUE"),
        (["workflows", "rerun"], "the following arguments are required: ID"),
        (["fake", "serve", "--port", "70000"], "not a port number"),
        (["me", "--base-url", "ftp://example.com"], "--base-url must be an http://"),
    ],
)  # fmt: skip
def test_usage_errors_exit_2_with_one_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*args, "--token", TOKEN]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert message in one_line(err)
    assert "error:" in err
    assert TOKEN not in err


@pytest.mark.parametrize("args", [["me"], ["pipelines", "list", SLUG], ["jobs", "get", SLUG, "1"]])
def test_no_token_is_a_usage_error(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CIRCLECI_TOKEN", raising=False)
    monkeypatch.setenv("CIRCLE_TOKEN", "  ")
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert one_line(err).startswith("circleci-async: error: no CircleCI token: pass --token")


def test_a_token_misplaced_on_the_command_line_is_not_echoed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo", f"--token={TOKEN}"]) == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments: --token=***" in one_line(err)
    assert TOKEN not in err


def test_an_unreachable_base_url_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{closed_port()}/api/v2"
    assert main(["me", "--base-url", url, "--token", TOKEN]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert one_line(err).startswith("circleci-async: error: cannot connect")
    assert f"(GET {url}/me)" in err
    assert TOKEN not in err


async def test_a_missing_pipeline_exits_1(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run(against(fake, "pipelines", "get", MISSING_PIPELINE)) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert one_line(err).startswith("circleci-async: error: 404 ")
    assert MISSING_PIPELINE in err
    assert fake.token not in err


async def test_a_wrong_token_exits_1_without_showing_it(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    status = await run(["me", "--base-url", fake.base_url, "--token", TOKEN, "--json"])
    out, err = capsys.readouterr()
    assert status == 1
    assert out == ""
    assert one_line(err).startswith("circleci-async: error: 401 ")
    assert TOKEN not in err
    assert fake.requests_for("getCurrentUser")[0].status == 401


async def test_server_errors_exit_1_after_retries(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.state.add_project(SLUG)
    fake.faults.error(502, times=3, operation="listPipelinesForProject")
    status = await run(against(fake, "pipelines", "list", SLUG))
    out, err = capsys.readouterr()
    assert status == 1
    assert out == ""
    assert one_line(err).startswith("circleci-async: error: 502 ")
    assert len(fake.requests_for("listPipelinesForProject")) == 3


async def test_a_trigger_answered_500_is_not_sent_twice(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.state.add_project(SLUG)
    fake.faults.error(500, operation="triggerPipeline")
    status = await run(against(fake, "pipelines", "trigger", SLUG, "--param", "x=1"))
    assert status == 1
    assert one_line(capsys.readouterr().err).startswith("circleci-async: error: 500 ")
    assert len(fake.requests_for("triggerPipeline")) == 1


async def test_a_refused_change_exits_1(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    workflow = fake.state.add_workflow(fake.state.add_pipeline(SLUG).id, status="running")
    assert await run(against(fake, "workflows", "rerun", workflow.id)) == 1
    assert "400 " in one_line(capsys.readouterr().err)


class ClosedPipe:
    """A stdout whose reader went away (`| head`)."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


async def test_a_closed_pipe_ends_the_command_quietly(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(3):
        fake.state.add_pipeline(SLUG)
    monkeypatch.setattr("sys.stdout", ClosedPipe())
    assert await run(against(fake, "pipelines", "list", SLUG, "--json")) == 141
    assert capsys.readouterr().err == ""
