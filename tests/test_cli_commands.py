"""Every everyday command run in-process against the (spec-checked) fake: tables and JSON lines."""

from __future__ import annotations

import argparse
import io
from datetime import UTC, datetime

import pytest

from circleci_async.testing import FakeCircleCI, JobRecord, PipelineRecord

from .cli_helpers import against, assert_record, assert_table, json_lines, ok, run
from .conftest import FakeFactory

SLUG = "gh/acme/api-server"
PIPELINE_HEADERS = ["NUMBER", "STATE", "BRANCH", "TRIGGER", "CREATED", "ID", "SUBJECT"]
JOB_HEADERS = ["NUMBER", "NAME", "STATUS", "TYPE", "STARTED", "STOPPED", "ID"]


def history(fake: FakeCircleCI, count: int = 12) -> list[PipelineRecord]:
    """`count` pipelines, every third on a feature branch; newest first."""
    made = [
        fake.state.add_pipeline(
            SLUG,
            branch="feature/x" if n % 3 == 2 else "main",
            created_at=datetime(2025, 3, 3, 8, n, tzinfo=UTC),
            commit_subject=f"Change number {n}",
        )
        for n in range(count)
    ]
    return made[::-1]


def failed_build(fake: FakeCircleCI) -> tuple[PipelineRecord, str, JobRecord, JobRecord]:
    """A pipeline whose workflow failed on `test` after `lint` passed."""
    pipeline = fake.state.add_pipeline(SLUG)
    workflow = fake.state.add_workflow(pipeline.id, status="failed")
    lint = fake.state.add_job(workflow.id, name="lint")
    test = fake.state.add_job(workflow.id, name="test", status="failed", dependencies=[lint.id])
    return pipeline, workflow.id, lint, test


