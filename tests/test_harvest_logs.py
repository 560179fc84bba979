"""Step logs in the harvester: every job's or the failed jobs' output, beside or instead of
artifacts, with the harvester's guarantees (atomic files, safe names, skips, shards, report)."""

from __future__ import annotations

import asyncio
import pickle
from pathlib import Path

import pytest

from circleci_async.artifacts import HarvestPlan, Outcome
from circleci_async.artifacts.logrefs import LogRef
from circleci_async.cli import main
from circleci_async.errors import InvalidArgumentError
from circleci_async.testing import FakeCircleCI
from circleci_async.testing.logs import EXIT_LINE, TIMEOUT_LINE

from .artifacts_helpers import SLUG, client, files_under
from .conftest import FakeFactory

STEPS = (
    "000-Spin-up-environment.log",
    "099-Preparing-environment-variables.log",
    "101-Checkout-code.log",
)


def _workflow(fake: FakeCircleCI) -> tuple[str, dict[str, int]]:
    """A workflow of a passing `build` (with an artifact), a failing `test`, a timed-out `e2e`."""
    pipeline = fake.state.add_pipeline(SLUG)
    workflow = fake.state.add_workflow(pipeline.id, status="failed")
    numbers: dict[str, int] = {}
    for name, status in (("build", "success"), ("test", "failed"), ("e2e", "timedout")):
        job = fake.state.add_job(workflow.id, name=name, status=status)  # type: ignore[arg-type]
        assert job.number is not None
        numbers[name] = job.number
    fake.state.add_artifact(SLUG, numbers["build"], "dist/app.bin", b"binary")
    return workflow.id, numbers


def _logs_of(files: dict[str, Path], folder: str) -> list[str]:
    prefix = f"{folder}/logs/0/"
    return sorted(key.removeprefix(prefix) for key in files if key.startswith(prefix))


async def test_job_logs_beside_its_artifacts(fake: FakeCircleCI, tmp_path: Path) -> None:
    _, numbers = _workflow(fake)
    async with client(fake) as circle:
        report = await circle.artifacts.download_job(SLUG, numbers["test"], tmp_path, logs="all")
    files = files_under(tmp_path)
    assert sorted(files) == [f"logs/0/{name}" for name in (*STEPS, "102-make-test.log")]
    failed = files["logs/0/102-make-test.log"].read_text()
    assert failed.endswith(EXIT_LINE)
    assert "\x1b[31merror:\x1b[0m make test failed\n" in failed
    assert report.ok
    assert (report.listed, report.downloaded) == (4, 4)
    assert report.bytes == sum(path.stat().st_size for path in files.values())
    assert not fake.storage_saw_token


