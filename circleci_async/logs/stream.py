"""`StepOutput`: one action's output as a lazy stream of `LogLine`s, in bounded memory.

Nothing is fetched until the stream is read. The action is found in the job's v1.1
details; its `output_url` (a pre-signed storage URL that never receives the token) is
streamed through `ArrayReader`. An expired URL (403) fetches fresh details once and
starts again. With `follow`, a running step is followed (`circleci_async.logs.follow`).
"""

from __future__ import annotations

import collections
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING

import aiohttp

from ..artifacts.partfile import PartFile
from ..errors import APIError, DecodeError, InvalidArgumentError, TransportError
from ..session import SessionCore
from .ansi import strip_ansi
from .models import JobSteps, LogLine, StepAction
from .reader import DEFAULT_MAX_ELEMENT, ArrayReader, log_line
from .transfer import CHUNK, api_hosts, open_stream, shown_url

if TYPE_CHECKING:
    from .follow import Follower

__all__ = ["StepOutput", "check_tail", "pick_action"]

StepsSource = Callable[[], Awaitable[JobSteps]]


def check_tail(tail: object) -> int | None:
    """`tail` if it is None or a positive int, else `InvalidArgumentError`."""
    if tail is None:
        return None
    if isinstance(tail, bool) or not isinstance(tail, int) or tail < 1:
        raise InvalidArgumentError(f"tail must be a positive number of lines, got {tail!r}")
    return tail


def pick_action(steps: JobSteps, step: int | str, index: int) -> StepAction:
    """The action of `step` (an id or a name) on container `index`, or a clear error."""
    if not steps.steps:
        raise InvalidArgumentError(
            f"job {steps.number} has no steps yet (its status is {steps.status or 'unknown'})"
        )
    found = steps.find(step)
    if found is None:
        known = ", ".join(f"{s.id} {s.name!r}" for s in steps.steps[:20])
        raise InvalidArgumentError(f"job {steps.number} has no step {step!r}; its steps: {known}")
    action = found.action(index)
    if action is None:
        have = sorted(a.index for a in found.actions if a.index is not None)
        raise InvalidArgumentError(
            f"step {found.name!r} of job {steps.number} has no container {index}; it ran on {have}"
        )
    return action


class StepOutput:
    """The output of one step on one container: `async for line in output`, `text()`, `save()`.

    Memory stays bounded whatever the log's size: lines are read as they arrive (at most
    `max_element` characters of one output element are buffered). A stream can be read
    more than once; each read fetches again (from the `known` action's URL first, if given,
    else from fresh job details).
    """

    def __init__(
        self,
        core: SessionCore,
        steps: StepsSource,
        *,
        step: int | str,
        index: int,
        max_element: int = DEFAULT_MAX_ELEMENT,
        follower: Follower | None = None,
        known: StepAction | None = None,
    ) -> None:
        self._core = core
        self._steps = steps
        self.step = step
        self.index = index
        self.max_element = max_element
        self._follower = follower
        self._known = known
        self._hosts = api_hosts(core)

    def __repr__(self) -> str:
        return f"<StepOutput step={self.step!r} index={self.index}>"

    def __aiter__(self) -> AsyncIterator[LogLine]:
        if self._follower is not None:
            return self._follower.lines(self)
        return self.lines(self._known)

    async def steps(self) -> JobSteps:
        """The job's steps, fetched afresh."""
        return await self._steps()

    def pick(self, steps: JobSteps) -> StepAction:
        """The action of this stream among `steps` (`InvalidArgumentError` if it has none)."""
        return pick_action(steps, self.step, self.index)

    async def action(self) -> StepAction:
        """The action this stream reads, from fresh job details."""
        return self.pick(await self._steps())

    async def lines(self, action: StepAction | None = None) -> AsyncIterator[LogLine]:
        """The action's output as it is now (not followed), line by line."""
        current = action or await self.action()
        for attempt in range(2):
            try:
                async for line in self._read(current):
                    yield line
                return
            except APIError as exc:
                if exc.status != 403 or attempt:
                    raise
            current = await self.action()

    async def _read(self, action: StepAction) -> AsyncIterator[LogLine]:
        url = action.output_url
        if not url:
            return
        shown = shown_url(url)
        reader = ArrayReader(max_element=self.max_element)
        deadline = self._core.clock() + self._core.retry.budget
        async with open_stream(
            self._core, url, hosts=self._hosts, auth=self._core.auth_headers, deadline=deadline
        ) as response:
            try:
                async for chunk in response.content.iter_chunked(CHUNK):
                    for element in reader.feed(chunk):
                        yield log_line(element, reader.count - 1)
                for element in reader.close():
                    yield log_line(element, reader.count - 1)
            except DecodeError as exc:
                exc.details.append(f"{reader.count} lines were read before")
                raise exc.attach(
                    status=response.status, method="GET", url=shown, data=None, body=None
                ) from None
            except (aiohttp.ClientError, TimeoutError) as exc:
                reason = str(exc) or type(exc).__name__
                raise TransportError(
                    f"the output broke off after {reader.count} lines: {reason}",
                    method="GET",
                    url=shown,
                ) from None

    async def text(self, *, tail: int | None = None, ansi: bool = False) -> str:
        """The output as one string (its last `tail` lines only, if given).

        ANSI escapes are removed unless `ansi`. With `tail`, only that many lines are kept
        in memory while reading.
        """
        tail = check_tail(tail)
        if tail is None:
            parts = [line.message async for line in self]
            text = "".join(parts)
            return text if ansi else strip_ansi(text)
        last: collections.deque[str] = collections.deque(maxlen=tail)
        pending = ""
        async for line in self:
            pieces = (pending + line.message).split("\n")
            pending = pieces.pop()
            last.extend(pieces)
            if len(pending) > self.max_element:
                last.append(pending)
                pending = ""
        if pending:
            last.append(pending)
        text = "\n".join(last)
        return text if ansi else strip_ansi(text)

    async def save(self, path: str | os.PathLike[str], *, ansi: bool = True) -> int:
        """Write the output to `path` (through `path.part`, renamed when complete).

        Returns the bytes written. ANSI escapes are kept unless `ansi=False`. If reading
        fails, `path` is left untouched and the `.part` file removed.
        """
        target = os.fspath(path)
        part = PartFile(os.path.join(os.getcwd(), target), target)
        part.open(0)
        size = 0
        try:
            async for line in self:
                data = (line.message if ansi else strip_ansi(line.message)).encode()
                part.write(data)
                size += len(data)
        except BaseException:
            part.close()
            part.discard()
            raise
        part.finish()
        return size
