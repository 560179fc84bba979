"""A rate-limit gate shared through Redis by every process on one token (`[redis]` extra).

Every client configured with the same Redis URL and the same `(base_url, token)` shares one
gate: the server's figure for the latest 429 pause, the budget and pacing slot read from the
rate-limit headers, and the requests in flight. The key is a SHA-256 of base URL and token,
never the token. Times in Redis are the Redis server's clock (`TIME`, Unix seconds), so
processes on machines whose clocks disagree still agree on the pause; each process turns the
answer into a relative wait on its own (injected, monotonic) clock.

The arithmetic is `gate.py`'s: this process turns the headers into a `Budget` with
`header_budget` and hands Redis its numbers (remaining, spacing, window); the Lua script only
charges the requests in flight everywhere, reserves pacing slots (as `pace_target`) and reads
the shared pause through the caller's own `max_pause` (as `pause_span`), atomically.

One script call per request decides whether it may go now, must wait, or takes a pacing slot
at a given delay, and in the same round trip applies what this process learnt since its last
call (requests finished, the latest headers). A 429 is sent to Redis at once, in a background
call, so the other processes stop promptly. A request in flight holds a short lease (`lease`
seconds) that a background task renews while it runs, so a crashed process frees its budget
within seconds.

When Redis drops a connection (an idle timeout, `CLIENT KILL`, a restart) the call is tried
once more on a fresh connection. When Redis cannot be reached, refuses the credentials or goes
silent for `timeout` seconds (or a whole call takes longer than `latency_budget`), the gate
logs one warning and carries on as an in-process gate, trying Redis again every
`reconnect_after` seconds. A slow but answering Redis is not a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import random as _random
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

from .errors import ConfigurationError
from .gate import Clock, GateTimeout, RateLimitGate, Sleep, header_budget
from .retry import RetryPolicy
from .secret import Secret
from .wire import RateLimitInfo

if TYPE_CHECKING:
    import redis.asyncio
    from redis.commands.core import AsyncScript

__all__ = ["GATE_URL_VARIABLE", "RedisGate", "gate_key", "redacted_url"]

GATE_URL_VARIABLE = "CIRCLECI_GATE_URL"
"""The environment variable read for the gate URL when `CircleCI(gate_url=...)` is not given."""

logger = logging.getLogger("circleci_async")

_SCHEMES = ("redis", "rediss", "unix")
_GO, _WAIT, _TOO_LATE = 0, 1, 2

# KEYS: state hash, in-flight sorted set (member: request id, score: lease expiry).
# ARGV: 1 id ("": only apply updates), 2 lease, 3 max wait (-1: none), 4 the caller's
# max_pause, 5 a 429's wait as the server gave it (""), 6 budget remaining (""), 7 spacing,
# 8 budget window (seconds), 9 idle expiry, 10... ids of requests finished.
# The numbers of 5-8 come from gate.py's functions; the script adds only what needs the
# shared state: requests in flight everywhere, the slot schedule, the server's clock.
_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state, flying = KEYS[1], KEYS[2]
for i = 10, #ARGV do redis.call('ZREM', flying, ARGV[i]) end
redis.call('ZREMRANGEBYSCORE', flying, '-inf', now)
if ARGV[5] ~= '' then
  local ends = now + tonumber(ARGV[5])
  redis.call('HSET', state, 'paused_at', tostring(now))
  if ends > tonumber(redis.call('HGET', state, 'announced') or '0') then
    redis.call('HSET', state, 'announced', tostring(ends))
  end
  redis.call('HINCRBY', state, 'pauses', 1)
end
if ARGV[6] ~= '' then
  redis.call('HSET', state,
    'budget', tostring(tonumber(ARGV[6]) - redis.call('ZCARD', flying)),
    'spacing', ARGV[7], 'budget_until', tostring(now + tonumber(ARGV[8])))
end
local idle = tonumber(ARGV[9])
redis.call('EXPIRE', state, idle)
redis.call('EXPIRE', flying, idle)
if ARGV[1] == '' then return {0, '0', '0'} end
local lease, max_wait, cap = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local announced = tonumber(redis.call('HGET', state, 'announced') or '0')
local paused_at = tonumber(redis.call('HGET', state, 'paused_at') or '0')
local resume = paused_at + math.max(0, math.min(announced - paused_at, cap))
if resume > now then
  local wait = resume - now
  if max_wait >= 0 and wait >= max_wait then
    return {2, tostring(wait), tostring(math.max(wait, announced - now))}
  end
  return {1, tostring(wait), '0'}
end
local until_ = tonumber(redis.call('HGET', state, 'budget_until') or '0')
if until_ <= now then
  redis.call('HDEL', state, 'budget', 'budget_until', 'spacing')
end
local budget = tonumber(redis.call('HGET', state, 'budget') or '')
local spacing = tonumber(redis.call('HGET', state, 'spacing') or '0')
if budget ~= nil and budget < 1 and spacing > 0 then
  local next_slot = tonumber(redis.call('HGET', state, 'next_slot') or '0')
  local slot = math.max(now, math.min(next_slot, until_))
  local wait = slot - now
  if max_wait >= 0 and wait > max_wait then
    redis.call('ZADD', flying, now + lease, ARGV[1])
    return {0, '0', '0'}
  end
  redis.call('HSET', state, 'next_slot', tostring(math.max(now, next_slot) + spacing))
  redis.call('ZADD', flying, slot + lease, ARGV[1])
  return {0, tostring(wait), '0'}
end
if budget ~= nil then redis.call('HSET', state, 'budget', tostring(budget - 1)) end
redis.call('ZADD', flying, now + lease, ARGV[1])
return {0, '0', '0'}
"""