async def test_workflow_logs_of_failed_jobs_only_instead_of_artifacts(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    workflow_id, numbers = _workflow(fake)
    async with client(fake) as circle:
        report = await circle.artifacts.download_workflow(
            workflow_id, tmp_path, logs="failed", logs_only=True
        )
    files = files_under(tmp_path)
    test, e2e = f"{numbers['test']}-test", f"{numbers['e2e']}-e2e"
    assert {key.split("/")[0] for key in files} == {test, e2e}
    assert _logs_of(files, test) == [*STEPS, "102-make-test.log"]
    assert files[f"{e2e}/logs/0/102-make-e2e.log"].read_text().endswith(TIMEOUT_LINE)
    assert report.ok
    # the passing job's status said enough: its steps were never asked for
    asked = [r.path.rsplit("/", 1)[1] for r in fake.requests_for("v1.1:getJobDetails")]
    assert sorted(asked) == sorted([str(numbers["test"]), str(numbers["e2e"])])


async def test_pipeline_logs_of_every_job_and_artifacts(fake: FakeCircleCI, tmp_path: Path) -> None:
    _workflow(fake)
    pipeline_id = fake.state.projects[SLUG].pipelines[0].id
    async with client(fake) as circle:
        report = await circle.artifacts.download_pipeline(pipeline_id, tmp_path, logs="all")
    files = files_under(tmp_path)
    assert sum(1 for key in files if "/logs/" in key) == 12
    assert sum(1 for key in files if key.endswith("/0/dist/app.bin")) == 1
    assert report.ok


async def test_a_second_run_skips_logs_already_saved(fake: FakeCircleCI, tmp_path: Path) -> None:
    _, numbers = _workflow(fake)
    async with client(fake) as circle:
        await circle.artifacts.download_job(SLUG, numbers["test"], tmp_path, logs="all")
        before = len([r for r in fake.requests if r.origin == "storage"])
        again = await circle.artifacts.download_job(SLUG, numbers["test"], tmp_path, logs="all")
    assert {f.outcome for f in again.files} == {Outcome.SKIPPED}
    assert len([r for r in fake.requests if r.origin == "storage"]) == before


async def test_a_log_cut_mid_element_fails_and_leaves_no_file(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    _, numbers = _workflow(fake)
    fake.faults.truncate_body(60, origin="storage", times=10)
    async with client(fake) as circle:
        report = await circle.artifacts.download_job(
            SLUG, numbers["test"], tmp_path, logs="all", concurrency=1
        )
    assert report.failed == 4
    assert not report.ok
    assert files_under(tmp_path) == {}
    (first, *_) = report.files
    assert first.error is not None
    assert "X-Amz-Signature" not in str(first.error)


async def test_an_expired_output_url_is_renewed_once(fake: FakeCircleCI, tmp_path: Path) -> None:
    _, numbers = _workflow(fake)
    async with client(fake) as circle:
        fake.faults.expire_log_urls(times=4)
        plan = await circle.artifacts.plan_job(SLUG, numbers["test"], logs="all")
        report = await circle.artifacts.download(plan, tmp_path)
    assert report.ok
    assert report.downloaded == 4
    statuses = [r.status for r in fake.requests if r.origin == "storage"]
    assert statuses.count(403) == 4


async def test_hostile_step_names_stay_inside_the_destination(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    pipeline = fake.state.add_pipeline(SLUG)
    workflow = fake.state.add_workflow(pipeline.id)
    job = fake.state.add_job(workflow.id, name="build")
    pipeline.config = (
        "version: 2.1\njobs:\n  build:\n    steps:\n"
        "      - run:\n          name: ../../../etc/passwd\n          command: make\n"
        "      - run:\n          name: /abs/..\\\\C:\\\\x\n          command: make\n"
        "workflows:\n  main:\n    jobs:\n      - build\n"
    )
    assert job.number is not None
    dest = tmp_path / "dest"
    async with client(fake) as circle:
        report = await circle.artifacts.download_job(SLUG, job.number, dest, logs="all")
    assert report.ok
    names = sorted(files_under(dest))
    assert names[-2:] == ["logs/0/101-etc-passwd.log", "logs/0/102-abs-..-C-x.log"]
    assert sorted(files_under(tmp_path)) == [f"dest/{name}" for name in names]


async def test_shards_of_a_logs_plan_write_each_file_once(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    workflow_id, _ = _workflow(fake)
    async with client(fake) as circle:
        plan = await circle.artifacts.plan_workflow(workflow_id, logs="all")
        again = pickle.loads(pickle.dumps(plan))
        assert isinstance(again, HarvestPlan)
        assert sum(isinstance(ref, LogRef) for ref in again) == 12
        reports = [await circle.artifacts.download(part, tmp_path) for part in again.shards(3)]
    assert sum(r.downloaded for r in reports) == len(plan) == 13
    assert len(files_under(tmp_path)) == 13
    logs = [r.path for r in fake.requests if r.origin == "storage" and "-step-" in r.path]
    assert len(logs) == len(set(logs)) == 12


async def test_bad_log_options_are_refused(fake: FakeCircleCI, tmp_path: Path) -> None:
    async with client(fake) as circle:
        with pytest.raises(InvalidArgumentError, match="logs must be 'none', 'all' or 'failed'"):
            await circle.artifacts.download_job(SLUG, 1, tmp_path, logs="some")  # type: ignore[arg-type]
        with pytest.raises(InvalidArgumentError, match="logs_only=True needs logs"):
            await circle.artifacts.download_job(SLUG, 1, tmp_path, logs_only=True)
        with pytest.raises(InvalidArgumentError, match="logs_only=True needs logs"):
            await circle.artifacts.plan_workflow("0" * 8, logs_only=True)
    assert fake.requests == []


async def test_a_job_whose_steps_cannot_be_read_is_a_listing_failure(
    fake: FakeCircleCI, tmp_path: Path
) -> None:
    async with client(fake) as circle:
        report = await circle.artifacts.download_job(SLUG, 4242, tmp_path, logs="all")
    sources = [failure.source for failure in report.listing_failures]
    assert f"the steps of job 4242 of {SLUG}" in sources
    assert not report.ok


async def test_cli_logs_flags(
    fake: FakeCircleCI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workflow_id, numbers = _workflow(fake)
    common = ["artifacts", "download", SLUG, "--base-url", fake.base_url, "--token", fake.token]
    common += ["--artifact-host", "localhost", "--workflow", workflow_id]
    both = await asyncio.to_thread(main, [*common, "--dest", str(tmp_path / "a"), "--logs"])
    out, err = capsys.readouterr()
    assert (both, err) == (0, "")
    assert "13 downloaded, 0 skipped, 0 failed of 13 files" in out
    only = [*common, "--dest", str(tmp_path / "b"), "--logs", "failed", "--logs-only"]
    assert await asyncio.to_thread(main, only) == 0
    files = files_under(tmp_path / "b")
    assert {key.split("/")[0] for key in files} == {
        f"{numbers['test']}-test",
        f"{numbers['e2e']}-e2e",
    }
    alone = [*common, "--dest", str(tmp_path / "c"), "--logs-only"]
    assert await asyncio.to_thread(main, alone) == 0
    assert not any(key.endswith("app.bin") for key in files_under(tmp_path / "c"))
    assert sum(1 for key in files_under(tmp_path / "c") if "/logs/" in key) == 12
    capsys.readouterr()
    assert main([*common, "--dest", str(tmp_path / "d"), "--logs", "some"]) == 2
    assert "--logs: invalid choice: 'some'" in capsys.readouterr().err


DASK_TOKEN = "fake-token-the-dask-workers-of-the-logs-test-read"


@pytest.mark.slow
async def test_a_logs_plan_harvests_on_dask_workers(
    fake_factory: FakeFactory, tmp_path: Path
) -> None:
    import distributed

    from circleci_async.dask import WorkerClient, harvest

    fake = await fake_factory(token=DASK_TOKEN)
    workflow_id, numbers = _workflow(fake)
    async with client(fake) as circle:
        plan = await circle.artifacts.plan_workflow(workflow_id, logs="failed", logs_only=True)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CIRCLECI_TOKEN", DASK_TOKEN)
        cluster = distributed.LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
        dask_client = distributed.Client(cluster)  # type: ignore[no-untyped-call]
        try:
            workers = WorkerClient(base_url=fake.base_url, artifact_hosts=("localhost",))
            report = await asyncio.to_thread(
                harvest, dask_client, plan, tmp_path, workers=workers, shards=3, timeout=120
            )
        finally:
            dask_client.close()  # type: ignore[no-untyped-call]
            cluster.close()
    assert report.ok
    assert report.downloaded == len(plan) == 8
    files = files_under(tmp_path)
    assert files[f"{numbers['test']}-test/logs/0/102-make-test.log"].read_text().endswith(EXIT_LINE)
    logs = [r.path for r in fake.requests if r.origin == "storage"]
    assert len(logs) == len(set(logs)) == 8
