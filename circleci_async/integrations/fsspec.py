"""`circleci://`: a job's build artifacts as a read-only fsspec filesystem.

    import pandas
    frame = pandas.read_csv("circleci://gh/acme/api-server/520/coverage/summary.csv")

The tree is `<vcs>/<org>/<repo>/<job number>/<artifact path>`; listing a project shows the
jobs of its newest pipelines. Installing `circleci-async[fsspec]` registers the protocol
through fsspec's entry point, so no import is needed. Storage options are the client's:
`token=`, `base_url=`, `artifact_hosts=` (else `CIRCLECI_TOKEN` and the client's defaults), or
`client=` for a `CircleCI` of the filesystem's own event loop (`asynchronous=True`).

Every request goes through the client: its rate-limit gate, retries and time budget, and its
token rules (the token goes to the API and the artifact hosts, never to the pre-signed storage
host). Reads use `Range`, so `open()` seeks without downloading the whole file. A job's listing
is cached once the job has finished, and listed again on each use while it runs. Writes raise
`ReadOnlyFileSystemError`, a `PermissionError`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import attrs
from fsspec.asyn import AsyncFileSystem, sync_wrapper
from fsspec.spec import AbstractBufferedFile

from .. import checks as check
from ..artifacts.fetch import DEFAULT_FILE_BUDGET
from ..client import CircleCI
from ..errors import CircleCIError, InvalidArgumentError, NotFoundError
from ..logs.transfer import open_stream
from ..models import Artifact
from ..secret import Secret

__all__ = ["CircleCIFileSystem", "ReadOnlyFileSystemError"]

FINISHED_STATUSES = frozenset(
    {"success", "failed", "canceled", "infrastructure_fail", "timedout", "not_run", "unauthorized"}
)
"""Job statuses after which a job's artifacts no longer change, so its listing is kept."""

RECENT_PIPELINES = 5
"""How many of a project's newest pipelines a listing of the project shows the jobs of."""

_KEPT_LISTINGS = 256
_READ_CHUNK = 256 * 1024
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")


class ReadOnlyFileSystemError(CircleCIError, PermissionError):
    """A write to `circleci://`: CircleCI's artifacts are read-only."""


@attrs.frozen
class _JobTree:
    """One job's artifacts by path, and every folder their paths imply."""

    files: dict[str, Artifact]
    folders: frozenset[str]
    finished: bool

    @classmethod
    def of(cls, artifacts: Iterable[Artifact], finished: bool) -> _JobTree:
        files: dict[str, Artifact] = {}
        for artifact in sorted(artifacts, key=lambda a: a.node_index):
            path = artifact.path.strip("/")
            files.setdefault(path, artifact)  # parallel nodes: the lowest index wins
        folders = {
            "/".join(path.split("/")[:depth])
            for path in files
            for depth in range(1, path.count("/") + 1)
        }
        return cls(files, frozenset(folders), finished)


@attrs.frozen
class _Where:
    """A path split into project slug, job number and the artifact path within the job."""

    slug: str
    job: int | None
    inner: str


