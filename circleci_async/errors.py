"""The exceptions this library raises; every one derives from `CircleCIError`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "CircleCIError",
    "ConfigurationError",
    "ConflictError",
    "DecodeError",
    "InvalidArgumentError",
    "NotFoundError",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseTooLargeError",
    "SchemaDriftWarning",
    "ServerError",
    "TransportError",
    "WaitTimeoutError",
    "error_for_status",
]


class CircleCIError(Exception):
    """Base class of every error raised by circleci-async.

    Every one pickles with its fields (a harvest's report travels between processes).
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (type(self), self.args, dict(self.__dict__)))


def _restore(cls: type[CircleCIError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    """Rebuild a pickled error without calling its `__init__` (whose signature varies)."""
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class ConfigurationError(CircleCIError):
    """The client was set up wrongly (no token, a bad base URL, ...)."""


class InvalidArgumentError(CircleCIError, ValueError):
    """A caller passed an argument the API cannot accept; raised before sending."""


class APIError(CircleCIError):
    """CircleCI answered with a non-success HTTP status."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        method: str,
        url: str,
        request_id: str | None = None,
    ) -> None:
        self.status = status
        self.message = message
        self.method = method
        self.url = url
        self.request_id = request_id
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.status} {self.message} ({self.method} {self.url})"
        if self.request_id:
            text += f" [request id {self.request_id}]"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, message={self.message!r}, "
            f"method={self.method!r}, url={self.url!r}, request_id={self.request_id!r})"
        )


class BadRequestError(APIError):
    """HTTP 400: the request was malformed or a parameter was invalid."""


class AuthenticationError(APIError):
    """HTTP 401: the token is missing, invalid or of an old format."""


class PermissionDeniedError(APIError):
    """HTTP 403: the token is valid but may not do this."""


class NotFoundError(APIError):
    """HTTP 404: no such resource, or a private one the token cannot see."""


class ConflictError(APIError):
    """HTTP 409: the resource already exists or is in a conflicting state."""


class RateLimitError(APIError):
    """HTTP 429 that outlasted the retry policy; `retry_after` is the server's last wait."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        method: str,
        url: str,
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(status, message, method=method, url=url, request_id=request_id)


class ServerError(APIError):
    """HTTP 5xx: CircleCI failed to handle the request."""


class TransportError(CircleCIError):
    """The request failed below HTTP: connection refused or reset, timeout, broken body."""

    def __init__(self, message: str, *, method: str, url: str) -> None:
        self.message = message
        self.method = method
        self.url = url
        super().__init__(f"{message} ({method} {url})")


class ResponseTooLargeError(CircleCIError):
    """An answer was bigger than the client accepts (`max_response_bytes`); never retried.

    The size is counted as the body is read, after decompression, so the limit holds for
    compressed answers too; `received` is how many bytes had arrived when reading stopped.
    """

    def __init__(self, limit: int, received: int, *, status: int, method: str, url: str) -> None:
        self.limit = limit
        self.received = received
        self.status = status
        self.method = method
        self.url = url
        super().__init__(
            f"the answer ({status}) is larger than the limit of {limit} bytes; reading stopped "
            f"after {received} bytes ({method} {url})"
        )


class DecodeError(CircleCIError):
    """An answer could not be read: not JSON, the wrong shape, or an identity field missing.

    `data` is the parsed body (None when it was not JSON) and `body` the raw bytes, so a
    caller can still use what CircleCI sent; `status`, `method` and `url` name the request
    (the URL never carries the token).
    """

    def __init__(
        self,
        operation: str,
        details: list[str] | str,
        *,
        status: int | None = None,
        method: str | None = None,
        url: str | None = None,
        data: Any = None,
        body: bytes | None = None,
    ) -> None:
        self.operation = operation
        self.details = [details] if isinstance(details, str) else list(details)
        self.status = status
        self.method = method
        self.url = url
        self.data = data
        self.body = body
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"cannot decode the response of {self.operation}"
        if self.status is not None:
            text += f" (HTTP {self.status})"
        text += ": " + "; ".join(self.details)
        if self.method and self.url:
            text += f" ({self.method} {self.url})"
        if self.body is not None:
            excerpt = self.body[:80].decode("utf-8", errors="replace")
            more = "..." if len(self.body) > 80 else ""
            text += f"; the body begins {excerpt!r}{more}" if more else f"; the body is {excerpt!r}"
        return text

    def attach(
        self, *, status: int, method: str, url: str, data: Any, body: bytes | None
    ) -> DecodeError:
        """Fill in the request and the answer this error is about; returns itself."""
        self.status, self.method, self.url, self.data, self.body = status, method, url, data, body
        self.args = (str(self),)
        return self


class SchemaDriftWarning(UserWarning):
    """An answer departed from CircleCI's spec; it was decoded anyway.

    The message names the operation, the field path, what the spec says and what came.
    Emitted once per operation and field path per client; `CircleCI(strict=True)` raises
    `DecodeError` instead.
    """


class PaginationError(CircleCIError):
    """A paged walk cannot go on: a page token was rejected or repeated."""


class WaitTimeoutError(CircleCIError, TimeoutError):
    """A waiter's `timeout` passed before the pipeline or workflow ended.

    `.last` is the last state seen.
    """

    def __init__(self, message: str, *, last: object = None) -> None:
        super().__init__(message)
        self.last = last


_BY_STATUS: Mapping[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def error_for_status(status: int) -> type[APIError]:
    """Return the `APIError` subclass that stands for an HTTP status."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status >= 500:
        return ServerError
    return APIError