async def test_me_prints_the_user_aligned_and_as_json(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    fields = assert_record(await ok(fake, capsys, "me"))
    assert fields == {"login": "fake-user", "name": "Fake User", "id": fake.state.user.id}
    [user] = json_lines(await ok(fake, capsys, "me", "--json"))
    assert user["login"] == "fake-user"
    assert user["id"] == fake.state.user.id


async def test_global_options_may_come_before_the_command(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    status = await run(["--json", "--base-url", fake.base_url, "--token", fake.token, "me"])
    out, err = capsys.readouterr()
    assert (status, err) == (0, "")
    assert json_lines(out)[0]["login"] == "fake-user"


@pytest.mark.parametrize("variable", ["CIRCLECI_TOKEN", "CIRCLE_TOKEN"])
async def test_the_token_comes_from_the_environment(
    fake: FakeCircleCI,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
) -> None:
    monkeypatch.delenv("CIRCLECI_TOKEN", raising=False)
    monkeypatch.setenv(variable, fake.token)
    assert await run(["me", "--base-url", fake.base_url]) == 0
    assert "fake-user" in capsys.readouterr().out


async def test_pipelines_list_streams_newest_first_up_to_the_limit(
    fake_factory: FakeFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = await fake_factory(page_size=5)
    made = history(fake)
    rows = assert_table(
        await ok(fake, capsys, "pipelines", "list", SLUG, "--limit", "7"),
        PIPELINE_HEADERS,
        right={"NUMBER"},
    )
    assert [int(row.split()[0]) for row in rows] == [p.number for p in made[:7]]
    assert made[0].id in rows[0]
    assert "Change number 11" in rows[0]
    assert "2025-03-03 08:11:00Z" in rows[0]
    pages = fake.requests_for("listPipelinesForProject")
    assert len(pages) == 2, "the walk stops at the limit instead of reading every page"


async def test_pipelines_list_of_a_branch_as_json_lines(
    fake_factory: FakeFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = await fake_factory(page_size=3)
    made = history(fake)
    out = await ok(fake, capsys, "pipelines", "list", SLUG, "--branch", "main", "--json")
    items = json_lines(out)
    expected = [p for p in made if p.branch == "main"]
    assert [item["number"] for item in items] == [p.number for p in expected]
    assert {item["vcs"]["branch"] for item in items} == {"main"}
    assert all(item["project_slug"] == SLUG for item in items)


async def test_pipelines_list_says_when_there_are_none(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.state.add_project(SLUG)
    assert await ok(fake, capsys, "pipelines", "list", SLUG) == "no pipelines\n"
    assert await run(against(fake, "pipelines", "list", SLUG, "--json")) == 0
    assert capsys.readouterr().out == ""


async def test_text_from_the_server_cannot_break_a_row_or_drive_the_terminal(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.state.add_pipeline(SLUG, commit_subject="evil\x1b[2J\nsecond line\tand a tab")
    fake.state.add_pipeline(SLUG, commit_subject="plain")
    out = await ok(fake, capsys, "pipelines", "list", SLUG)
    rows = assert_table(out, PIPELINE_HEADERS, right={"NUMBER"})
    assert len(rows) == 2
    assert "\x1b" not in out
    assert "evil [2J second line and a tab" in rows[1]


async def test_pipelines_get_shows_one_pipeline(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    pipeline = fake.state.add_pipeline(
        SLUG, tag="v1.2.0", parameters={"deploy": True}, commit_subject="Release"
    )
    record, _, workflows = (await ok(fake, capsys, "pipelines", "get", pipeline.id)).partition(
        "\n\n"
    )
    assert workflows == "no workflows yet\n"
    fields = assert_record(record)
    assert fields["id"] == pipeline.id
    assert fields["number"] == str(pipeline.number)
    assert fields["branch"] == "tag:v1.2.0"
    assert fields["parameters"] == '{"deploy":true}'
    assert fields["subject"] == "Release"
    [item] = json_lines(await ok(fake, capsys, "pipelines", "get", pipeline.id, "--json"))
    assert item["id"] == pipeline.id
    assert item["trigger_parameters"] == {"deploy": True}


async def test_pipelines_trigger_sends_typed_parameters(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.state.add_project(SLUG)
    params = ["deploy=true", "dry_run=false", "replicas=3", "offset=-2", "ratio=0.5"]
    params += ["image=v1", "padded=007", "empty=", "expr=a=b"]
    args = ["pipelines", "trigger", SLUG, "--branch", "release"]
    for param in params:
        args += ["--param", param]
    fields = assert_record(await ok(fake, capsys, *args))
    created = fake.state.project(SLUG).pipelines[0]  # type: ignore[union-attr]
    assert created.branch == "release"
    assert created.parameters == {
        "deploy": True,
        "dry_run": False,
        "replicas": 3,
        "offset": -2,
        "ratio": "0.5",
        "image": "v1",
        "padded": "007",
        "empty": "",
        "expr": "a=b",
    }
    assert fields["number"] == str(created.number)
    assert fields["state"] == "pending"
    assert fields["branch"] == "release"


async def test_pipelines_trigger_on_a_tag_as_json(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.state.add_project(SLUG)
    out = await ok(fake, capsys, "pipelines", "trigger", SLUG, "--tag", "v2.0.0", "--json")
    [created] = json_lines(out)
    pipeline = fake.state.pipelines[created["id"]]
    assert (pipeline.tag, pipeline.branch, pipeline.parameters) == ("v2.0.0", None, {})
    assert created["number"] == pipeline.number
    assert created["state"] == "pending"


async def test_workflows_get_and_jobs(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    pipeline, workflow_id, lint, test = failed_build(fake)
    fields = assert_record(await ok(fake, capsys, "workflows", "get", workflow_id))
    assert fields["status"] == "failed"
    assert fields["pipeline"] == f"{pipeline.number} ({pipeline.id})"
    rows = assert_table(
        await ok(fake, capsys, "workflows", "jobs", workflow_id), JOB_HEADERS, right={"NUMBER"}
    )
    assert [row.split()[:3] for row in rows] == [
        [str(lint.number), "lint", "success"],
        [str(test.number), "test", "failed"],
    ]
    jobs = json_lines(await ok(fake, capsys, "workflows", "jobs", workflow_id, "--json"))
    assert [job["job_number"] for job in jobs] == [lint.number, test.number]


async def test_workflows_rerun_from_failed_and_cancel(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    pipeline, workflow_id, _, _ = failed_build(fake)
    fields = assert_record(
        await ok(fake, capsys, "workflows", "rerun", workflow_id, "--from-failed")
    )
    new_id = fields["new workflow"]
    assert fields["from failed"] == "true"
    rerun = fake.state.workflows[new_id]
    assert rerun.pipeline_id == pipeline.id
    statuses = [(job.name, job.status) for job in rerun.jobs]
    assert statuses == [("lint", "success"), ("test", "running")], "only the failed job reruns"

    [answer] = json_lines(await ok(fake, capsys, "workflows", "cancel", new_id, "--json"))
    assert answer == {"message": "Accepted."}
    assert fake.state.workflows[new_id].status == "canceled"


async def test_jobs_get_tests_artifacts_and_cancel(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, lint, test = failed_build(fake)
    number = str(test.number)
    fake.state.add_test(SLUG, test.number or 0, name="test_ok", run_time=0.25)
    fake.state.add_test(
        SLUG, test.number or 0, name="test_paging", result="failure", message="boom\ntrace"
    )
    fake.state.add_artifact(SLUG, test.number or 0, "reports/junit.xml", b"<x/>", node_index=1)

    fields = assert_record(await ok(fake, capsys, "jobs", "get", SLUG, number))
    assert (fields["number"], fields["name"], fields["status"]) == (number, "test", "failed")

    headers = ["RESULT", "NAME", "CLASSNAME", "FILE", "SECONDS", "MESSAGE"]
    rows = assert_table(
        await ok(fake, capsys, "jobs", "tests", SLUG, number), headers, right={"SECONDS"}
    )
    assert rows[0].split()[:2] == ["success", "test_ok"]
    assert "0.25" in rows[0]
    assert rows[1].split()[:2] == ["failure", "test_paging"]
    assert rows[1].endswith("boom"), "a message shows its first line"
    failed = await ok(fake, capsys, "jobs", "tests", SLUG, number, "--failed", "--json")
    assert [t["name"] for t in json_lines(failed)] == ["test_paging"]

    rows = assert_table(
        await ok(fake, capsys, "jobs", "artifacts", SLUG, number),
        ["NODE", "PATH", "URL"],
        right={"NODE"},
    )
    assert rows[0].split()[:2] == ["1", "reports/junit.xml"]
    [artifact] = json_lines(await ok(fake, capsys, "jobs", "artifacts", SLUG, number, "--json"))
    assert artifact["path"] == "reports/junit.xml"

    running = fake.state.add_job(test.workflow_id, name="deploy", status="running")
    assert running.number is not None
    fields = assert_record(await ok(fake, capsys, "jobs", "cancel", SLUG, str(running.number)))
    assert fields["canceled"] == f"job {running.number}"
    assert running.status == "canceled"
    assert await ok(fake, capsys, "jobs", "tests", SLUG, str(lint.number)) == "no test results\n"


async def test_projects_get(fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]) -> None:
    project = fake.state.add_project(SLUG, default_branch="trunk")
    fields = assert_record(await ok(fake, capsys, "projects", "get", SLUG))
    assert fields["id"] == project.id
    assert fields["default branch"] == "trunk"
    assert fields["organization"] == "acme (gh/acme)"
    [item] = json_lines(await ok(fake, capsys, "projects", "get", SLUG, "--json"))
    assert item["vcs_info"]["default_branch"] == "trunk"


async def test_envvars_set_list_delete_never_show_a_value_whole(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = fake.state.add_project(SLUG)
    secret = "hunter2-correct-horse-battery"
    fields = assert_record(await ok(fake, capsys, "envvars", "set", SLUG, "API_KEY", secret))
    assert fields == {"set": "API_KEY", "project": SLUG, "value": "xxxxtery"}
    assert project.env_vars["API_KEY"].value == secret

    monkeypatch.setattr("sys.stdin", io.StringIO("from-stdin-s3cret\n"))
    out = await ok(fake, capsys, "envvars", "set", SLUG, "DB_PASSWORD", "-", "--json")
    assert json_lines(out)[0]["value"] == "xxxxcret"
    assert project.env_vars["DB_PASSWORD"].value == "from-stdin-s3cret"

    out = await ok(fake, capsys, "envvars", "set", SLUG, "PIN", "123")
    assert assert_record(out)["value"] == "xxxx"
    assert "123" not in out

    rows = assert_table(
        await ok(fake, capsys, "envvars", "list", SLUG), ["NAME", "VALUE", "CREATED"]
    )
    assert [row.split()[:2] for row in rows] == [
        ["API_KEY", "xxxxtery"],
        ["DB_PASSWORD", "xxxxcret"],
        ["PIN", "xxxx"],
    ]
    listed = json_lines(await ok(fake, capsys, "envvars", "list", SLUG, "--json"))
    assert [v["value"] for v in listed] == ["xxxxtery", "xxxxcret", "xxxx"]

    fields = assert_record(await ok(fake, capsys, "envvars", "delete", SLUG, "PIN"))
    assert fields["deleted"] == "PIN"
    assert "PIN" not in project.env_vars
    capsys.readouterr()
    assert await run(against(fake, "envvars", "list", "gh/acme/empty")) == 1


async def test_artifacts_download_reports_as_json(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str], tmp_path: object
) -> None:
    _, _, _, test = failed_build(fake)
    fake.state.add_artifact(SLUG, test.number or 0, "a.txt", b"hello")
    args = ["artifacts", "download", SLUG, "--job", str(test.number), "--dest", str(tmp_path)]
    out = await ok(fake, capsys, *args, "--artifact-host", "localhost", "--json")
    [report] = json_lines(out)
    assert report["downloaded"] == 1
    assert report["bytes"] == 5
    assert report["ok"] is True
    assert report["failures"] == []


@pytest.mark.parametrize(
    "group",
    [["me"], ["pipelines", "trigger"], ["workflows", "rerun"], ["jobs", "tests"],
     ["projects", "get"], ["envvars", "set"], ["demo"], ["fake", "serve"]],
)  # fmt: skip
def test_every_command_has_help(group: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    from circleci_async.cli import main

    assert main([*group, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: circleci-async ")


def test_every_command_is_documented() -> None:
    from pathlib import Path

    from circleci_async.cli import build_parser

    root = Path(__file__).resolve().parent.parent
    docs = "\n".join(
        path.read_text(encoding="utf-8")
        for path in [root / "README.md", *sorted((root / "docs").glob("*.md"))]
    )
    parser = build_parser()
    [groups] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    commands = []
    for name, group in groups.choices.items():
        nested = [a for a in group._actions if isinstance(a, argparse._SubParsersAction)]
        commands += [f"{name} {command}" for sub in nested for command in sub.choices] or [name]
    assert len(commands) > len(groups.choices), "the command groups hold no commands"
    missing = [command for command in commands if f"circleci-async {command}" not in docs]
    assert missing == []