# KEYS: the in-flight set. ARGV: 1 lease, 2... ids still running here. A lease that has
# already expired is not brought back (its budget is counted free again).
_RENEW = """
local t = redis.call('TIME')
local expiry = tonumber(t[1]) + tonumber(t[2]) / 1000000 + tonumber(ARGV[1])
for i = 2, #ARGV do
  local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if score and tonumber(score) < expiry then redis.call('ZADD', KEYS[1], expiry, ARGV[i]) end
end
return 0
"""


def gate_key(base_url: str, token: Secret) -> str:
    """The Redis key prefix of the gate of one `(base_url, token)`: a hash, never the token."""
    digest = hashlib.sha256(f"{base_url.rstrip('/')}\n{token.reveal()}".encode()).hexdigest()
    return f"circleci-async:gate:{{{digest[:32]}}}"


def _netloc(parts: SplitResult, user: str) -> str:
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = parts.netloc.rpartition("]")[2].rpartition("@")[2].partition(":")[2]
    return f"{user}{host}{':' + port if port else ''}"


def redacted_url(url: str) -> str:
    """`url` with its credentials (password, or a lone user name) shown as `***`, for messages.

    Never raises: a URL that cannot be parsed shows only its scheme.
    """
    try:
        parts = urlsplit(url)
        if "@" not in parts.netloc:
            return url
        user = f"{parts.username}:***@" if parts.password is not None else "***@"
        netloc = _netloc(parts, user)
    except ValueError:
        if "@" not in url:
            return url
        scheme = url.partition("://")[0] if "://" in url else ""
        return f"{scheme}://***" if scheme else "***"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _check_url(url: object) -> tuple[str, Secret | None, str | None]:
    """The URL without its password, the password and its user; or ConfigurationError."""
    if not isinstance(url, str) or not url.strip():
        raise ConfigurationError(f"gate_url must be a redis:// URL, got {url!r}")
    shown = redacted_url(url)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (reading it validates it)
    except ValueError as exc:
        reason = "a bad port" if "port" in str(exc).lower() else "a bad host"
        raise ConfigurationError(f"gate_url has {reason}: {shown!r}") from None
    if parts.scheme not in _SCHEMES:
        raise ConfigurationError(
            f"gate_url must start with redis://, rediss:// or unix://, got {shown!r}"
        )
    if parts.scheme != "unix" and not parts.hostname:
        raise ConfigurationError(f"gate_url names no host: {shown!r}")
    if parts.scheme == "unix" and not parts.path:
        raise ConfigurationError(f"gate_url names no socket path: {shown!r}")
    database = parts.path.strip("/")
    if parts.scheme != "unix" and database and not database.isdigit():
        raise ConfigurationError(f"gate_url's database must be a number: {shown!r}")
    if parts.password is None:
        return url, None, None
    bare = urlunsplit((parts.scheme, _netloc(parts, ""), parts.path, parts.query, parts.fragment))
    return bare, Secret(parts.password), parts.username or None


