"""From a pipeline to its workflows and jobs by the ids each command prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from circleci_async.testing import FakeCircleCI

from .cli_helpers import against, assert_record, assert_table, json_lines, ok, run

SLUG = "gh/acme/api-server"
WORKFLOW_HEADERS = ["NAME", "STATUS", "CREATED", "STOPPED", "ID"]
JOB_HEADERS = ["NUMBER", "NAME", "STATUS", "TYPE", "STARTED", "STOPPED", "ID"]


def built(fake: FakeCircleCI) -> tuple[str, int, str, str]:
    """A pipeline with a failed workflow of two jobs: pipeline id, number, workflow id, job id."""
    pipeline = fake.state.add_pipeline(SLUG)
    workflow = fake.state.add_workflow(pipeline.id, name="build-and-test", status="failed")
    lint = fake.state.add_job(workflow.id, name="lint")
    fake.state.add_job(workflow.id, name="test", status="failed", dependencies=[lint.id])
    return pipeline.id, pipeline.number, workflow.id, lint.id


async def test_pipelines_get_shows_its_workflows_with_their_ids(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    pipeline_id, _, workflow_id, _ = built(fake)
    out = await ok(fake, capsys, "pipelines", "get", pipeline_id)
    record, _, table = out.partition("\n\n")
    assert assert_record(record)["id"] == pipeline_id
    [row] = assert_table(table, WORKFLOW_HEADERS)
    assert row.split()[:2] == ["build-and-test", "failed"]
    assert row.split()[-1] == workflow_id


async def test_pipelines_get_by_number_needs_the_slug(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    pipeline_id, number, _, _ = built(fake)
    out = await ok(fake, capsys, "pipelines", "get", SLUG, "--number", str(number), "--json")
    [pipeline] = json_lines(out)
    assert pipeline["id"] == pipeline_id
    status = await run(against(fake, "pipelines", "get", pipeline_id, "--number", "1"))
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1
    assert "--number needs a project SLUG" in err


async def test_workflows_list_then_jobs_list_walk_down_by_id(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    pipeline_id, _, workflow_id, lint_id = built(fake)
    [row] = assert_table(await ok(fake, capsys, "workflows", "list", pipeline_id), WORKFLOW_HEADERS)
    assert row.split()[-1] == workflow_id
    rows = assert_table(
        await ok(fake, capsys, "jobs", "list", workflow_id), JOB_HEADERS, right={"NUMBER"}
    )
    assert [r.split()[1:3] for r in rows] == [["lint", "success"], ["test", "failed"]]
    assert rows[0].split()[-1] == lint_id
    [workflow] = json_lines(await ok(fake, capsys, "workflows", "list", pipeline_id, "--json"))
    assert workflow["id"] == workflow_id


async def test_workflows_get_names_who_started_it(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, workflow_id, _ = built(fake)
    fields = assert_record(await ok(fake, capsys, "workflows", "get", workflow_id))
    assert fields["started by"] == f"fake-user ({fake.state.user.id})"


async def test_artifacts_download_by_pipeline_or_workflow_needs_no_slug(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str], tmp_path: object
) -> None:
    pipeline_id, _, workflow_id, _ = built(fake)
    for source in ("--pipeline", "--workflow"):
        target = pipeline_id if source == "--pipeline" else workflow_id
        args = ["artifacts", "download", source, target, "--dest", f"{tmp_path}/{source}"]
        out = await ok(fake, capsys, *args)
        assert "0 failed" in out
    status = await run(against(fake, "artifacts", "download", "--job", "1", "--dest", "x"))
    err = capsys.readouterr().err
    assert status == 2
    assert "--job needs a PROJECT_SLUG" in err


async def test_a_destination_that_is_a_file_is_one_line_naming_it(
    fake: FakeCircleCI, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pipeline_id, _, _, _ = built(fake)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    args = ["artifacts", "download", "--pipeline", pipeline_id, "--dest", str(blocker)]
    status = await run(against(fake, *args))
    err = capsys.readouterr().err
    assert status == 1
    assert err.count("\n") == 1, err
    assert f"the destination folder {blocker} cannot be used" in err
