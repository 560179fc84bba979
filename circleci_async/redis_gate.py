"""A rate-limit gate shared through Redis by every process on one token (`[redis]` extra).

Every client configured with the same Redis URL and the same `(base_url, token)` shares one
gate: the `resume_at` of a 429 pause, the budget and pacing slot read from the rate-limit
headers, and the requests in flight. The key is a SHA-256 of base URL and token, never the
token. Times in Redis are the Redis server's clock (`TIME`, Unix seconds), so processes on
machines whose clocks disagree still agree on the pause; each process turns the answer into
a relative wait on its own (injected, monotonic) clock.

One Lua script call per request decides, atomically, whether it may go now, must wait, or
takes a pacing slot at a given delay, and in the same round trip applies what this process
learnt since its last call (requests finished, the latest rate-limit headers). A 429 is sent
to Redis at once, in a background call, so the other processes stop promptly. A request in
flight holds a lease that expires after `lease` seconds, so a crashed process does not hold
budget for ever.

The gate is a `RateLimitGate` too: it keeps the same knowledge locally (pauses, headers), and
when Redis cannot be reached, refuses the credentials or answers too slowly (every call is
bounded by `timeout`), it logs one warning and carries on as an in-process gate, trying Redis
again every `reconnect_after` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import hashlib
import logging
import random as _random
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from .errors import ConfigurationError
from .gate import Clock, GateTimeout, RateLimitGate, Sleep
from .retry import RetryPolicy
from .secret import Secret
from .wire import RateLimitInfo

if TYPE_CHECKING:
    import redis.asyncio

__all__ = ["GATE_URL_VARIABLE", "RedisGate", "gate_key", "redacted_url"]

GATE_URL_VARIABLE = "CIRCLECI_GATE_URL"
"""The environment variable read for the gate URL when `CircleCI(gate_url=...)` is not given."""

logger = logging.getLogger("circleci_async")

_SCHEMES = ("redis", "rediss", "unix")
_GO, _WAIT, _TOO_LATE = 0, 1, 2

# The rules are those of `RateLimitGate` (gate.py), in server time:
# - a 429 closes the gate for the (already capped) span; `announced` keeps the server's figure;
# - headers give a budget (remaining less requests in flight) that expires at its reset, or
#   after UNTIMED seconds when no reset came; a reset above 1e9 is a Unix time;
# - a spent budget spaces requests `reset / limit` apart, each slot at most the reset time;
#   a slot past the caller's deadline is not waited for nor taken: the request goes now.
# KEYS: state hash, in-flight sorted set (member: request id, score: lease expiry).
# ARGV: 1 id ("": only apply updates), 2 lease, 3 max wait (-1: none), 4 pause span (""),
# 5 server's pause (""), 6 remaining (""), 7 limit (""), 8 reset (""), 9 idle expiry,
# 10... ids of requests finished.
_SCRIPT = """
local UNTIMED = 60
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state, flying = KEYS[1], KEYS[2]
for i = 10, #ARGV do redis.call('ZREM', flying, ARGV[i]) end
redis.call('ZREMRANGEBYSCORE', flying, '-inf', now)
local function raise(field, value)
  if value > tonumber(redis.call('HGET', state, field) or '0') then
    redis.call('HSET', state, field, tostring(value))
  end
end
if ARGV[4] ~= '' then
  raise('resume_at', now + tonumber(ARGV[4]))
  raise('announced', now + tonumber(ARGV[5]))
  redis.call('HINCRBY', state, 'pauses', 1)
end
if ARGV[6] ~= '' then
  local remaining = tonumber(ARGV[6])
  local budget = remaining - redis.call('ZCARD', flying)
  local reset = tonumber(ARGV[8])
  if reset ~= nil and reset > 1000000000 then reset = math.max(0, reset - now) end
  if reset == nil or reset <= 0 then
    redis.call('HSET', state, 'budget', tostring(budget), 'spacing', '0',
      'budget_until', tostring(now + UNTIMED))
  else
    local limit = tonumber(ARGV[7]) or remaining
    if limit < 1 then limit = 1 end
    redis.call('HSET', state, 'budget', tostring(budget), 'spacing', tostring(reset / limit),
      'budget_until', tostring(now + reset))
  end
end
local idle = tonumber(ARGV[9])
redis.call('EXPIRE', state, idle)
redis.call('EXPIRE', flying, idle)
if ARGV[1] == '' then return {0, '0', '0'} end
local lease, max_wait = tonumber(ARGV[2]), tonumber(ARGV[3])
local resume = tonumber(redis.call('HGET', state, 'resume_at') or '0')
if resume > now then
  local wait = resume - now
  if max_wait >= 0 and wait > max_wait then
    local announced = tonumber(redis.call('HGET', state, 'announced') or '0')
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


def gate_key(base_url: str, token: Secret) -> str:
    """The Redis key prefix of the gate of one `(base_url, token)`: a hash, never the token."""
    digest = hashlib.sha256(f"{base_url.rstrip('/')}\n{token.reveal()}".encode()).hexdigest()
    return f"circleci-async:gate:{{{digest[:32]}}}"


