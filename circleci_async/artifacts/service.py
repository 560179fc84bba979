"""`ArtifactsService`: `circle.artifacts`, the parallel artifact harvester."""

from __future__ import annotations

import os
from collections.abc import AsyncIterable, Iterable, Sequence
from typing import Literal, TypedDict, Unpack
from urllib.parse import urlsplit

import aiohttp

from ..checks import format_job_number, format_path_id, validate_project_slug
from ..errors import CircleCIError, ConfigurationError, InvalidArgumentError
from ..models import Artifact
from ..services import JobsService, PipelinesService, WorkflowsService
from ..session import SessionCore
from .fetch import Fetcher
from .harvest import DownloadOptions, Harvest, Listing
from .hosts import DEFAULT_ARTIFACT_HOSTS, TrustedHosts
from .listing import Listed, PerJob, job_listing, pipeline_listing, workflow_listing
from .logrefs import LogSaver, LogsChoice, job_log_listing, validate_logs
from .plan import HarvestPlan, Shard, collect_plan, sharded, validate_shard
from .progress import ProgressCallback, Tally
from .refs import ArtifactRef
from .report import DownloadReport, ListingFailure, detached

__all__ = ["ArtifactsService", "DownloadOptionArgs"]

_DEFAULT_READ_TIMEOUT = 60.0
_DEFAULT_CONNECT_TIMEOUT = 30.0


class DownloadOptionArgs(TypedDict, total=False):
    """The keyword options every `download*` method takes."""

    concurrency: int
    include: str | Sequence[str]
    exclude: str | Sequence[str]
    overwrite: bool
    progress: ProgressCallback | None
    fail_fast: bool
    keep: Literal["all", "failed"]
    durable: bool
    file_budget: float
    logs: LogsChoice
    logs_only: bool


def _shard(shard: Shard | None) -> Shard | None:
    return None if shard is None else validate_shard(shard)


def _settings(options: DownloadOptionArgs) -> DownloadOptions:
    try:
        return DownloadOptions(**options)
    except TypeError as exc:
        raise InvalidArgumentError(f"unknown download option: {exc}") from None


def _download_timeout(timeout: aiohttp.ClientTimeout) -> aiohttp.ClientTimeout:
    """No limit on a whole download; the client's connect and per-read limits, or defaults."""
    connect = timeout.sock_connect or timeout.connect or timeout.total or _DEFAULT_CONNECT_TIMEOUT
    read = timeout.sock_read or timeout.total or _DEFAULT_READ_TIMEOUT
    return aiohttp.ClientTimeout(total=None, connect=None, sock_connect=connect, sock_read=read)


async def _given(
    items: Iterable[ArtifactRef | Artifact] | AsyncIterable[ArtifactRef | Artifact],
) -> Listing:
    if isinstance(items, AsyncIterable):
        async for item in items:
            yield ArtifactRef.of(item)
    else:
        for item in items:
            yield ArtifactRef.of(item)