class CircleCIFileSystem(AsyncFileSystem):  # type: ignore[misc]  # fsspec has no types
    """CircleCI's build artifacts, read-only, as `circleci://<project slug>/<job>/<path>`."""

    protocol = ("circleci",)
    root_marker = ""
    async_impl = True

    def __init__(
        self,
        *,
        token: str | None = None,
        base_url: str | None = None,
        artifact_hosts: Iterable[str] | None = None,
        client: CircleCI | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        options: dict[str, Any] = {}
        if base_url is not None:
            options["base_url"] = base_url
        if artifact_hosts is not None:
            options["artifact_hosts"] = list(artifact_hosts)
        self._token = None if token is None else Secret(token)
        self._options = options
        self._client = client
        self._owned = client is None
        self._trees: OrderedDict[tuple[str, int], _JobTree] = OrderedDict()
        self._sizes: dict[str, int] = {}

    @property
    def storage_options(self) -> dict[str, Any]:
        """The options the filesystem was made with, the token masked (as `Secret`)."""
        return self._storage_options

    @storage_options.setter
    def storage_options(self, options: dict[str, Any]) -> None:
        self._storage_options = {
            key: Secret(value) if key == "token" and isinstance(value, str) else value
            for key, value in options.items()
        }

    def __repr__(self) -> str:
        return f"<CircleCIFileSystem of {self._options.get('base_url', 'circleci.com')}>"

    async def _circle(self) -> CircleCI:
        if self._client is None:
            token = None if self._token is None else self._token.reveal()
            self._client = CircleCI(token, **self._options)
        return self._client

    async def close_session(self) -> None:
        """Close the client this filesystem made (a given `client=` stays open)."""
        client, self._client = self._client, None
        if client is not None and self._owned:
            await client.close()

    close = sync_wrapper(close_session)

    @classmethod
    def _strip_protocol(cls, path: str | list[str]) -> Any:
        if isinstance(path, list):
            return [cls._strip_protocol(one) for one in path]
        path = path.removeprefix("circleci://").removeprefix("circleci::")
        return path.strip("/")

    def _where(self, path: str) -> _Where:
        parts = self._strip_protocol(path).split("/")
        if len(parts) < 3 or not all(parts[:3]):
            raise ValueError(
                f"circleci://{'/'.join(parts)}: name a project as <vcs>/<org>/<repo> "
                f"(for example circleci://gh/acme/api-server/520/report.json)"
            )
        slug = "/".join(parts[:3])
        try:
            check.validate_project_slug(slug)
        except InvalidArgumentError as exc:
            raise ValueError(f"circleci://{slug}: {exc}") from None
        if len(parts) == 3:
            return _Where(slug, None, "")
        if not parts[3].isdigit():
            raise FileNotFoundError(f"circleci://{slug}/{parts[3]}: not a job number")
        inner = "/".join(parts[4:])
        if any(piece in (".", "..") for piece in parts[4:]):
            raise ValueError(f"circleci://{self._strip_protocol(path)}: '..' and '.' have no place")
        return _Where(slug, int(parts[3]), inner)

    async def _tree(self, slug: str, job: int) -> _JobTree:
        key = (slug, job)
        kept = self._trees.get(key)
        if kept is not None:
            self._trees.move_to_end(key)
            return kept
        circle = await self._circle()
        try:
            details = await circle.jobs.get(slug, job)
        except NotFoundError:
            raise FileNotFoundError(f"circleci://{slug}/{job}: no such job") from None
        artifacts = await circle.jobs.artifacts(slug, job).collect()
        status = details.status if isinstance(details.status, str) else None
        tree = _JobTree.of(artifacts, finished=status in FINISHED_STATUSES)
        if tree.finished:
            self._trees[key] = tree
            while len(self._trees) > _KEPT_LISTINGS:
                self._trees.popitem(last=False)
        return tree

    async def _project_jobs(self, slug: str) -> list[int]:
        circle = await self._circle()
        numbers: set[int] = set()
        for pipeline in await circle.pipelines.list(slug).take(RECENT_PIPELINES):
            async for workflow in circle.pipelines.workflows(pipeline.id):
                async for job in circle.workflows.jobs(workflow.id):
                    if isinstance(job.job_number, int):
                        numbers.add(job.job_number)
        return sorted(numbers, reverse=True)

    @staticmethod
    def _file(name: str, size: int | None) -> dict[str, Any]:
        return {"name": name, "size": size, "type": "file"}

    @staticmethod
    def _folder(name: str) -> dict[str, Any]:
        return {"name": name, "size": 0, "type": "directory"}

    async def _ls(self, path: str, detail: bool = True, **kwargs: Any) -> list[Any]:
        where = self._where(path)
        if where.job is None:
            entries = [
                self._folder(f"{where.slug}/{n}") for n in await self._project_jobs(where.slug)
            ]
        else:
            tree = await self._tree(where.slug, where.job)
            base = f"{where.slug}/{where.job}"
            prefix = f"{where.inner}/" if where.inner else ""
            if where.inner in tree.files:
                entries = [
                    self._file(f"{base}/{where.inner}", self._sizes.get(f"{base}/{where.inner}"))
                ]
            elif where.inner and where.inner not in tree.folders:
                raise FileNotFoundError(f"circleci://{base}/{where.inner}")
            else:
                depth = prefix.count("/")
                entries = [
                    self._folder(f"{base}/{name}")
                    for name in sorted(tree.folders)
                    if name.startswith(prefix) and name.count("/") == depth
                ] + [
                    self._file(f"{base}/{name}", self._sizes.get(f"{base}/{name}"))
                    for name in sorted(tree.files)
                    if name.startswith(prefix) and name.count("/") == depth
                ]
        return entries if detail else [entry["name"] for entry in entries]

    async def _artifact(self, path: str) -> tuple[str, Artifact]:
        where = self._where(path)
        name = self._strip_protocol(path)
        if where.job is None or not where.inner:
            raise IsADirectoryError(f"circleci://{name}: a project or a job, not a file")
        tree = await self._tree(where.slug, where.job)
        artifact = tree.files.get(where.inner)
        if artifact is None:
            if where.inner in tree.folders:
                raise IsADirectoryError(f"circleci://{name}: a folder of artifacts")
            raise FileNotFoundError(f"circleci://{name}: no such artifact")
        return name, artifact

    async def _info(self, path: str, **kwargs: Any) -> dict[str, Any]:
        where = self._where(path)
        name = self._strip_protocol(path)
        if where.job is None:
            return self._folder(name)
        tree = await self._tree(where.slug, where.job)
        if not where.inner or where.inner in tree.folders:
            return self._folder(name)
        if where.inner not in tree.files:
            raise FileNotFoundError(f"circleci://{name}: no such artifact")
        return self._file(name, await self._size(name, tree.files[where.inner]))

    async def _size(self, name: str, artifact: Artifact) -> int:
        known = self._sizes.get(name)
        if known is None:
            known, _ = await self._read(artifact, 0, 1)
            self._sizes[name] = known
        return known

    @asynccontextmanager
    async def _ranged(
        self, artifact: Artifact, start: int, end: int | None
    ) -> AsyncIterator[aiohttp.ClientResponse]:
        """The answer to a GET of `[start, end)` of an artifact, through the client's rules."""
        circle = await self._circle()
        core = circle._core
        wanted = "" if end is None else str(end - 1)
        headers = {"Range": f"bytes={start}-{wanted}"} if start or end is not None else {}
        async with open_stream(
            core,
            artifact.url,
            hosts=circle.artifacts.hosts,
            auth=core.auth_headers,
            deadline=core.clock() + DEFAULT_FILE_BUDGET,
            headers=headers,
            accept=frozenset({200, 206, 416}),
        ) as response:
            yield response

    async def _read(self, artifact: Artifact, start: int, end: int | None) -> tuple[int, bytes]:
        """The artifact's size and its bytes in `[start, end)`, read with `Range`."""
        async with self._ranged(artifact, start, end) as response:
            return await _body_range(response, start, end)

    async def _cat_file(
        self, path: str, start: int | None = None, end: int | None = None, **kwargs: Any
    ) -> bytes:
        name, artifact = await self._artifact(path)
        if (start is not None and start < 0) or (end is not None and end < 0):
            size = await self._size(name, artifact)
            start = None if start is None else max(size + start, 0) if start < 0 else start
            end = None if end is None else max(size + end, 0) if end < 0 else end
        first = start or 0
        if end is not None and end <= first:
            return b""
        size, data = await self._read(artifact, first, end)
        self._sizes[name] = size
        return data

    async def _get_file(self, rpath: str, lpath: str, **kwargs: Any) -> None:
        name, artifact = await self._artifact(rpath)
        target = await asyncio.to_thread(_local_target, lpath, name)
        part = f"{target}.{secrets.token_hex(4)}.part"  # unique: two copies never share one
        file = await asyncio.to_thread(open, part, "wb")
        try:
            async with self._ranged(artifact, 0, None) as response:
                if response.status != 200:
                    raise CircleCIError(
                        f"circleci://{name}: the storage host answered {response.status}"
                    )
                size = 0
                async for chunk in response.content.iter_chunked(_READ_CHUNK):
                    await asyncio.to_thread(file.write, chunk)
                    size += len(chunk)
            if response.content_length is not None and size != response.content_length:
                raise CircleCIError(
                    f"circleci://{name}: {size} of {response.content_length} bytes came"
                )
        except BaseException:
            await asyncio.to_thread(_discard, file, part)
            raise
        await asyncio.to_thread(file.close)
        await asyncio.to_thread(os.replace, part, target)
        self._sizes[name] = size

    def _open(
        self,
        path: str,
        mode: str = "rb",
        block_size: int | None = None,
        autocommit: bool = True,
        cache_options: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> _ArtifactFile:
        if mode != "rb":
            raise ReadOnlyFileSystemError(f"circleci://{path}: artifacts are read-only ({mode!r})")
        return _ArtifactFile(
            self,
            self._strip_protocol(path),
            mode=mode,
            block_size=block_size,
            cache_options=cache_options,
            **kwargs,
        )

    async def _read_only(self, *args: Any, **kwargs: Any) -> None:
        raise ReadOnlyFileSystemError(
            "circleci:// is read-only: CircleCI's artifacts cannot be written"
        )

    _pipe_file = _put_file = _rm_file = _rm = _cp_file = _mkdir = _makedirs = _read_only


class _ArtifactFile(AbstractBufferedFile):  # type: ignore[misc]  # fsspec has no types
    """An artifact opened for reading; each block is one `Range` request."""

    def _fetch_range(self, start: int, end: int) -> bytes:
        data: bytes = self.fs.cat_file(self.path, start, end)
        return data


def _local_target(lpath: str, name: str) -> str:
    return os.path.join(lpath, os.path.basename(name)) if os.path.isdir(lpath) else lpath


def _discard(file: Any, part: str) -> None:
    file.close()
    with contextlib.suppress(FileNotFoundError):
        os.unlink(part)


async def _body_range(
    response: aiohttp.ClientResponse, start: int, end: int | None
) -> tuple[int, bytes]:
    """Read `[start, end)` of an answer to a ranged GET, whether or not the server honoured it."""
    if response.status == 416:
        total = _CONTENT_RANGE.fullmatch(
            response.headers.get("Content-Range", "").replace("bytes */", "bytes 0-0/")
        )
        return (int(total[3]) if total and total[3] != "*" else start), b""
    if response.status == 206:
        found = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", ""))
        if found is None or int(found[1]) != start:
            raise CircleCIError(f"the storage host answered another range: {found and found[0]!r}")
        size = int(found[3]) if found[3] != "*" else -1
        skip = 0
    else:
        size = response.content_length if response.content_length is not None else -1
        skip = start
    want = None if end is None else end - start
    pieces: list[bytes] = []
    got = 0
    while want is None or got < want:
        chunk = await response.content.read(_READ_CHUNK)
        if not chunk:
            break
        if skip:
            dropped = min(skip, len(chunk))
            chunk, skip = chunk[dropped:], skip - dropped
        if want is not None:
            chunk = chunk[: want - got]
        pieces.append(chunk)
        got += len(chunk)
    return size, b"".join(pieces)
