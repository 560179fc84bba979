"""`CircleCI`: the client users hold, with one attribute per service."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from types import TracebackType
from urllib.parse import urlsplit

import aiohttp

from .artifacts import DEFAULT_ARTIFACT_HOSTS, ArtifactsService
from .errors import ConfigurationError
from .gate import Clock, Sleep
from .redis_gate import GATE_URL_VARIABLE, make_gate
from .retry import RetryPolicy
from .secret import Secret
from .services import (
    ContextsService,
    DeploysService,
    GroupsService,
    InsightsService,
    JobsService,
    OidcService,
    OrganizationsService,
    PipelineDefinitionsService,
    PipelinesService,
    PoliciesService,
    ProjectsService,
    RawService,
    RollbacksService,
    SchedulesService,
    TriggersService,
    UsageService,
    UsersService,
    WebhooksService,
    WorkflowsService,
)
from .session import DEFAULT_MAX_RESPONSE_BYTES, AuthScheme, SessionCore

__all__ = [
    "BASE_URL_VARIABLES",
    "DEFAULT_BASE_URL",
    "TOKEN_VARIABLES",
    "CircleCI",
    "resolve_base_url",
    "resolve_token",
]

DEFAULT_BASE_URL = "https://circleci.com/api/v2"
TOKEN_VARIABLES = ("CIRCLECI_TOKEN", "CIRCLE_TOKEN", "CIRCLECI_CLI_TOKEN")
"""Environment variables read for the token, in order, when none is passed."""
BASE_URL_VARIABLES = ("CIRCLECI_BASE_URL", "CIRCLECI_CLI_HOST")
"""Environment variables read for the API root, in order: a URL ending in `/api/v2`, or
(CircleCI CLI's) a host such as `https://circleci.example.com`, to which `/api/v2` is added."""
_BAD_TOKEN = re.compile(r"[\x00-\x20\x7f]")


def resolve_base_url(base_url: str | None = None, *, source: str = "base_url") -> str:
    """The API root: the argument, `CIRCLECI_BASE_URL`, `CIRCLECI_CLI_HOST`, or the default.

    `/api/v2` is added to a `CIRCLECI_CLI_HOST` that lacks it. Raises `ConfigurationError`
    naming where a value that is no http(s) URL came from.
    """
    if base_url is None:
        for variable in BASE_URL_VARIABLES:
            value = os.environ.get(variable, "").strip()
            if value:
                base_url, source = value, f"${variable}"
                if variable == "CIRCLECI_CLI_HOST" and not value.rstrip("/").endswith("/api/v2"):
                    base_url = value.rstrip("/") + "/api/v2"
                break
    if base_url is None:
        return DEFAULT_BASE_URL
    if not isinstance(base_url, str):
        raise ConfigurationError(f"{source} must be a string, not {type(base_url).__name__}")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"{source} must be an http:// or https:// URL such as "
            f"https://circleci.example.com/api/v2, got {base_url!r}"
        )
    return base_url


def resolve_token(
    token: str | Secret | None = None, *, source: str = "the token argument"
) -> Secret:
    """The token from the argument, else `CIRCLECI_TOKEN`, `CIRCLE_TOKEN`, `CIRCLECI_CLI_TOKEN`.

    Raises `ConfigurationError` when there is none, or when it holds spaces or control
    characters (which would break or inject into the auth header); `source` names where a
    token passed in came from. The token is held as a `Secret` from the start, so no frame
    of a traceback shows it among its locals.
    """
    secret = token if token is None or isinstance(token, Secret) else Secret(token)
    del token
    if secret is None:
        for variable in TOKEN_VARIABLES:
            if os.environ.get(variable, "").strip():
                secret, source = Secret(os.environ[variable]), f"${variable}"
                break
    if secret is None:
        raise ConfigurationError(
            "no CircleCI token: pass token=..., or set CIRCLECI_TOKEN (or CIRCLE_TOKEN, "
            "CIRCLECI_CLI_TOKEN) "
            "(a personal API token from https://app.circleci.com/settings/user/tokens)"
        )
    problem = _token_problem(secret, source)
    if problem is not None:
        raise ConfigurationError(problem)
    return Secret(secret.reveal().strip())


