"""Actions (rerun, cancel, approve, trigger, continue, ...) read whatever 2xx answer came."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web

from circleci_async import CircleCI
from circleci_async.errors import NotFoundError
from circleci_async.models import Accepted, Message, PipelineCreation, WorkflowRerun

from .scripted import scripted_server

SLUG = "gh/acme/app"
ID = "5034460f-c7c4-4c43-9457-de07e2029e7b"

ACTIONS: dict[str, Callable[[CircleCI], Awaitable[Any]]] = {
    "rerunWorkflow": lambda c: c.workflows.rerun(ID),
    "cancelWorkflow": lambda c: c.workflows.cancel(ID),
    "approvePendingApprovalJobById": lambda c: c.workflows.approve(ID, ID),
    "cancelJobByJobNumber": lambda c: c.jobs.cancel(SLUG, 7),
    "cancelJobByJobID": lambda c: c.jobs.cancel_by_id(ID),
    "triggerPipeline": lambda c: c.pipelines.trigger(SLUG, branch="main"),
    "triggerPipelineRun": lambda c: c.pipelines.run(SLUG, config_branch="main"),
    "continuePipeline": lambda c: c.pipelines.continue_from_setup(
        continuation_key="k", configuration="version: 2.1"
    ),
    "rollbackProject": lambda c: c.rollbacks.create(
        ID,
        environment_name="prod",
        component_name="web",
        current_version="2",
        target_version="1",
    ),
    "createUsageExport": lambda c: c.usage.create_export(
        ID, start="2026-11-01T00:00:00Z", end="2026-11-02T00:00:00Z"
    ),
}
"""Every POST that starts something, called with valid arguments."""


def answering(status: int, body: bytes, content_type: str = "application/json") -> Any:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=status, body=body, content_type=content_type)

    return handler


async def act(operation: str, status: int, body: bytes, content_type: str = "") -> Any:
    handler = answering(status, body, content_type or "application/json")
    async with scripted_server(handler) as url, CircleCI("t", base_url=url) as circle:
        return await ACTIONS[operation](circle)


async def test_the_real_rerun_answer_is_accepted_not_a_decode_error() -> None:
    result = await act("rerunWorkflow", 202, b'{"message": "Accepted."}')
    assert result == Accepted(status=202, message="Accepted.", text='{"message": "Accepted."}')
    assert result.accepted


async def test_a_rerun_with_the_new_workflow_is_the_typed_result() -> None:
    result = await act("rerunWorkflow", 202, b'{"workflow_id": "%s"}' % ID.encode())
    assert result == WorkflowRerun(workflow_id=ID)


async def test_a_message_is_a_message_and_a_trigger_a_pipeline() -> None:
    assert await act("cancelWorkflow", 202, b'{"message": "Accepted."}') == Message(
        message="Accepted."
    )
    body = (
        b'{"id": "%s", "number": 4, "state": "pending", "created_at": "2026-12-01T00:00:00Z"}'
        % ID.encode()
    )
    created = await act("triggerPipeline", 201, body)
    assert isinstance(created, PipelineCreation)
    assert (created.id, created.number) == (ID, 4)


BAD_BODIES = [
    pytest.param(b"", "", None, id="empty"),
    pytest.param(b"   \n", "", None, id="blank"),
    pytest.param(b"Accepted.", "text/plain", None, id="not JSON"),
    pytest.param(b"<html>ok</html>", "text/html", None, id="HTML"),
    pytest.param(b'"Accepted."', "", "Accepted.", id="a bare string"),
    pytest.param(b"[1, 2]", "", None, id="a list"),
    pytest.param(b"{}", "", None, id="an empty object"),
]


@pytest.mark.parametrize("operation", sorted(ACTIONS))
@pytest.mark.parametrize(("body", "content_type", "message"), BAD_BODIES)
async def test_any_2xx_answer_to_an_action_is_accepted_with_its_raw_text(
    operation: str, body: bytes, content_type: str, message: str | None
) -> None:
    if body == b"{}" and operation in ("triggerPipelineRun", "rollbackProject"):
        pytest.skip("the spec requires no field of this result: {} is the typed result")
    result = await act(operation, 202, body, content_type)
    assert result == Accepted(status=202, message=message, text=body.decode())


async def test_an_object_with_a_message_but_no_result_keeps_the_message() -> None:
    result = await act("triggerPipeline", 201, b'{"message": "Pipeline queued."}')
    assert result == Accepted(
        status=201, message="Pipeline queued.", text='{"message": "Pipeline queued."}'
    )


async def test_an_error_answer_is_still_an_error() -> None:
    with pytest.raises(NotFoundError):
        await act("rerunWorkflow", 404, b'{"message": "Workflow not found."}')


async def test_a_non_utf8_body_is_kept_as_replaced_text() -> None:
    result = await act("cancelWorkflow", 200, b"\xff\xfeok", "application/octet-stream")
    assert isinstance(result, Accepted)
    assert result.text == "\ufffd\ufffdok"
