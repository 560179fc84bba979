"""Artifact harvests spread over a Dask cluster (the `circleci-async[dask]` extra).

    plan = await circle.artifacts.plan_workflow(workflow_id)       # list once, here
    report = harvest(dask_client, plan, "/shared/artifacts",       # download there
                     workers=WorkerClient(base_url=circle.base_url))

The plan is cut into shards by path hash (`HarvestPlan.shards`); each shard is one Dask task,
and each task opens its own `CircleCI` client on its worker, so every worker process keeps its
own connections (and shares the Redis gate when `gate_url` is set). The shards' reports come
back merged into one `DownloadReport`.

`dest` must be a folder that every worker sees under the same path (a local folder for a
`LocalCluster`, a network file system for a real cluster); files appear in it exactly as a
single-process harvest lays them out. A task that fails, or whose worker dies, is run again
by Dask (`retries`): files already under their final names are skipped without a request,
and `.part` files resume, so nothing is downloaded twice.

A harvest that times out or is interrupted stops its workers too: Dask cancels the tasks
not yet started, and the running ones watch a `distributed.Event` that `harvest` sets, and
carry the harvest's deadline, so their downloads are cancelled within a fraction of a second
(`.part` files stay, for a later run to resume).

The token never travels with the tasks (a `Secret` refuses to be pickled): every worker reads
it from its own environment, `CIRCLECI_TOKEN` or `CIRCLE_TOKEN`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
import uuid
from collections.abc import Coroutine, Iterable
from typing import TYPE_CHECKING, Any, Unpack

import attrs

from .artifacts import DEFAULT_ARTIFACT_HOSTS, DownloadReport, HarvestPlan, merge_reports
from .artifacts.service import DownloadOptionArgs
from .client import DEFAULT_BASE_URL, CircleCI
from .errors import CircleCIError, ConfigurationError, InvalidArgumentError
from .retry import RetryPolicy

if TYPE_CHECKING:
    import distributed

__all__ = ["WorkerClient", "harvest", "run_shard"]


def _hosts(hosts: Iterable[str]) -> tuple[str, ...]:
    return (hosts,) if isinstance(hosts, str) else tuple(hosts)


@attrs.frozen(kw_only=True)
class WorkerClient:
    """How each worker opens its `CircleCI` client; the token comes from the worker's env."""

    base_url: str = DEFAULT_BASE_URL
    gate_url: str | None = None
    """The shared Redis gate (`redis://host:port/db`), or None for the in-process gate."""
    artifact_hosts: tuple[str, ...] = attrs.field(default=DEFAULT_ARTIFACT_HOSTS, converter=_hosts)
    max_concurrency: int = 32
    retry: RetryPolicy | None = None
    auth: str = "circle-token"

    def open(self) -> CircleCI:
        """A new client built from these settings (inside the worker)."""
        return CircleCI(
            base_url=self.base_url,
            gate_url=self.gate_url,
            artifact_hosts=self.artifact_hosts,
            max_concurrency=self.max_concurrency,
            retry=self.retry,
            auth=self.auth,
        )


STOP_POLL = 0.2
"""Seconds between a running shard's looks at its harvest's stop event."""


def run_shard(
    plan: HarvestPlan,
    dest: str,
    workers: WorkerClient,
    options: dict[str, Any],
    stop: str | None = None,
    deadline: float | None = None,
) -> DownloadReport:
    """Download one shard's plan on this worker; the task each shard runs.

    `stop` names the `distributed.Event` that ends the shard when set, and `deadline`
    (a `time.time()` value) ends it when passed; either way `TimeoutError` or
    `CancelledError` is raised and the shard's downloads are cancelled.
    """

    async def run() -> DownloadReport:
        async with workers.open() as circle:
            return await circle.artifacts.download(plan, dest, **options)

    return asyncio.run(_stoppable(run(), stop, deadline))


async def _stoppable(
    work: Coroutine[Any, Any, DownloadReport], stop: str | None, deadline: float | None
) -> DownloadReport:
    task = asyncio.ensure_future(work)
    watcher = None if stop is None else asyncio.create_task(_watch(stop, task))
    left = None if deadline is None else deadline - time.time()
    try:
        async with asyncio.timeout(left):
            return await task
    except asyncio.CancelledError:
        if watcher is None or not watcher.done() or watcher.cancelled():
            raise
        raise CircleCIError("the harvest stopped: it timed out or was interrupted") from None
    finally:
        task.cancel()
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher


async def _watch(stop: str, task: asyncio.Future[DownloadReport]) -> None:
    """Cancel `task` once the event `stop` is set (looked at every `STOP_POLL` seconds)."""
    import distributed

    event = distributed.Event(stop)  # type: ignore[no-untyped-call]
    while not task.done():
        if await asyncio.to_thread(event.wait, STOP_POLL):
            task.cancel()
            return


def harvest(
    client: distributed.Client,
    plan: HarvestPlan,
    dest: str | os.PathLike[str],
    *,
    workers: WorkerClient | None = None,
    shards: int | None = None,
    retries: int = 2,
    timeout: float | None = None,
    **options: Unpack[DownloadOptionArgs],
) -> DownloadReport:
    """Download `plan` into `dest` on the cluster of `client`; the merged report.

    `shards` (default: the cluster's worker threads) tasks each take one shard; a shard
    whose task fails is run again up to `retries` times (one whose worker dies is run again
    by Dask on another worker). `timeout` (seconds, None for no limit) bounds the whole
    harvest: `TimeoutError` past it, and the workers' downloads are cancelled (as they are
    when the wait is interrupted). `options` are those of
    `circle.artifacts.download` (a `progress` callback runs on the workers). Blocks until
    the harvest is over: from async code, call it through `asyncio.to_thread`.
    """
    import distributed

    if not isinstance(plan, HarvestPlan):
        raise InvalidArgumentError(f"harvest takes a HarvestPlan, not {type(plan).__name__}")
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise InvalidArgumentError(f"retries must be 0 or more, got {retries!r}")
    count = shards if shards is not None else _threads(client)
    parts = plan.shards(count)
    settings = workers or WorkerClient()
    run = uuid.uuid4().hex[:12]
    stop = f"circleci-async-stop-{run}"
    deadline = None if timeout is None else time.time() + timeout
    futures = [
        client.submit(
            run_shard,
            part,
            os.fspath(dest),
            settings,
            dict(options),
            stop,
            deadline,
            key=f"circleci-async-shard-{index}-of-{count}-{run}",
            retries=retries,
            pure=False,
        )
        for index, part in enumerate(parts)
    ]
    try:
        distributed.wait(futures, timeout=timeout)  # type: ignore[no-untyped-call]
    except BaseException:
        distributed.Event(stop, client=client).set()  # type: ignore[no-untyped-call]
        client.cancel(futures)  # type: ignore[no-untyped-call]
        raise
    reports: Iterable[DownloadReport] = client.gather(futures)  # type: ignore[no-untyped-call]
    return merge_reports(reports)


def _threads(client: distributed.Client) -> int:
    threads = sum(client.nthreads().values())  # type: ignore[no-untyped-call]
    if threads < 1:
        raise ConfigurationError("the Dask cluster has no workers; pass shards=N or add workers")
    return threads
