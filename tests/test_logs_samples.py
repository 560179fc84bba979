"""Real v1.1 answers other projects recorded (tests/samples/v1.1) decode strictly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aiohttp import web

from circleci_async import CircleCI
from circleci_async.logs import ArrayReader
from circleci_async.logs.reader import log_line

from .scripted import scripted_server

SAMPLES = Path(__file__).with_name("samples") / "v1.1"
DETAILS = sorted((SAMPLES / "job-details").glob("*.json"))
OUTPUTS = sorted((SAMPLES / "step-output").glob("*.json"))
BODIES = {path: path.read_bytes() for path in DETAILS}


def test_every_sample_is_listed_with_its_source() -> None:
    source = (SAMPLES / "SOURCE.md").read_text(encoding="utf-8")
    for path in DETAILS + OUTPUTS:
        assert f"| {path.parent.name}/{path.name} |" in source
    assert len(DETAILS) >= 3
    assert len(OUTPUTS) >= 3


@pytest.mark.parametrize("path", DETAILS, ids=lambda p: p.name)
async def test_job_details_decode_through_the_client(path: Path) -> None:
    body = BODIES[path]
    seen: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(request.path)
        return web.Response(body=body, content_type="application/json")

    async with scripted_server(handler) as url, CircleCI("t", base_url=url) as circle:
        assert circle.core.drift.strict
        steps = await circle.jobs.steps("gh/acme/widgets", 7)
    data = json.loads(body)
    assert seen == ["/api/v1.1/project/github/acme/widgets/7"]
    assert steps.number == data["build_num"]
    assert [s.name for s in steps.steps] == [s["name"] for s in data["steps"]]
    assert sum(len(s.actions) for s in steps.steps) == sum(len(s["actions"]) for s in data["steps"])
    assert all(a.output_url for a in steps.actions() if a.has_output)
    assert steps.raw == data


def test_the_parallel_sample_fails_on_one_container() -> None:
    from circleci_async.logs import read_steps

    data = json.loads((SAMPLES / "job-details" / "ci_runner-job_parallel.json").read_bytes())
    steps = read_steps(data)
    failed = steps.failed_actions()
    assert [(a.name, a.index, a.exit_code) for a in failed] == [("Install Google Chrome", 2, 56)]
    assert steps.containers() == [0, 1, 2]
    ids = [s.id for s in steps.steps if s.id is not None]
    assert ids == sorted(ids)
    assert ids != list(range(len(ids)))


@pytest.mark.parametrize("path", OUTPUTS, ids=lambda p: p.name)
@pytest.mark.parametrize("chunk", [1, 100, 1 << 20])
def test_step_output_reads_in_any_chunks(path: Path, chunk: int) -> None:
    body = path.read_bytes()
    reader = ArrayReader()
    elements = []
    for start in range(0, len(body), chunk):
        elements += reader.feed(body[start : start + chunk])
    elements += reader.close()
    assert elements == json.loads(body)
    lines = [log_line(element, n) for n, element in enumerate(elements)]
    assert "".join(line.message for line in lines)
    assert {line.stream for line in lines} <= {"out", "err"}
