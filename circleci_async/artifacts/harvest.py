"""`Harvest`: a lazy listing feeds a bounded queue; N workers download what it holds."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fnmatch
import functools
import os
import stat
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from pathlib import Path
from typing import Literal

import attrs

from ..errors import CircleCIError, InvalidArgumentError
from ..wire import redact_url
from .errors import DestinationError, DestinationFolderError, DuplicatePathError
from .fetch import DEFAULT_FILE_BUDGET, Fetcher
from .logrefs import LogRef, LogSaver, LogsChoice, validate_logs
from .partfile import PartFile, owned
from .paths import job_folder, safe_target
from .progress import ProgressCallback, Tally
from .refs import ArtifactRef
from .report import DownloadReport, FileResult, ListingFailure, Outcome, detached

__all__ = ["DownloadOptions", "Harvest", "Listing"]

_WHOLE_DISK = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})
"""Errors of one file that are the destination's as a whole: no other file can do better."""

SOURCES_KEPT = 65_536
"""How many recent targets a harvest remembers to catch a path listed twice."""

Queued = ArtifactRef | LogRef
"""What a harvest's workers take: an artifact, or a step's output."""
Listing = AsyncGenerator[ArtifactRef | LogRef | ListingFailure, None]
"""What a harvest consumes: refs to download (artifacts, step logs), and lists not read."""


def _patterns(value: str | Sequence[str]) -> tuple[str, ...]:
    patterns = (value,) if isinstance(value, str) else tuple(value)
    if not all(isinstance(p, str) and p for p in patterns):
        raise InvalidArgumentError("include / exclude take glob strings like '*.xml'")
    return patterns


