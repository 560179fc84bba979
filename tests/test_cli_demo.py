"""`circleci-async demo` run in-process, its fake's answers checked against the spec."""

from __future__ import annotations

import io
import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import circleci_async.testing
from circleci_async.cli import demo, main
from circleci_async.testing import FakeCircleCI, FakeState, RecordedRequest
from circleci_async.testing.demo_org import DEMO_PROJECT, seed_demo_org

from .spec_validation import recorded_violations

pytestmark = pytest.mark.slow


class Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def answered(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[RecordedRequest]]:
    """Every answer of the demo's fake; they must all fit the spec."""
    seen: list[RecordedRequest] = []

    def checked_fake(**options: Any) -> FakeCircleCI:
        return FakeCircleCI(on_response=seen.append, **options)

    monkeypatch.setattr(circleci_async.testing, "FakeCircleCI", checked_fake)
    yield seen
    assert recorded_violations(seen) == []


def figure(out: str, pattern: str) -> list[int]:
    match = re.search(pattern, out)
    assert match, f"{pattern!r} not in:\n{out}"
    return [int(group.replace(",", "")) for group in match.groups()]


def test_the_demo_runs_the_main_job_and_reports_its_figures(
    answered: list[RecordedRequest], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--dest", str(tmp_path), "--seed", "3"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "signed in as fake-user (Fake User)" in out
    assert f"on main of {DEMO_PROJECT} with deploy=true image_tag=v1.12.0 replicas=3" in out
    [streamed, pages] = figure(out, r"streamed the newest (\d+) pipelines of main in (\d+) pages")
    assert (streamed, pages) == (demo.PIPELINES, 2)
    [workflows, jobs, _] = figure(out, r"fanned out to (\d+) workflows and (\d+) jobs with (\d+)")
    assert workflows >= demo.PIPELINES - 1
    assert jobs > workflows
    [failed_jobs, failed_tests] = figure(out, r"(\d+) failed jobs, (\d+) failed tests")
    assert failed_tests >= failed_jobs

    [sent] = figure(out, r"requests sent +(\d+) to the API")
    [pauses, refused, received] = figure(
        out, r"429s absorbed +(\d+) by the gate \(the fake recorded (\d+) of (\d+) API"
    )
    assert pauses == refused >= demo.REFUSED_BURST
    assert sent == received == sum(1 for r in answered if r.origin == "api")
    assert refused == sum(1 for r in answered if r.status == 429)
    [files, failed] = figure(out, r"files +(\d+) downloaded, (\d+) failed")
    assert failed == 0
    [size] = figure(out, r"bytes +[\d.]+ \w+ \(([\d,]+)\)")
    on_disk = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(on_disk) == files > 0
    assert sum(p.stat().st_size for p in on_disk) == size
    assert not [p for p in on_disk if p.name.endswith(".part")]
    assert re.search(r"seconds +\d+\.\d in all, \d+\.\d harvesting", out)
    assert "Traceback" not in out


def test_the_demo_in_json_with_a_bar_and_a_temporary_folder(
    answered: list[RecordedRequest],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(demo, "PIPELINES", 4)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(["demo", "--json"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    summary = json.loads(line)
    assert summary["pipelines"] == 4
    assert summary["gate_pauses"] == summary["rate_limited"] >= demo.REFUSED_BURST
    assert summary["files"] > 0
    assert summary["failed_files"] == 0
    assert summary["bytes"] > 0
    assert summary["dest"] is None
    assert summary["requests_sent"] == summary["api_requests_received"]
    assert summary["artifact_requests"] == summary["storage_requests"] == summary["files"]
    assert list(tmp_path.iterdir()) == [], "the temporary folder is removed"
    drawn = terminal.getvalue()
    assert drawn.startswith("\r[")
    assert f"{summary['files']}/{summary['files']} files" in drawn.rsplit("\r", 1)[-1]


def test_the_demo_organisation_is_realistic_and_follows_its_seed() -> None:
    state = FakeState(seed=1)
    org = seed_demo_org(state, 5, pipelines=100)
    assert len(org.projects) == 4
    assert org.projects[0] == DEMO_PROJECT
    assert org.pipelines == 100
    assert org.jobs > 2 * org.pipelines
    statuses = {job.status for job in state.jobs.values()}
    assert {"success", "failed", "running", "not_run", "on_hold"} <= statuses
    sizes = [a.blob.size for a in state.artifacts.values()]
    assert min(sizes) < 4096
    assert max(sizes) > 4 << 20
    assert any(t.result == "failure" and t.message for j in state.jobs.values() for t in j.tests)
    junit = next(a for a in state.artifacts.values() if a.path.endswith("junit-0.xml"))
    assert junit.blob.read(0, 38) == b'<?xml version="1.0" encoding="utf-8"?>'

    again = FakeState(seed=2)
    seed_demo_org(again, 5, pipelines=100)
    assert [p.branch for p in again.pipelines.values()] == [
        p.branch for p in state.pipelines.values()
    ]
    assert [j.status for j in again.jobs.values()] == [j.status for j in state.jobs.values()]


def test_the_main_job_runs_against_circleci_server_shapes_in_strict_mode(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[RecordedRequest] = []

    def recording_fake(**options: Any) -> FakeCircleCI:
        return FakeCircleCI(on_response=seen.append, **options)

    monkeypatch.setattr(circleci_async.testing, "FakeCircleCI", recording_fake)
    assert main(["demo", "--dest", str(tmp_path), "--profile", "server"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "Traceback" not in out
    assert f"project {DEMO_PROJECT}: " in out
    [files, failed] = figure(out, r"files +(\d+) downloaded, (\d+) failed")
    assert files > 0
    assert failed == 0
    [failed_jobs, _] = figure(out, r"(\d+) failed jobs, (\d+) failed tests")
    assert failed_jobs > 0

    by_operation: dict[str, list[Any]] = {}
    for answer in seen:
        if answer.operation_id and answer.status == 200:
            by_operation.setdefault(answer.operation_id, []).append(answer.body_json)
    [project] = by_operation["getProjectBySlug"]
    assert not {"id", "organization_slug", "organization_id"} & set(project)
    details = by_operation["getJobDetails"]
    assert len(details) == failed_jobs
    assert all(job["status"] is None and "id" not in job["project"] for job in details)
    approvals = [
        job
        for page in by_operation["listWorkflowJobs"]
        for job in page["items"]
        if job["type"] == "approval"
    ]
    assert approvals
    assert all("job_number" not in job and job["started_at"] is None for job in approvals)
    # The spec check would flag exactly these older shapes; everything else fits the spec.
    assert recorded_violations(seen) != []
