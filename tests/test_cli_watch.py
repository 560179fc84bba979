"""`pipelines trigger --wait`, `pipelines watch`, `workflows watch`: on the fake's clock."""

from __future__ import annotations

import functools
import io

import pytest

from circleci_async import CircleCI
from circleci_async.cli import common
from circleci_async.cli.style import Style
from circleci_async.cli.watch import WatchView
from circleci_async.testing import FakeCircleCI

from .cli_helpers import against, json_lines, run
from .clock import SteppingClock
from .conftest import FakeFactory

SLUG = "gh/acme/rocket"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> SteppingClock:
    """A clock the commands' clients sleep on, moving the fake's time along."""
    stepping = SteppingClock()
    made = functools.partial(CircleCI, clock=stepping, sleep=stepping.sleep)
    monkeypatch.setattr(common, "CircleCI", made)
    return stepping


async def builder(fake_factory: FakeFactory, clock: SteppingClock, *failing: str) -> FakeCircleCI:
    fake = await fake_factory(job_seconds=10, clock=clock)
    fake.state.add_project(SLUG)
    assert fake.runner is not None
    fake.runner.failing.update(failing)
    return fake


async def test_trigger_wait_prints_each_change_once_and_the_verdict(
    fake_factory: FakeFactory, clock: SteppingClock, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = await builder(fake_factory, clock)
    status = await run(against(fake, "pipelines", "trigger", SLUG, "--wait", "--exit-status"))
    out, err = capsys.readouterr()
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[-1] == "pipeline 1 passed: success"
    assert "    ✓ job build #3: success" in lines
    assert len(lines) == len(set(lines)), "a line per change, none repeated"
    assert "\x1b" not in out, "no colour and no redrawing into a pipe"
    assert sum(clock.sleeps) >= 20


async def test_watch_exit_status_is_1_when_a_job_failed(
    fake_factory: FakeFactory, clock: SteppingClock, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = await builder(fake_factory, clock, "test")
    status = await run(against(fake, "pipelines", "trigger", SLUG, "--json"))
    [created] = json_lines(capsys.readouterr().out)
    assert status == 0
    status = await run(against(fake, "pipelines", "watch", created["id"], "--exit-status"))
    out = capsys.readouterr().out
    assert status == 1
    assert out.splitlines()[-1] == "pipeline 1 failed: failed"
    assert "    ✗ job test #2: failed" in out.splitlines()
    assert await run(against(fake, "pipelines", "watch", created["id"])) == 0, "no --exit-status"


async def test_workflows_watch_json_prints_the_final_workflow(
    fake_factory: FakeFactory, clock: SteppingClock, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = await builder(fake_factory, clock)
    await run(against(fake, "pipelines", "trigger", SLUG, "--json"))
    [created] = json_lines(capsys.readouterr().out)
    await run(against(fake, "workflows", "list", created["id"], "--json"))
    [workflow] = json_lines(capsys.readouterr().out)
    status = await run(against(fake, "workflows", "watch", workflow["id"], "--json"))
    [final] = json_lines(capsys.readouterr().out)
    assert status == 0
    assert (final["id"], final["status"]) == (workflow["id"], "success")


async def test_a_watch_that_times_out_says_so_in_one_line(
    fake_factory: FakeFactory, clock: SteppingClock, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = await builder(fake_factory, clock)
    await run(against(fake, "pipelines", "trigger", SLUG, "--json"))
    [created] = json_lines(capsys.readouterr().out)
    status = await run(against(fake, "pipelines", "watch", created["id"], "--timeout", "5"))
    err = capsys.readouterr().err
    assert status == 1
    assert err == f"circleci-async: error: pipeline {created['id']} did not finish within 5 s\n"


@pytest.mark.parametrize("bad", ["0", "-1", "soon", "inf"])
async def test_a_bad_interval_is_exit_2_naming_it(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    status = await run(against(fake, "pipelines", "watch", "some-id", f"--interval={bad}"))
    err = capsys.readouterr().err
    assert status == 2
    assert "--interval" in err
    assert err.count("\n") == 1


def test_the_live_view_redraws_in_place_and_colours_by_status() -> None:
    stream = io.StringIO()
    view = WatchView(stream, live=True, style=Style(colour=True))
    view.show([("a", "job lint: running", "running"), ("b", "job test: running", "running")])
    view.show([("a", "job lint: success", "success"), ("b", "job test: failed", "failed")])
    drawn = stream.getvalue()
    assert "\x1b[2F\x1b[J" in drawn, "moves up over the two lines and clears them"
    assert "\x1b[32mjob lint: success\x1b[0m" in drawn
    assert "\x1b[31mjob test: failed\x1b[0m" in drawn


async def test_quiet_prints_only_the_id_and_the_verdict(
    fake_factory: FakeFactory, clock: SteppingClock, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = await builder(fake_factory, clock)
    status = await run(against(fake, "-q", "pipelines", "trigger", SLUG, "--wait"))
    out = capsys.readouterr().out
    [pipeline] = fake.state.pipelines.values()
    assert status == 0
    assert out == f"{pipeline.id}\n\npipeline 1 passed: success\n"


async def test_exit_status_without_wait_is_a_usage_error(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.state.add_project(SLUG)
    assert await run(against(fake, "pipelines", "trigger", SLUG, "--exit-status")) == 2
    assert "--exit-status needs --wait" in capsys.readouterr().err
    assert not fake.state.pipelines