def _positive(_instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidArgumentError(f"{attribute.name} must be a positive integer, got {value!r}")


def _seconds(_instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise InvalidArgumentError(f"{attribute.name} must be a positive number, got {value!r}")


def _keep(_instance: object, _attribute: attrs.Attribute[str], value: str) -> None:
    if value not in ("all", "failed"):
        raise InvalidArgumentError(f"keep must be 'all' or 'failed', got {value!r}")


@attrs.frozen(kw_only=True)
class DownloadOptions:
    """How a harvest runs; `ArtifactsService` describes each option."""

    concurrency: int = attrs.field(default=8, validator=_positive)
    include: tuple[str, ...] = attrs.field(default=(), converter=_patterns)
    exclude: tuple[str, ...] = attrs.field(default=(), converter=_patterns)
    overwrite: bool = False
    progress: ProgressCallback | None = None
    fail_fast: bool = False
    keep: Literal["all", "failed"] = attrs.field(default="all", validator=_keep)
    durable: bool = False
    file_budget: float = attrs.field(default=DEFAULT_FILE_BUDGET, validator=_seconds)
    logs: LogsChoice = attrs.field(default="none", converter=validate_logs)
    logs_only: bool = False

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.logs_only, bool):
            raise InvalidArgumentError(f"logs_only must be True or False, got {self.logs_only!r}")
        if self.logs_only and self.logs == "none":
            raise InvalidArgumentError("logs_only=True needs logs='all' or 'failed'")

    def selects(self, path: str) -> bool:
        """Whether the artifact path passes `include` and `exclude` (`*` crosses `/`)."""
        if self.include and not any(fnmatch.fnmatchcase(path, p) for p in self.include):
            return False
        return not any(fnmatch.fnmatchcase(path, p) for p in self.exclude)


class _FailFast(Exception):
    """A file failed and the harvest runs with `fail_fast`."""


class Harvest:
    """One run: list, select, download, report. Use once."""

    def __init__(
        self,
        fetcher: Fetcher,
        dest: str | os.PathLike[str],
        options: DownloadOptions,
        tally: Tally,
        *,
        by_job: bool,
        logs: LogSaver | None = None,
    ) -> None:
        self._fetcher = fetcher
        self._logs = logs
        self._dest = Path(dest)
        self._root = os.path.realpath(dest)
        self._options = options
        self._tally = tally
        self._by_job = by_job
        self._busy: dict[str, asyncio.Event] = {}
        self._folder: tuple[int, int] | None = None
        """(st_dev, st_ino) of the destination folder once it exists."""
        self._sources: dict[int, tuple[int, str]] = {}
        """hash(target) -> (hash(url), redacted url) of the last `SOURCES_KEPT` files placed."""

    async def run(self, listing: Listing) -> DownloadReport:
        """Download everything `listing` yields; return the report.

        A fault of the destination folder itself raises `DestinationFolderError`, before
        anything is listed when it is there from the start.
        """
        self._folder = self._open_folder()
        queue: asyncio.Queue[Queued | None] = asyncio.Queue(self._options.concurrency * 2)
        stopped = False
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self._produce(listing, queue))
                for _ in range(self._options.concurrency):
                    group.create_task(self._work(queue))
        except BaseExceptionGroup as group:
            _, others = group.split(_FailFast)
            if others is not None:
                raise _first(others) from None
            stopped = True
        return self._tally.report(self._dest, stopped_early=stopped)

    async def _produce(self, listing: Listing, queue: asyncio.Queue[Queued | None]) -> None:
        async with contextlib.aclosing(listing):
            while True:
                try:
                    item = await anext(listing)
                except StopAsyncIteration:
                    break
                except CircleCIError as error:
                    item = ListingFailure("the artifact list given", detached(error))
                    self._listing_failed(item)
                    break
                if isinstance(item, ListingFailure):
                    self._listing_failed(item)
                elif isinstance(item, LogRef) or self._options.selects(item.artifact.path):
                    self._tally.file_listed()
                    await queue.put(item)
        self._tally.listing_finished()
        for _ in range(self._options.concurrency):
            await queue.put(None)

    def _listing_failed(self, failure: ListingFailure) -> None:
        self._tally.listing_failed(failure)
        if self._options.fail_fast:
            raise _FailFast

    async def _work(self, queue: asyncio.Queue[Queued | None]) -> None:
        while (ref := await queue.get()) is not None:
            result = await (self._handle_log(ref) if isinstance(ref, LogRef) else self._handle(ref))
            if isinstance(result.error, DestinationError):
                self._check_folder(result.error)
            self._tally.finished(result)
            if result.outcome is Outcome.FAILED and self._options.fail_fast:
                raise _FailFast

    async def _handle(self, ref: ArtifactRef) -> FileResult:
        artifact = ref.artifact
        result = functools.partial(
            FileResult,
            path=artifact.path,
            node_index=artifact.node_index,
            job_number=ref.job_number,
        )
        if self._made_folder() != self._folder_identity():
            raise self._unusable("it was replaced during the harvest")
        try:
            target, shown = self._locate(ref)
        except CircleCIError as error:
            return result(outcome=Outcome.FAILED, target=None, error=detached(error))
        async with self._claim(target):
            source = self._source(target, artifact.url)
            if source[0] != hash(artifact.url):
                duplicate = DuplicatePathError(shown, source[1], redact_url(artifact.url))
                return result(outcome=Outcome.FAILED, target=shown, error=duplicate)
            try:
                outcome, size = await self._place(artifact.url, target, shown)
            except CircleCIError as error:
                return result(outcome=Outcome.FAILED, target=shown, error=detached(error))
        return result(outcome=outcome, target=shown, size=size)

    async def _handle_log(self, ref: LogRef) -> FileResult:
        """Save one step's output, with the same guarantees as an artifact's download."""
        result = functools.partial(
            FileResult, path=ref.path, node_index=ref.index, job_number=ref.job_number
        )
        if self._made_folder() != self._folder_identity():
            raise self._unusable("it was replaced during the harvest")
        try:
            target, shown = self._locate_log(ref)
        except CircleCIError as error:
            return result(outcome=Outcome.FAILED, target=None, error=detached(error))
        async with self._claim(target):
            try:
                outcome, size = await self._place_log(ref, target, shown)
            except CircleCIError as error:
                return result(outcome=Outcome.FAILED, target=shown, error=detached(error))
        return result(outcome=outcome, target=shown, size=size)

    async def _place_log(self, ref: LogRef, target: str, shown: str) -> tuple[Outcome, int]:
        """Skip a log already under its final name, or save it; its outcome and size.

        The file is owned by this harvest meanwhile (`partfile.owned`), as artifacts are. A
        log's size on disk (its text) is not a size the server gives (its JSON), so a log
        under its final name is complete by construction (`.part`, then rename) and kept.
        """
        if self._logs is None:
            raise InvalidArgumentError("this harvest was not set up to save step logs")
        async with self._owned(target, shown) as part:
            if self._options.overwrite:
                part.discard()
            else:
                size = _final_size(target, shown)
                if size is not None:
                    return Outcome.SKIPPED, size
            return Outcome.DOWNLOADED, await self._logs.save(ref, part, self._tally.received)

    def _open_folder(self) -> tuple[int, int] | None:
        """Check the destination can be written; its identity (None: not made yet).

        A destination that does not exist is made with its first file, so an empty
        harvest leaves nothing behind; the folder it would be made in is checked now.
        """
        if os.path.lexists(self._root):
            return self._folder_identity()
        above = os.path.dirname(self._root)
        while not os.path.lexists(above):
            above = os.path.dirname(above)
        if not os.path.isdir(above):
            raise self._unusable(f"{above} is a file, not a folder")
        if not os.access(above, os.W_OK | os.X_OK):
            raise self._unusable(f"{above} is not writable")
        return None

    def _made_folder(self) -> tuple[int, int]:
        """The destination's identity, making it first if this is the harvest's first file."""
        if self._folder is None:
            try:
                os.makedirs(self._root, exist_ok=True)
            except FileExistsError:
                raise self._unusable("it is a file, not a folder") from None
            except OSError as error:
                raise self._unusable(error) from None
            self._folder = self._folder_identity()
        return self._folder

    def _folder_identity(self) -> tuple[int, int]:
        try:
            status = os.stat(self._root)
        except FileNotFoundError:
            raise self._unusable("it is gone") from None
        except OSError as error:
            raise self._unusable(error) from None
        if not stat.S_ISDIR(status.st_mode):
            raise self._unusable("it is a file, not a folder")
        if not os.access(self._root, os.W_OK | os.X_OK):
            raise self._unusable("it is not writable")
        return status.st_dev, status.st_ino

    def _check_folder(self, error: DestinationError) -> None:
        """Raise `DestinationFolderError` when a file's `error` is the folder's own fault."""
        if error.errno in _WHOLE_DISK:
            raise self._unusable(error.reason)
        if self._made_folder() != self._folder_identity():
            raise self._unusable("it was replaced during the harvest")

    def _unusable(self, reason: OSError | str) -> DestinationFolderError:
        return DestinationFolderError(os.fspath(self._dest), reason)

    def _source(self, target: str, url: str) -> tuple[int, str]:
        """Where `target` came from in this harvest: the first URL that claimed it.

        Only the last `SOURCES_KEPT` targets are remembered, so memory stays bounded
        however many files a harvest lists (a duplicate further apart goes unnoticed).
        """
        key = hash(target)
        source = self._sources.get(key)
        if source is None:
            source = self._sources[key] = (hash(url), redact_url(url))
            if len(self._sources) > SOURCES_KEPT:
                del self._sources[next(iter(self._sources))]
        return source

    def _locate(self, ref: ArtifactRef) -> tuple[str, str]:
        """The file's absolute path, and its path relative to the destination for people."""
        folders = [str(ref.artifact.node_index)]
        if self._by_job and ref.job_number is not None:
            folders.insert(0, job_folder(ref.job_number, ref.job_name))
        target = safe_target(self._root, folders, ref.artifact.path)
        return target, os.path.relpath(target, self._root).replace(os.sep, "/")

    def _locate_log(self, ref: LogRef) -> tuple[str, str]:
        """A log's absolute path (in its job's folder, if by job) and its path for people."""
        folders = [job_folder(ref.job_number, ref.job_name)] if self._by_job else []
        target = safe_target(self._root, folders, ref.path)
        return target, os.path.relpath(target, self._root).replace(os.sep, "/")

    def _owned(self, target: str, shown: str) -> contextlib.AbstractAsyncContextManager[PartFile]:
        """Own `target`'s part file for this harvest, waiting within the file budget."""
        fetcher = self._fetcher
        return owned(
            target,
            shown,
            durable=self._options.durable,
            sleep=fetcher.sleep,
            clock=fetcher.clock,
            budget=fetcher.budget,
        )

    async def _place(self, url: str, target: str, shown: str) -> tuple[Outcome, int]:
        """Skip a file already in place at the right size, or download it; outcome and size.

        The file is owned by this harvest meanwhile (`partfile.owned`), so another harvest
        into the same folder waits and then finds it complete. A file under its final name
        whose size is not the server's (or cannot be learnt) is fetched again.
        """
        fetcher = self._fetcher
        async with self._owned(target, shown) as part:
            if self._options.overwrite:
                part.discard()
            else:
                size = _final_size(target, shown)
                if size is not None and await fetcher.size_of(url) == size:
                    return Outcome.SKIPPED, size
            return Outcome.DOWNLOADED, await fetcher.fetch(url, part, self._tally.received)

    @contextlib.asynccontextmanager
    async def _claim(self, target: str) -> AsyncIterator[None]:
        """Hold `target` for one worker; a second ref to the same file waits for the first."""
        while (busy := self._busy.get(target)) is not None:
            await busy.wait()
        done = self._busy[target] = asyncio.Event()
        try:
            yield
        finally:
            del self._busy[target]
            done.set()


def _final_size(target: str, shown: str) -> int | None:
    """The size of the file under its final name, or None when there is none."""
    try:
        status = os.lstat(target)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise DestinationError(shown, error) from None
    if not stat.S_ISREG(status.st_mode):
        raise DestinationError(shown, "something other than a file has its name")
    return status.st_size


def _first(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The first error of a (nested) group: a worker's bug or the progress callback's error."""
    first = group.exceptions[0]
    return _first(first) if isinstance(first, BaseExceptionGroup) else first