def _token_problem(secret: Secret, source: str) -> str | None:
    """What is wrong with a token, or None.

    The value is a local of this frame only, which has ended by the time the error is raised.
    """
    value: object = secret.reveal()
    if not isinstance(value, str):
        return f"the token must be a string, not {type(value).__name__}"
    value = value.strip()
    if not value:
        return f"{source} is empty: give a CircleCI personal API token"
    if _BAD_TOKEN.search(value):
        return f"{source} contains spaces or control characters: a token is one word"
    return None


class CircleCI:
    """An asyncio client for the CircleCI REST API v2.

    Use it as `async with CircleCI() as circle:` (or call `await circle.close()`). The
    token comes from `token`, else `CIRCLECI_TOKEN`, `CIRCLE_TOKEN` or `CIRCLECI_CLI_TOKEN`,
    and is sent as `Circle-Token` (or `Authorization: Bearer` with `auth="bearer"`) only to
    the API host. `base_url` (else `CIRCLECI_BASE_URL`, else `CIRCLECI_CLI_HOST` plus
    `/api/v2`) points the client at a CircleCI Server install. At most `max_concurrency`
    requests are in flight at once; `retry` limits retries; `timeout` is seconds per
    request or an `aiohttp.ClientTimeout`. A `session` passed in is used but never closed.
    `clock`, `sleep` and `random` replace time and chance, for tests. `artifact_hosts` are
    the hosts besides the API host that receive the token when `artifacts` downloads
    (`*.circle-artifacts.com` by default). `max_response_bytes` (64 MiB) is the largest API
    answer accepted, counted after decompression; a bigger one raises `ResponseTooLargeError`.
    `gate_url` (else `CIRCLECI_GATE_URL`), a `redis://host:port/db` URL, shares the rate-limit
    gate with every client on the same Redis, base URL and token, in any process (the
    `circleci-async[redis]` extra).

    Answers are read tolerantly: where one departs from CircleCI's spec (a field missing,
    null, or of another kind) the rest is kept and a `SchemaDriftWarning` says what drifted,
    once per operation and field; `strict=True` raises `DecodeError` instead. `raw` calls
    any operation by its path template and returns the JSON as sent.

    Services, one attribute per part of the API (the spec's tags): `users`, `pipelines`
    (also `wait()`), `workflows` (also `wait()`), `jobs`, `projects`, `contexts`, `insights`,
    `schedules`, `webhooks`, `oidc`, `policies`, `organizations`, `groups`,
    `pipeline_definitions`, `triggers`, `deploys`, `rollbacks`, `usage`; and `artifacts`
    (bulk downloads) and `raw` (any path). `circleci_async.OPERATIONS` maps
    every spec operationId to its method. Lists come back as lazy `Paginator`s. Methods
    that POST or PATCH are sent once unless a retry is known to be safe; pass
    `idempotent=True` to retry them like GETs.
    """

    users: UsersService
    """Users: `me()`, `get()`, `collaborations()`."""
    pipelines: PipelinesService
    """Pipelines: `list()`, `mine()`, `followed()`, `get()`, `get_by_number()`, `config()`,
    `values()`, `workflows()`, `run()`, `trigger()`, `continue_from_setup()`."""
    workflows: WorkflowsService
    """Workflows: `get()`, `jobs()`, `cancel()`, `rerun()`, `approve()`."""
    jobs: JobsService
    """Jobs: `get()`, `artifacts()`, `tests()`, `cancel()`, `cancel_by_id()`."""
    projects: ProjectsService
    """Projects: `get()`, `create()`, `delete()`, settings, checkout keys, env vars."""
    contexts: ContextsService
    """Contexts: `list()`, `create()`, `get()`, `delete()`, env vars, restrictions."""
    insights: InsightsService
    """Insights: summaries, metrics, runs, timeseries, branches, flaky and test metrics."""
    schedules: SchedulesService
    """Schedules: `list()`, `create()`, `get()`, `update()`, `delete()`."""
    webhooks: WebhooksService
    """Outbound webhooks: `list()`, `create()`, `get()`, `update()`, `delete()`."""
    oidc: OidcService
    """OIDC token claims of organizations and projects: get, update, delete."""
    policies: PoliciesService
    """Config policies: decisions, their logs and settings, policy bundles."""
    organizations: OrganizationsService
    """Organizations: `create()`, `delete()`, the URL orb allow-list."""
    groups: GroupsService
    """Groups of an organization: `list()`, `create()`, `get()`, `delete()`."""
    pipeline_definitions: PipelineDefinitionsService
    """Pipeline definitions: `list()`, `create()`, `get()`, `update()`, `delete()`."""
    triggers: TriggersService
    """Triggers of pipeline definitions: `list()`, `create()`, `get()`, `update()`,
    `delete()`."""
    deploys: DeploysService
    """Deploys: environments, components and component versions."""
    rollbacks: RollbacksService
    """Rollbacks: `create()`."""
    usage: UsageService
    """Usage exports: `create_export()`, `export()`."""
    artifacts: ArtifactsService
    """Artifact downloads in bulk: `download_job()`, `download_workflow()`,
    `download_pipeline()`, `download()`."""
    raw: RawService
    """Any operation by its spec path template, answered as JSON: `get()`, `post()`,
    `put()`, `patch()`, `delete()`, and `pages()` for paged lists."""

    def __init__(
        self,
        token: str | Secret | None = None,
        *,
        base_url: str | None = None,
        auth: AuthScheme | str = AuthScheme.CIRCLE_TOKEN,
        max_concurrency: int = 32,
        retry: RetryPolicy | None = None,
        timeout: float | aiohttp.ClientTimeout | None = None,
        session: aiohttp.ClientSession | None = None,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
        random: Callable[[], float] | None = None,
        artifact_hosts: Iterable[str] = DEFAULT_ARTIFACT_HOSTS,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        gate_url: str | None = None,
        strict: bool = False,
    ) -> None:
        # Held as a Secret at once: a traceback with locals of a failure below shows no token.
        hidden = token if token is None or isinstance(token, Secret) else Secret(token)
        del token
        try:
            scheme = AuthScheme(auth)
        except ValueError:
            choices = ", ".join(repr(s.value) for s in AuthScheme)
            raise ConfigurationError(f"auth must be one of {choices}, got {auth!r}") from None
        if isinstance(timeout, int | float):
            if timeout <= 0:
                raise ConfigurationError(f"timeout must be positive, got {timeout}")
            timeout = aiohttp.ClientTimeout(total=float(timeout))
        extras = {
            key: value
            for key, value in (("clock", clock), ("sleep", sleep), ("random", random))
            if value is not None
        }
        secret = resolve_token(hidden)
        base_url = resolve_base_url(base_url)
        if gate_url is None:
            gate_url = os.environ.get(GATE_URL_VARIABLE, "").strip() or None
        gate = None
        if gate_url is not None:
            gate = make_gate(
                gate_url,
                base_url=base_url,
                token=secret,
                clock=clock,
                sleep=sleep,
                random=random,
                policy=retry,
            )
        self._core = SessionCore(
            token=secret,
            gate=gate,
            base_url=base_url,
            auth=scheme,
            max_concurrency=max_concurrency,
            retry=retry,
            timeout=timeout,
            session=session,
            max_response_bytes=max_response_bytes,
            strict=strict,
            **extras,  # type: ignore[arg-type]
        )
        self.users = UsersService(self._core)
        self.pipelines = PipelinesService(self._core)
        self.workflows = WorkflowsService(self._core)
        self.jobs = JobsService(self._core)
        self.projects = ProjectsService(self._core)
        self.contexts = ContextsService(self._core)
        self.insights = InsightsService(self._core)
        self.schedules = SchedulesService(self._core)
        self.webhooks = WebhooksService(self._core)
        self.oidc = OidcService(self._core)
        self.policies = PoliciesService(self._core)
        self.organizations = OrganizationsService(self._core)
        self.groups = GroupsService(self._core)
        self.pipeline_definitions = PipelineDefinitionsService(self._core)
        self.triggers = TriggersService(self._core)
        self.deploys = DeploysService(self._core)
        self.rollbacks = RollbacksService(self._core)
        self.usage = UsageService(self._core)
        self.artifacts = ArtifactsService(self._core, artifact_hosts=artifact_hosts)
        self.raw = RawService(self._core)

    @property
    def core(self) -> SessionCore:
        """The session core that sends every request (for extensions and figures)."""
        return self._core

    @property
    def base_url(self) -> str:
        """The API root this client talks to."""
        return self._core.base_url

    def __repr__(self) -> str:
        core: SessionCore | None = getattr(self, "_core", None)
        if core is None:
            # Half built (its __init__ failed): a traceback with locals still shows it.
            return "CircleCI(<not configured>, token=***)"
        return f"CircleCI(base_url={core.base_url!r}, auth={core.auth.value!r}, token=***)"

    async def __aenter__(self) -> CircleCI:
        self._core.http()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session (unless the caller passed it in)."""
        await self._core.close()