def _connect(
    url: str, shown: str, password: Secret | None, user: str | None, timeout: float
) -> redis.asyncio.Redis:
    try:
        import redis.asyncio as aioredis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff
        from redis.credentials import CredentialProvider
    except ImportError:
        raise ConfigurationError(
            "gate_url needs the redis package: pip install 'circleci-async[redis]'"
        ) from None

    class Credentials(CredentialProvider):
        """Hands redis-py the password only when it authenticates a connection."""

        def get_credentials(self) -> tuple[str] | tuple[str, str]:
            assert password is not None
            return (password.reveal(),) if user is None else (user, password.reveal())

        async def get_credentials_async(self) -> tuple[str] | tuple[str, str]:
            return self.get_credentials()

    options: dict[str, Any] = {}
    if password is not None:
        options["credential_provider"] = Credentials()
    try:
        return aioredis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            health_check_interval=0,
            retry=Retry(NoBackoff(), 0),  # the gate retries a dropped connection itself
            decode_responses=True,
            **options,
        )
    except (ValueError, TypeError) as exc:
        reason = str(exc)
        if password is not None:
            reason = reason.replace(password.reveal(), "***")
        raise ConfigurationError(f"gate_url {shown!r} is not usable: {reason}") from None


def _reason(exc: BaseException) -> str:
    import redis.exceptions

    if isinstance(exc, redis.exceptions.AuthenticationError) or any(
        word in str(exc) for word in ("NOAUTH", "WRONGPASS", "invalid password")
    ):
        return "Redis refused the credentials"
    if isinstance(exc, TimeoutError | redis.exceptions.TimeoutError):
        return "Redis did not answer in time"
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class RedisGate(RateLimitGate):
    """A `RateLimitGate` whose state lives in Redis; see the module docstring.

    `timeout` is how long Redis may stay silent (connecting, or within one answer) before it
    counts as failed, `latency_budget` how long one whole call may take at most, `lease` how
    long a request in flight counts against the budget unless renewed (renewed every third
    of it while the request runs), `reconnect_after` how long the local fallback lasts before
    Redis is tried again. Other keywords go to `RateLimitGate` (the local gate).
    """

    def __init__(
        self,
        url: str,
        *,
        base_url: str,
        token: Secret,
        timeout: float = 1.0,
        latency_budget: float = 5.0,
        lease: float = 6.0,
        reconnect_after: float = 30.0,
        idle_expiry: int = 3600,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        random: Callable[[], float] = _random.random,
        spread: float = 0.25,
        **options: Any,
    ) -> None:
        super().__init__(clock=clock, sleep=sleep, random=random, spread=spread, **options)
        self._now = clock
        self._pause_for = sleep
        self._chance = random
        self._jitter = spread
        bare, password, user = _check_url(url)
        self.shown_url = redacted_url(url)
        """The Redis URL with its credentials (if any) shown as `***`."""
        key = gate_key(base_url, token)
        self._keys = [f"{key}:state", f"{key}:inflight"]
        self._latency_budget = max(latency_budget, timeout)
        self._lease = lease
        self._reconnect_after = reconnect_after
        self._idle_expiry = idle_expiry
        self._redis = _connect(bare, self.shown_url, password, user, timeout)
        self._script = self._redis.register_script(_SCRIPT)
        self._renewer = self._redis.register_script(_RENEW)
        self._held: dict[asyncio.Task[Any], str] = {}
        self._leases: set[str] = set()
        self._finished: list[str] = []
        self._pause: float | None = None
        self._seen: RateLimitInfo | None = None
        self._flusher: asyncio.Task[None] | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self._down_until: float | None = None
        self._warned = False
        self.fallbacks = 0
        """How many times Redis failed and the local gate took over (a figure for tests)."""
        self.reconnects = 0
        """How many calls were tried again on a fresh connection after Redis dropped one."""
        self.server_wait = 0.0
        """When a caller could not wait: the seconds the server last asked for (a 429's figure
        may exceed the capped pause the gate keeps closed)."""

    def __repr__(self) -> str:
        return f"<RedisGate at {self.shown_url}>"

    @property
    def shared(self) -> bool:
        """True while the gate works through Redis, False while it falls back locally."""
        return self._down_until is None

    async def wait(self, deadline: float | None = None) -> float:
        """Wait until a request may be sent (as `RateLimitGate.wait`), asking Redis."""
        waited = 0.0
        task = asyncio.current_task()
        while True:
            if not self._usable() or task is None:
                return waited + await super().wait(deadline)
            max_wait = -1.0 if deadline is None else max(0.0, deadline - self._now())
            request = uuid.uuid4().hex
            try:
                kind, wait, announced = await self._decide(request, max_wait)
            except _Unavailable:
                continue
            if kind == _TOO_LATE:
                self.server_wait = announced
                raise GateTimeout(wait, announced)
            if kind == _GO:
                self._leases.add(request)
                self._keep_leases()
                if wait > 0:
                    try:
                        await self._pause_for(wait)
                    except BaseException:
                        self._release(request)
                        raise
                    waited += wait
                    if self.resume_at > self._now():  # a 429 came here while on the slot
                        self._release(request)
                        continue
                self._held[task] = request
                return waited
            delay = wait + self._jitter * self._chance()
            await self._pause_for(delay)
            waited += delay

    def finished(self) -> None:
        """A request let through by `wait()` is over; Redis hears of it with the next call."""
        task = asyncio.current_task()
        request = None if task is None else self._held.pop(task, None)
        if request is None:
            super().finished()
            return
        self._release(request)

    def pause(self, seconds: float | None) -> float:
        """Record a 429 (as `RateLimitGate.pause`) and tell Redis the server's figure at once.

        Redis keeps the server's wait, not this gate's capped span: every process reads it
        through its own `max_pause`.
        """
        span = super().pause(seconds)
        server = span if seconds is None else max(seconds, 0.0)
        self._pause = server if self._pause is None else max(self._pause, server)
        self._flush_soon(0.0)
        return span

    def observe(self, info: RateLimitInfo | None, *, success: bool = True) -> None:
        """Take an answer's rate-limit headers into account, here and (soon) in Redis."""
        super().observe(info, success=success)
        if info is not None and info.remaining is not None:
            self._seen = info
            self._flush_soon(0.05)

    async def flush(self) -> None:
        """Send what Redis has not heard yet (finished requests, pauses, headers) now."""
        flusher = self._flusher
        if flusher is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await flusher
        if self._usable() and (self._finished or self._pause is not None or self._seen):
            with contextlib.suppress(_Unavailable):
                await self._decide("", -1.0)

    async def renew(self) -> None:
        """Extend the leases of this gate's requests still running (the heartbeat calls it)."""
        if self._leases and self._usable():
            with contextlib.suppress(_Unavailable):
                await self._run(self._renewer, self._keys[1:], [self._lease, *self._leases])

    async def aclose(self) -> None:
        """Flush (every call bounded by the timeout) and disconnect from Redis."""
        heartbeat = self._heartbeat
        if heartbeat is not None:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
        await self.flush()
        await self._redis.aclose()

    def _release(self, request: str) -> None:
        self._leases.discard(request)
        self._finished.append(request)
        self._flush_soon(0.05)

    def _usable(self) -> bool:
        if self._down_until is None:
            return True
        return self._now() >= self._down_until

    def _keep_leases(self) -> None:
        if self._heartbeat is None:
            self._heartbeat = asyncio.get_running_loop().create_task(self._beat())

    async def _beat(self) -> None:
        try:
            while self._leases:
                await asyncio.sleep(self._lease / 3)  # Redis's clock: real seconds
                await self.renew()
        finally:
            self._heartbeat = None

    def _flush_soon(self, delay: float) -> None:
        if self._flusher is not None or not self._usable():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._flusher = loop.create_task(self._flush(delay))

    async def _flush(self, delay: float) -> None:
        try:
            if delay:
                await asyncio.sleep(delay)
            if self._finished or self._pause is not None or self._seen is not None:
                await self._decide("", -1.0)
        except _Unavailable:
            pass
        finally:
            self._flusher = None

    async def _decide(self, request: str, max_wait: float) -> tuple[int, float, float]:
        finished, self._finished = self._finished, []
        pause, self._pause = self._pause, None
        seen, self._seen = self._seen, None
        budget = header_budget(seen, now=0.0, in_flight=0)  # in flight: counted in Redis
        args: list[Any] = [
            request,
            self._lease,
            max_wait,
            self.max_pause,
            "" if pause is None else pause,
            "" if budget is None else budget.remaining,
            "" if budget is None else budget.spacing,
            "" if budget is None else budget.expires_at,
            self._idle_expiry,
            *finished,
        ]
        kind, wait, announced = await self._run(self._script, self._keys, args)
        return int(kind), float(wait), float(announced)

    async def _run(self, script: AsyncScript, keys: list[str], args: list[Any]) -> Any:
        """One script call; once more on a fresh connection if Redis dropped the one used."""
        import redis.exceptions

        for attempt in (1, 2):
            try:
                async with asyncio.timeout(self._latency_budget):
                    answer = await script(keys=keys, args=args)
            except redis.exceptions.ConnectionError as exc:
                if attempt == 1 and not isinstance(exc, redis.exceptions.AuthenticationError):
                    self.reconnects += 1
                    await self._redis.connection_pool.disconnect(inuse_connections=False)
                    continue
                self._fall_back(exc)
                raise _Unavailable from None
            except Exception as exc:
                if not _is_redis_failure(exc):
                    raise
                self._fall_back(exc)
                raise _Unavailable from None
            if not self.shared:
                self._down_until = None
                logger.info("the shared rate-limit gate at %s answers again", self.shown_url)
            return answer
        raise AssertionError("unreachable")  # pragma: no cover

    def _fall_back(self, exc: BaseException) -> None:
        self.fallbacks += 1
        self._down_until = self._now() + self._reconnect_after
        if not self._warned:
            self._warned = True
            logger.warning(
                "the shared rate-limit gate at %s is out of use (%s); this client carries on "
                "with its own in-process gate and tries Redis again every %.0f s",
                self.shown_url,
                _reason(exc),
                self._reconnect_after,
            )


class _Unavailable(Exception):
    """Redis could not be used for this call; the local gate takes over."""


def _is_redis_failure(exc: BaseException) -> bool:
    import redis.exceptions

    return isinstance(exc, redis.exceptions.RedisError | OSError | TimeoutError)


def make_gate(
    url: str,
    *,
    base_url: str,
    token: Secret,
    clock: Clock | None = None,
    sleep: Sleep | None = None,
    random: Callable[[], float] | None = None,
    policy: RetryPolicy | None = None,
) -> RedisGate:
    """A `RedisGate` with the client's clock, sleep, random and policy (defaults where None)."""
    options: dict[str, Any] = {
        key: value
        for key, value in (
            ("clock", clock),
            ("sleep", sleep),
            ("random", random),
            ("policy", policy),
        )
        if value is not None
    }
    return RedisGate(url, base_url=base_url, token=token, **options)
