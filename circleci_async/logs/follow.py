"""`Follower`: a running step's output as it grows, until the step ends.

On Cloud through API v3: `GET /api/v3/jobs/<job-uuid>/stdout?filter[execution]=N&filter[step_num]=M`
with `Authorization: Bearer` (v3 takes no other auth), `Range: bytes=K-` for what is new,
204 when there is nothing yet, and `X-Terminal: true` once the step has finished. Where v3
is not there (a 404 from CircleCI Server), by polling v1.1 job details and re-reading the
step's output, handing out only the lines not seen yet. Every request waits at the client's
gate; polls are `poll` seconds apart on the client's clock; the whole follow ends within
`budget` seconds (the client's retry budget by default), with a `TransportError` if the
step is still running then. A step that has not started yet is waited for.
"""

from __future__ import annotations

import codecs
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

from ..errors import DecodeError, InvalidArgumentError, NotFoundError, TransportError
from ..session import SessionCore
from .endpoints import JOB_STDOUT_V3, api_root
from .models import ActionStatus, JobSteps, LogLine, StepAction
from .transfer import CHUNK, api_hosts, open_stream

if TYPE_CHECKING:
    from .stream import StepOutput

__all__ = ["DEFAULT_POLL", "Follower"]

DEFAULT_POLL = 2.0
"""Seconds between polls of a running step."""

JobIdSource = Callable[[JobSteps], Awaitable[str | None]]
_UNFINISHED = frozenset({ActionStatus.RUNNING, ActionStatus.QUEUED})


def _finished(action: StepAction) -> bool:
    return action.status is not None and action.status not in _UNFINISHED


class Follower:
    """Follows one step of one job; see the module docstring."""

    def __init__(
        self,
        core: SessionCore,
        *,
        job_id: JobIdSource,
        poll: float = DEFAULT_POLL,
        budget: float | None = None,
    ) -> None:
        if isinstance(poll, bool) or not isinstance(poll, int | float) or poll <= 0:
            raise InvalidArgumentError(f"poll must be a positive number of seconds, got {poll!r}")
        if budget is not None and (isinstance(budget, bool) or budget <= 0):
            raise InvalidArgumentError(f"budget must be positive seconds, got {budget!r}")
        self._core = core
        self._job_id = job_id
        self.poll = float(poll)
        self.budget = budget
        self.used_v3: bool | None = None
        """After a follow: whether v3 served it (False: v1.1 polling), None before."""

    async def lines(self, output: StepOutput) -> AsyncIterator[LogLine]:
        """The step's lines, each once and in order, until it ends."""
        core = self._core
        budget = self.budget if self.budget is not None else core.retry.budget
        deadline = core.clock() + budget
        steps, action = await self._started(output, deadline, budget)
        job_id = await self._job_id(steps)
        if job_id and action.step is not None:
            try:
                async for line in self._v3(job_id, action.step, output.index, deadline, budget):
                    self.used_v3 = True
                    yield line
                self.used_v3 = True
                return
            except NotFoundError:
                if self.used_v3:
                    raise
        self.used_v3 = False
        async for line in self._poll_v11(output, deadline, budget):
            yield line

    async def _started(
        self, output: StepOutput, deadline: float, budget: float
    ) -> tuple[JobSteps, StepAction]:
        """The job's steps once the followed step has started (polled until then)."""
        while True:
            steps = await output.steps()
            try:
                return steps, output.pick(steps)
            except InvalidArgumentError:
                if steps.lifecycle == "finished":
                    raise
            self._spent(deadline, budget, "v1.1 job details")
            await self._core.sleep(self.poll)

    def _spent(self, deadline: float, budget: float, url: str) -> None:
        """Raise if the next poll would start after the deadline."""
        if self._core.clock() + self.poll >= deadline:
            raise TransportError(
                f"the step is still running after the follow's budget of {budget:g}s",
                method="GET",
                url=url,
            )

    async def _v3(
        self, job_id: str, step: int, index: int, deadline: float, budget: float
    ) -> AsyncIterator[LogLine]:
        core = self._core
        path = {"job-id": quote(job_id, safe="")}
        base = core.url(JOB_STDOUT_V3, path, base=api_root(core.base_url))
        url = f"{base}?{urlencode({'filter[execution]': index, 'filter[step_num]': step})}"
        hosts = api_hosts(core)

        def bearer() -> dict[str, str]:
            return {"Authorization": f"Bearer {core.token.reveal()}"}

        offset = 0
        text = codecs.getincrementaldecoder("utf-8")(errors="replace")
        pending = ""
        while True:
            headers = {"Range": f"bytes={offset}-"} if offset else {}
            async with open_stream(
                core,
                url,
                hosts=hosts,
                auth=bearer,
                deadline=deadline,
                headers=headers,
                accept=frozenset({200, 204, 206, 416}),
            ) as response:
                terminal = response.headers.get("X-Terminal", "").strip().lower() == "true"
                skip = offset if response.status == 200 else 0
                if response.status in (200, 206):
                    async for chunk in response.content.iter_chunked(CHUNK):
                        if skip:
                            dropped = min(skip, len(chunk))
                            chunk, skip = chunk[dropped:], skip - dropped
                            if not chunk:
                                continue
                        offset += len(chunk)
                        pieces = (pending + text.decode(chunk)).split("\n")
                        pending = pieces.pop()
                        for piece in pieces:
                            yield LogLine(piece + "\n")
                        if len(pending) > CHUNK * 64:
                            yield LogLine(pending)
                            pending = ""
            if terminal:
                pending += text.decode(b"", final=True)
                if pending:
                    yield LogLine(pending)
                return
            self._spent(deadline, budget, url)
            await core.sleep(self.poll)

    async def _poll_v11(
        self, output: StepOutput, deadline: float, budget: float
    ) -> AsyncIterator[LogLine]:
        seen = 0
        while True:
            action = output.pick(await output.steps())
            finished = _finished(action)
            count = 0
            try:
                async for line in output.lines(action):
                    count += 1
                    if count > seen:
                        yield line
            except DecodeError:
                if finished:
                    raise
            seen = max(seen, count)
            if finished:
                return
            self._spent(deadline, budget, "v1.1 job details")
            await self._core.sleep(self.poll)