class ArtifactsService:
    """Download many artifacts at once: streamed, resumable, and safe with paths and tokens.

    Every method lists lazily (through the client's services, so its retries and its
    rate-limit gate apply) into a bounded queue that `concurrency` workers download from,
    and returns a `DownloadReport`. The options:

    - `concurrency` (8): files downloading at once.
    - `include` / `exclude`: glob patterns on the artifact path (`*` also crosses `/`);
      a file is taken when it matches some `include` (if any) and no `exclude`.
    - `overwrite` (False): by default a file already under its final name is kept when the
      server's copy has its size (asked with a one-byte `Range` request), and fetched again
      otherwise; True downloads it again.
    - `progress`: called with a `Progress` snapshot after each file and while bytes arrive.
    - `fail_fast` (False): stop at the first failed file or list; otherwise carry on.
    - `keep` ("all"): "failed" keeps only failed files in the report (counts stay complete),
      for harvests of very many files.
    - `durable` (False): fsync each file before moving it into place.
    - `file_budget` (3600): seconds one file may take, retries and waits included; every
      attempt's timeout is clipped to what is left.
    - `logs` ("none"): "all" also saves every job's step output, "failed" only that of jobs
      that failed, timed out or hit an infrastructure failure, to
      `<job folder>/logs/<container>/<step id>-<step name>.log` (see `artifacts.logrefs`).
    - `logs_only` (False): True saves the logs instead of the artifacts.

    The token is sent to the API host and to `artifact_hosts` (`*.circle-artifacts.com` by
    default), over https unless the API itself is reached over http, and never to any other
    host. Redirects are followed by hand (at most `max_redirects`), and the token is dropped
    for good as soon as one leaves those hosts.
    """

    name = "artifacts"

    def __init__(
        self,
        core: SessionCore,
        *,
        artifact_hosts: Iterable[str] = DEFAULT_ARTIFACT_HOSTS,
        max_redirects: int = 5,
    ) -> None:
        self._core = core
        if (
            isinstance(max_redirects, bool)
            or not isinstance(max_redirects, int)
            or max_redirects < 0
        ):
            raise ConfigurationError(f"max_redirects must be 0 or more, got {max_redirects!r}")
        plain_http = urlsplit(core.base_url).scheme == "http"
        self.hosts = TrustedHosts(artifact_hosts, plain_http=plain_http).including_origin(
            core.base_url
        )
        """The hosts that may receive the token."""
        self.max_redirects = max_redirects
        self._jobs = JobsService(core)
        self._workflows = WorkflowsService(core)
        self._pipelines = PipelinesService(core)

    def __repr__(self) -> str:
        return f"<ArtifactsService of {self._core.base_url}, token to {self.hosts!r}>"

    async def download_job(
        self,
        project_slug: str,
        job_number: int,
        dest: str | os.PathLike[str],
        *,
        shard: Shard | None = None,
        **options: Unpack[DownloadOptionArgs],
    ) -> DownloadReport:
        """Download the artifacts of one job into `dest/<node_index>/<path>`.

        With `shard=(i, n)`, only the files of shard `i` of `n` (see `HarvestPlan`).
        """
        settings, part = _settings(options), _shard(shard)
        slug = validate_project_slug(project_slug)
        number = int(format_job_number(job_number))
        per_job = self._per_job(settings.logs, logs_only=settings.logs_only)
        listing = per_job(slug, number, None, None)
        return await self._run(listing, dest, settings, False, part)

    async def download_workflow(
        self,
        workflow_id: str,
        dest: str | os.PathLike[str],
        *,
        shard: Shard | None = None,
        **options: Unpack[DownloadOptionArgs],
    ) -> DownloadReport:
        """Download a workflow's artifacts to `dest/<job_number>-<job_name>/<node_index>/<path>`.

        With `shard=(i, n)`, only the files of shard `i` of `n` (see `HarvestPlan`).
        """
        settings, part = _settings(options), _shard(shard)
        format_path_id(workflow_id, name="workflow_id")
        per_job = self._per_job(settings.logs, logs_only=settings.logs_only)
        listing = workflow_listing(self._workflows, self._jobs, workflow_id, per_job)
        return await self._run(listing, dest, settings, True, part)

    async def download_pipeline(
        self,
        pipeline_id: str,
        dest: str | os.PathLike[str],
        *,
        shard: Shard | None = None,
        **options: Unpack[DownloadOptionArgs],
    ) -> DownloadReport:
        """Download the artifacts of every workflow of a pipeline, laid out as for a workflow.

        With `shard=(i, n)`, only the files of shard `i` of `n` (see `HarvestPlan`).
        """
        settings, part = _settings(options), _shard(shard)
        format_path_id(pipeline_id, name="pipeline_id")
        per_job = self._per_job(settings.logs, logs_only=settings.logs_only)
        listing = pipeline_listing(
            self._pipelines, self._workflows, self._jobs, pipeline_id, per_job
        )
        return await self._run(listing, dest, settings, True, part)

    async def download(
        self,
        artifacts: HarvestPlan
        | Iterable[ArtifactRef | Artifact]
        | AsyncIterable[ArtifactRef | Artifact],
        dest: str | os.PathLike[str],
        *,
        by_job: bool = True,
        shard: Shard | None = None,
        **options: Unpack[DownloadOptionArgs],
    ) -> DownloadReport:
        """Download any artifacts: a `HarvestPlan`, `ArtifactRef`s or plain `Artifact`s.

        A ref with a `job_number` goes to `dest/<job_number>[-<job_name>]/<node_index>/<path>`
        (unless `by_job=False`), anything else to `dest/<node_index>/<path>`; a plan brings
        its own `by_job` and reports its listing failures. An iterable is read lazily; an
        error it raises ends the listing and is reported. With `shard=(i, n)`, only the files
        of shard `i` of `n`.
        """
        settings, part = _settings(options), _shard(shard)
        if isinstance(artifacts, HarvestPlan):
            return await self._run(artifacts.listing(), dest, settings, artifacts.by_job, part)
        return await self._run(_given(artifacts), dest, settings, by_job, part)

    async def plan_job(
        self,
        project_slug: str,
        job_number: int,
        *,
        logs: LogsChoice = "none",
        logs_only: bool = False,
    ) -> HarvestPlan:
        """List one job's artifacts (and step logs, see `logs`) into a plan, as `download_job`.

        `logs` and `logs_only` are the download options of the same names.
        """
        slug = validate_project_slug(project_slug)
        number = int(format_job_number(job_number))
        per_job = self._per_job(logs, logs_only=logs_only)
        return await collect_plan(per_job(slug, number, None, None), by_job=False)

    async def plan_workflow(
        self, workflow_id: str, *, logs: LogsChoice = "none", logs_only: bool = False
    ) -> HarvestPlan:
        """List the artifacts (and step logs) of every job of a workflow into a plan."""
        format_path_id(workflow_id, name="workflow_id")
        per_job = self._per_job(logs, logs_only=logs_only)
        listing = workflow_listing(self._workflows, self._jobs, workflow_id, per_job)
        return await collect_plan(listing, by_job=True)

    async def plan_pipeline(
        self, pipeline_id: str, *, logs: LogsChoice = "none", logs_only: bool = False
    ) -> HarvestPlan:
        """List the artifacts (and step logs) of every job of every workflow of a pipeline."""
        format_path_id(pipeline_id, name="pipeline_id")
        per_job = self._per_job(logs, logs_only=logs_only)
        listing = pipeline_listing(
            self._pipelines, self._workflows, self._jobs, pipeline_id, per_job
        )
        return await collect_plan(listing, by_job=True)

    async def plan_branch(
        self,
        project_slug: str,
        branch: str,
        *,
        logs: LogsChoice = "none",
        logs_only: bool = False,
    ) -> HarvestPlan:
        """List the artifacts (and step logs) of the newest pipeline of a branch into a plan.

        A branch without pipelines, or whose pipelines cannot be listed, gives an empty plan
        with a listing failure.
        """
        self._per_job(logs, logs_only=logs_only)
        slug = validate_project_slug(project_slug)
        source = f"the pipelines of branch {branch!r} of {slug}"
        try:
            newest = await self._pipelines.list(slug, branch=branch).first()
        except CircleCIError as error:
            return HarvestPlan((), (ListingFailure(source, detached(error)),), True)
        if newest is None:
            missing = CircleCIError(f"no pipeline on branch {branch!r} of {slug}")
            return HarvestPlan((), (ListingFailure(source, missing),), True)
        return await self.plan_pipeline(newest.id, logs=logs, logs_only=logs_only)

    def _per_job(self, logs: object, *, logs_only: object) -> PerJob:
        """What to list for each job: its artifacts, its step logs, or both."""
        choice = validate_logs(logs)
        if not isinstance(logs_only, bool):
            raise InvalidArgumentError(f"logs_only must be True or False, got {logs_only!r}")
        if logs_only and choice == "none":
            raise InvalidArgumentError("logs_only=True needs logs='all' or 'failed'")
        artifacts = not logs_only
        core, jobs = self._core, self._jobs

        async def listed(slug: str, number: int, name: str | None, status: str | None) -> Listed:
            if artifacts:
                async for item in job_listing(jobs, slug, number, name):
                    yield item
            if choice != "none":
                failed_only = choice == "failed"
                logs_of = job_log_listing(
                    core, slug, number, name, failed_only=failed_only, status=status
                )
                async for item in logs_of:
                    yield item

        return listed

    async def _run(
        self,
        listing: Listing,
        dest: str | os.PathLike[str],
        settings: DownloadOptions,
        by_job: bool,
        shard: Shard | None = None,
    ) -> DownloadReport:
        if shard is not None:
            listing = sharded(listing, shard, by_job=by_job)
        core = self._core
        fetcher = Fetcher(
            session=core.downloads,
            hosts=self.hosts,
            auth=core.auth_headers,
            retry=core.retry,
            sleep=core.sleep,
            random=core.random,
            timeout=_download_timeout(core.timeout),
            clock=core.clock,
            budget=settings.file_budget,
            max_hops=self.max_redirects,
        )
        tally = Tally(clock=core.clock, callback=settings.progress, keep_all=settings.keep == "all")
        harvest = Harvest(fetcher, dest, settings, tally, by_job=by_job, logs=LogSaver(core))
        return await harvest.run(listing)
