"""`FakeCircleCI`: the fake server's lifecycle, its three origins and request recording."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import socket
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from types import TracebackType
from typing import Self

import attrs
from aiohttp import web

from .api_context import ApiContext, ApiError
from .artifacts import serve_artifact
from .auth import is_authorized, unauthorized
from .clock import datetime_clock
from .deliveries import WebhookDeliveries
from .faults import FaultPlan, Faults
from .handlers.logs import LogService, log_routes, owns
from .logs import FakeLogs
from .paging import PageTokens
from .presign import Presigner
from .profiles import PROFILES, reshape
from .recording import Origin, RecordedRequest
from .records import ArtifactRecord
from .replies import Reply, send
from .routing import API_PREFIX, RouteMatch, Router, default_router
from .runner import BuildRunner
from .state import FakeState
from .storage import carries_token, serve_storage, storage_path
from .urls import artifact_url_path

__all__ = ["FakeCircleCI"]

_SHUTDOWN_TIMEOUT = 0.5
_LONGEST_TICK = 0.05
_LOG = logging.getLogger(__name__)


class FakeCircleCI:
    """A fake CircleCI API v2 over loopback HTTP, with artifact and storage origins.

    Use `async with FakeCircleCI() as fake:` (or `start()` / `close()`), then point a client
    at `fake.base_url` with `fake.token`. `seed` adds the demo organisation (`demo_org`).
    `record=False` keeps `requests` empty (flat memory); `on_response` still sees every answer.
    `artifact_redirects=False` serves artifacts directly instead of redirecting to storage.
    `port` fixes the API origin's port (default: any free one).
    `job_seconds` turns on the build runner (`circleci_async.testing.runner`): pipelines
    triggered through the API start workflows whose jobs succeed after that many seconds,
    checked whenever the API answers a request and a few times within each job's time; the
    webhooks of their projects receive `job-completed` and `workflow-completed` events
    (`deliveries`), on loopback addresses only. `profile="server"` answers in the older
    shapes of CircleCI Server installs (see `circleci_async.testing.profiles`).
    `clock` (monotonic seconds, default `time.monotonic`) is the fake's time: fault windows,
    token buckets, `RecordedRequest` times and, through `state.now()` (a date-time clock that
    moves with it), the build runner, webhook retries and storage URL expiry; `sleep` waits
    out `faults.delay`.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        page_size: int = 20,
        seed: int | None = None,
        on_response: Callable[[RecordedRequest], object] | None = None,
        record: bool = True,
        artifact_redirects: bool = True,
        presign_ttl: int = 300,
        port: int = 0,
        job_seconds: float | None = None,
        profile: str = "cloud",
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        if profile not in PROFILES:
            raise ValueError(f"profile must be one of {', '.join(sorted(PROFILES))}")
        self.profile = profile
        """Which install's answer shapes the fake copies: `cloud` (the spec) or `server`."""
        self.token = token or f"fake-{secrets.token_hex(16)}"
        """The only token the fake accepts."""
        self.page_size = page_size
        """Items per page of every paged route (may be changed at any time)."""
        self.clock = clock
        """The fake's monotonic clock in seconds."""
        self._sleep = sleep
        self.state = FakeState(seed=seed, clock=datetime_clock(clock))
        """The in-memory data and its factories."""
        if seed is not None:
            self.state.seed_demo(seed)
        self._page_tokens = PageTokens()
        self.faults = Faults(self._page_tokens, clock=clock)
        """Fault injection."""
        self.requests: list[RecordedRequest] = []
        """Every request seen by any origin, in arrival order."""
        self.storage_saw_token = False
        """Whether any storage request carried `Circle-Token`, `Authorization` or `circle-token`."""
        self.on_response = on_response
        self.record = record
        self.artifact_redirects = artifact_redirects
        self.presign_ttl = presign_ttl
        """Lifetime in seconds of the storage URLs the artifacts origin redirects to."""
        self.port = port
        """The API origin's port on 127.0.0.1 (0: any free port); the others take free ports."""
        self.deliveries = WebhookDeliveries(self.state, self.faults)
        """The webhook events sent (`sent`) and their retries."""
        self.runner = (
            None
            if job_seconds is None
            else BuildRunner(
                self.state, job_seconds=job_seconds, on_finished=self.deliveries.notify
            )
        )
        """The build runner, when `job_seconds` was given."""
        self._tick = 0.0 if job_seconds is None else min(_LONGEST_TICK, job_seconds / 4)
        self._pump: asyncio.Task[None] | None = None
        self.router: Router = default_router()
        """The API routes, one per spec operation; `replace()` one to answer differently."""
        self._presigner = Presigner(clock=self.state.now)
        self.logs = FakeLogs(self.state)
        """Step logs of every job (`circleci_async.testing.logs`); `set_output` to change one."""
        self._log_service = LogService(
            self.logs,
            presigner=self._presigner,
            storage_url=lambda: self.storage_url,
            faults=self.faults,
            token=lambda: self.token,
            profile=profile,
        )
        self.outside_router = Router(log_routes(self._log_service))
        """Routes outside API v2 (v1.1, v3, private), matched on the whole path."""
        self._runners: list[web.AppRunner] = []
        self._urls: dict[Origin, str] = {}

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>/api/v2`."""
        return self._url("api") + API_PREFIX

    @property
    def artifacts_url(self) -> str:
        """Base URL of the artifacts origin (`http://localhost:<port>`)."""
        return self._url("artifacts")

    @property
    def storage_url(self) -> str:
        """Base URL of the storage origin (`http://127.0.0.2:<port>` where the OS allows)."""
        return self._url("storage")

    @property
    def started(self) -> bool:
        """Whether the origins are listening."""
        return bool(self._runners)

    def artifact_url(self, artifact: ArtifactRecord) -> str:
        """The URL getJobArtifacts lists for `artifact`."""
        return self.artifacts_url + artifact_url_path(
            artifact.job_id, artifact.node_index, artifact.path
        )

    def presigned_url(
        self,
        artifact: ArtifactRecord,
        *,
        expires_in: int | None = None,
        issued_at: datetime | None = None,
    ) -> str:
        """A signed storage URL for `artifact`; pass a past `issued_at` to get an expired one."""
        path = storage_path(artifact.id)
        ttl = self.presign_ttl if expires_in is None else expires_in
        query = self._presigner.query(path, expires_in=ttl, issued_at=issued_at)
        return f"{self.storage_url}{path}?{query}"

    async def start(self) -> None:
        """Start listening on all three origins."""
        if self._runners:
            raise RuntimeError("FakeCircleCI is already started")
        try:
            api = await self._serve("api", [_bind("127.0.0.1", self.port)])
            self._urls["api"] = f"http://127.0.0.1:{api}"
            artifacts = await self._serve("artifacts", _bind_localhost())
            self._urls["artifacts"] = f"http://localhost:{artifacts}"
            storage_host = "127.0.0.2" if _can_bind("127.0.0.2") else "127.0.0.1"
            storage = await self._serve("storage", [_bind(storage_host)])
            self._urls["storage"] = f"http://{storage_host}:{storage}"
        except BaseException:
            await self.close()
            raise
        if self.runner is not None:
            self._pump = asyncio.get_running_loop().create_task(self._run_builds(self.runner))

    async def _run_builds(self, runner: BuildRunner) -> None:
        """Step the runner and send the webhooks that are due, between requests too."""
        while True:
            try:
                runner.step()
                await self.deliveries.deliver_due()
            except Exception:
                _LOG.exception("the fake's build runner failed a step")
            await asyncio.sleep(self._tick)

    async def close(self) -> None:
        """Stop every origin; safe to call twice."""
        pump, self._pump = self._pump, None
        if pump is not None:
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pump
        await self.deliveries.close()
        runners, self._runners = self._runners, []
        self._urls.clear()
        for runner in runners:
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    def requests_for(self, operation_id: str) -> list[RecordedRequest]:
        """Recorded API requests routed to `operation_id`."""
        return [r for r in self.requests if r.operation_id == operation_id]

    # Serving ------------------------------------------------------------------------------

    def _url(self, origin: Origin) -> str:
        try:
            return self._urls[origin]
        except KeyError:
            raise RuntimeError("FakeCircleCI is not started") from None

    async def _serve(self, origin: Origin, sockets: list[socket.socket]) -> int:
        async def handle(request: web.Request) -> web.StreamResponse:
            return await self._handle(origin, request)

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handle)
        runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=_SHUTDOWN_TIMEOUT, handler_cancellation=True
        )
        await runner.setup()
        self._runners.append(runner)
        for sock in sockets:
            await web.SockSite(runner, sock).start()
        port: int = sockets[0].getsockname()[1]
        return port

    async def _handle(self, origin: Origin, request: web.Request) -> web.StreamResponse:
        received_at = self.clock()
        match = self._route(request) if origin == "api" else None
        operation_id = None if match is None else match.route.operation_id
        record = RecordedRequest(
            origin=origin,
            method=request.method,
            path=request.rel_url.raw_path,
            query=dict(request.query),
            headers={str(name): value for name, value in request.headers.items()},
            operation_id=operation_id,
            received_at=received_at,
        )
        if self.record:
            self.requests.append(record)
        if origin == "storage" and carries_token(request):
            self.storage_saw_token = True
        plan = FaultPlan()
        reply: Reply | None = None
        cut_after: int | None = None
        try:
            plan = self.faults.plan(origin, request.method, operation_id)
            if self.runner is not None and origin == "api":
                self.runner.step()
            if plan.delay:
                await self._sleep(plan.delay)
            reply = plan.reply or await self._answer(origin, request, match, plan.ignore_query)
            reply = reply.with_headers(plan.headers)
            if plan.keep_bytes is not None:
                reply = reply.clipped(plan.keep_bytes)
            if plan.cut_after is not None:
                cut_after = min(plan.cut_after, max(reply.length - 1, 0))
            stall_after, stall = _stall(plan, self._sleep)
            return await send(
                request, reply, cut_after=cut_after, stall_after=stall_after, stall=stall
            )
        finally:
            self._complete(record, reply, plan.fault, truncated=cut_after is not None)

    def _route(self, request: web.Request) -> RouteMatch | None:
        raw_path = request.rel_url.raw_path
        if not raw_path.startswith(API_PREFIX + "/"):
            return self.outside_router.resolve(request.method, raw_path)
        return self.router.resolve(request.method, raw_path[len(API_PREFIX) :])

    async def _answer(
        self,
        origin: Origin,
        request: web.Request,
        match: RouteMatch | None,
        ignored_query: tuple[str, ...] = (),
    ) -> Reply:
        if origin == "artifacts":
            redirect = self.presigned_url if self.artifact_redirects else None
            return serve_artifact(request, state=self.state, token=self.token, redirect=redirect)
        if origin == "storage" and owns(request.rel_url.raw_path):
            return self._log_service.serve_output(request)
        if origin == "storage":
            return serve_storage(request, state=self.state, presigner=self._presigner)
        if not is_authorized(request.headers, self.token):
            return unauthorized("message" if match is None else match.route.error_key)
        if match is None:
            raw_path = request.rel_url.raw_path
            below = raw_path[len(API_PREFIX) :] if raw_path.startswith(API_PREFIX) else ""
            if below and self.router.knows_path(below):
                return Reply.message(405, "Method not allowed")
            return Reply.message(404, "Not found")
        context = ApiContext(
            request=request,
            operation_id=match.route.operation_id,
            params=match.params,
            state=self.state,
            tokens=self._page_tokens,
            page_size=self.page_size,
            artifact_url=self.artifact_url,
            cycle_after=self.faults.cycle_after(origin, request.method, match.route.operation_id),
            ignored_query=ignored_query,
        )
        try:
            reply = await match.route.handler(context)
        except ApiError as error:
            return Reply.json(error.status, {match.route.error_key: error.message})
        if self.profile != "cloud" and 200 <= reply.status < 300 and reply.body_json is not None:
            shaped = reshape(self.profile, match.route.operation_id, reply.body_json)
            if shaped is not reply.body_json:
                reply = Reply.json(reply.status, shaped, reply.headers)
        return reply

    def _complete(
        self, record: RecordedRequest, reply: Reply | None, fault: str | None, *, truncated: bool
    ) -> None:
        if not self.record and self.on_response is None:
            return
        done = attrs.evolve(
            record,
            status=None if reply is None else reply.status,
            body_json=None if reply is None or truncated else reply.body_json,
            fault="disconnect" if truncated else fault,
            answered_at=self.clock(),
        )
        if self.record:
            for index in range(len(self.requests) - 1, -1, -1):
                if self.requests[index] is record:
                    self.requests[index] = done
                    break
        if self.on_response is not None:
            self.on_response(done)


def _stall(
    plan: FaultPlan, sleep: Callable[[float], Awaitable[object]]
) -> tuple[int | None, Callable[[], Awaitable[object]] | None]:
    if plan.stall is None:
        return None, None
    after, seconds = plan.stall
    return after, lambda: sleep(seconds)


def _bind(host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind((host, port))
    except BaseException:
        sock.close()
        raise
    return sock


def _bind_localhost() -> list[socket.socket]:
    """127.0.0.1 on a free port, plus ::1 on the same port where possible (both are localhost)."""
    first = _bind("127.0.0.1")
    port = first.getsockname()[1]
    with contextlib.suppress(OSError):
        return [first, _bind("::1", port, socket.AF_INET6)]
    return [first]


def _can_bind(host: str) -> bool:
    try:
        _bind(host).close()
    except OSError:
        return False
    return True
