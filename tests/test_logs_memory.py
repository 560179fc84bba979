"""A big generated log is iterated and saved in bounded memory (a fresh process measures RSS)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SIZE_MIB = 48
SCRIPT = """
import asyncio, resource, sys
from circleci_async import CircleCI
from circleci_async.testing import FakeCircleCI

async def main():
    async with FakeCircleCI(record=False) as fake:
        slug = "gh/acme/widgets"
        workflow = fake.state.add_workflow(fake.state.add_pipeline(slug).id, status="failed")
        job = fake.state.add_job(workflow.id, name="test", status="failed")
        fake.logs.set_output(job, 102, size=int(sys.argv[1]) << 20)
        async with CircleCI(fake.token, base_url=fake.base_url) as circle:
            await circle.jobs.steps(slug, job.number)
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            count = 0
            async for _ in circle.jobs.output(slug, job.number, step=102):
                count += 1
            size = await circle.jobs.output(slug, job.number, step=102).save(sys.argv[2])
            after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(count, size, (after - before) // 1024)

asyncio.run(main())
"""


def test_a_big_log_iterates_and_saves_with_flat_memory(tmp_path: Path) -> None:
    target = tmp_path / "big.log"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(SIZE_MIB), str(target)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    count, size, growth_mib = (int(word) for word in done.stdout.split())
    assert count > 10_000
    assert size == target.stat().st_size
    assert size > (SIZE_MIB << 20) // 3
    assert growth_mib < 40, f"RSS grew by {growth_mib} MiB reading a {SIZE_MIB} MiB log"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.log"]


@pytest.mark.parametrize(
    "module",
    ["circleci_async.services", "circleci_async.artifacts", "circleci_async.logs.stream"],
)
def test_logs_and_the_harvester_import_in_any_order(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