def redacted_url(url: str) -> str:
    """`url` with any password replaced by `***`, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    netloc = f"{user}:***@{host}{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _check_url(url: object) -> str:
    if not isinstance(url, str) or not url.strip():
        raise ConfigurationError(f"gate_url must be a redis:// URL, got {url!r}")
    shown = redacted_url(url) if "@" in url else url
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES:
        raise ConfigurationError(
            f"gate_url must start with redis://, rediss:// or unix://, got {shown!r}"
        )
    try:
        parts.port  # noqa: B018 (reading it validates it)
    except ValueError:
        raise ConfigurationError(f"gate_url has a bad port: {shown!r}") from None
    if parts.scheme != "unix" and not parts.hostname:
        raise ConfigurationError(f"gate_url names no host: {shown!r}")
    if parts.scheme == "unix" and not parts.path:
        raise ConfigurationError(f"gate_url names no socket path: {shown!r}")
    database = parts.path.strip("/")
    if parts.scheme != "unix" and database and not database.isdigit():
        raise ConfigurationError(f"gate_url's database must be a number: {shown!r}")
    return url


def _connect(url: str, timeout: float) -> redis.asyncio.Redis:
    try:
        import redis.asyncio as aioredis
    except ImportError:
        raise ConfigurationError(
            "gate_url needs the redis package: pip install 'circleci-async[redis]'"
        ) from None
    try:
        return aioredis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            health_check_interval=0,
            retry_on_timeout=False,
            decode_responses=True,
        )
    except (ValueError, TypeError) as exc:
        password = urlsplit(url).password
        reason = str(exc).replace(password, "***") if password else str(exc)
        shown = redacted_url(url)
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

    `timeout` bounds every Redis call (seconds), `lease` how long a request in flight counts
    against the budget at most, `reconnect_after` how long the local fallback lasts before
    Redis is tried again. Other keywords go to `RateLimitGate` (the local gate).
    """

    def __init__(
        self,
        url: str,
        *,
        base_url: str,
        token: Secret,
        timeout: float = 1.0,
        lease: float = 120.0,
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
        self._url = _check_url(url)
        self.shown_url = redacted_url(self._url)
        """The Redis URL with its password (if any) shown as `***`."""
        key = gate_key(base_url, token)
        self._keys = [f"{key}:state", f"{key}:inflight"]
        self._timeout = timeout
        self._lease = lease
        self._reconnect_after = reconnect_after
        self._idle_expiry = idle_expiry
        self._redis = _connect(self._url, timeout)
        self._script = self._redis.register_script(_SCRIPT)
        self._held: contextvars.ContextVar[str | None] = contextvars.ContextVar(
            f"redis-gate-{id(self)}", default=None
        )
        self._finished: list[str] = []
        self._pause: tuple[float, float] | None = None
        self._seen: RateLimitInfo | None = None
        self._flusher: asyncio.Task[None] | None = None
        self._down_until: float | None = None
        self._warned = False
        self.fallbacks = 0
        """How many times Redis failed and the local gate took over (a figure for tests)."""
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
        while True:
            if not self._usable():
                self._held.set(None)
                return waited + await super().wait(deadline)
            max_wait = -1.0 if deadline is None else max(0.0, deadline - self._now())
            request = uuid.uuid4().hex
            try:
                kind, wait, announced = await self._call(request, max_wait)
            except _Unavailable:
                continue
            if kind == _TOO_LATE:
                self.server_wait = announced
                raise GateTimeout(wait)
            if kind == _GO:
                if wait > 0:
                    await self._pause_for(wait)
                    waited += wait
                    if self.resume_at > self._now():  # a 429 came here while on the slot
                        self._finished.append(request)
                        continue
                self._held.set(request)
                return waited
            delay = wait + self._jitter * self._chance()
            await self._pause_for(delay)
            waited += delay

    def finished(self) -> None:
        """A request let through by `wait()` is over; Redis hears of it with the next call."""
        request = self._held.get()
        if request is None:
            super().finished()
            return
        self._held.set(None)
        self._finished.append(request)
        self._flush_soon(0.05)

    def pause(self, seconds: float | None) -> float:
        """Record a 429 (as `RateLimitGate.pause`) and tell Redis at once."""
        span = super().pause(seconds)
        server = span if seconds is None else max(seconds, span)
        earlier = self._pause or (0.0, 0.0)
        self._pause = (max(earlier[0], span), max(earlier[1], server))
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
                await self._call("", -1.0)

    async def aclose(self) -> None:
        """Flush (every call bounded by the timeout) and disconnect from Redis."""
        await self.flush()
        await self._redis.aclose()

    def _usable(self) -> bool:
        if self._down_until is None:
            return True
        return self._now() >= self._down_until

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
                await self._call("", -1.0)
        except _Unavailable:
            pass
        finally:
            self._flusher = None

    async def _call(self, request: str, max_wait: float) -> tuple[int, float, float]:
        finished, self._finished = self._finished, []
        pause, self._pause = self._pause, None
        seen, self._seen = self._seen, None
        args: list[Any] = [
            request,
            self._lease,
            max_wait,
            "" if pause is None else pause[0],
            "" if pause is None else pause[1],
            "" if seen is None or seen.remaining is None else seen.remaining,
            "" if seen is None or seen.limit is None else seen.limit,
            "" if seen is None or seen.reset is None else seen.reset,
            self._idle_expiry,
            *finished,
        ]
        try:
            async with asyncio.timeout(self._timeout):
                kind, wait, announced = await self._script(keys=self._keys, args=args)
        except Exception as exc:
            if not _is_redis_failure(exc):
                raise
            self._fall_back(exc)
            raise _Unavailable from None
        if not self.shared:
            self._down_until = None
            logger.info("the shared rate-limit gate at %s answers again", self.shown_url)
        return int(kind), float(wait), float(announced)

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
