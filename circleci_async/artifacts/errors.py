"""Per-file problems of an artifact harvest, beside the HTTP errors of `circleci_async.errors`.

A file that fails with an HTTP status is reported with the usual `APIError` subclass, and
one whose connection broke with `TransportError`; the errors here cover the rest.
"""

from __future__ import annotations

from ..errors import CircleCIError

__all__ = [
    "ArtifactError",
    "DestinationError",
    "DestinationFolderError",
    "DuplicatePathError",
    "IncompleteDownloadError",
    "RefusedURLError",
    "UnsafePathError",
]


class ArtifactError(CircleCIError):
    """A problem with one artifact that is not an HTTP error status."""


class UnsafePathError(ArtifactError):
    """The server named a path that is never written: absolute, `..`, a NUL byte, ..."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"refused artifact path {path!r}: {reason}")


class IncompleteDownloadError(ArtifactError):
    """The body ended before the length the server announced, on every attempt."""

    def __init__(self, received: int, expected: int, url: str) -> None:
        self.received = received
        self.expected = expected
        self.url = url
        super().__init__(f"the body ended after {received} of {expected} bytes (GET {url})")


class RefusedURLError(ArtifactError):
    """A URL that is not fetched: not http(s), a redirect without `Location`, too many hops."""

    def __init__(self, message: str, url: str) -> None:
        self.message = message
        self.url = url
        super().__init__(f"{message} (GET {url})")


class DestinationError(ArtifactError):
    """The file cannot be written where it belongs: permissions, a full disk, a name clash."""

    def __init__(self, target: str, reason: OSError | str) -> None:
        self.target = target
        self.errno: int | None = None
        """The `OSError`'s errno when one was the reason."""
        if isinstance(reason, OSError):
            self.errno = reason.errno
            reason = reason.strerror or type(reason).__name__
        self.reason = reason
        super().__init__(self._describe())

    def _describe(self) -> str:
        return f"cannot write {self.target}: {self.reason}"


class DestinationFolderError(DestinationError):
    """The destination folder itself cannot be used: a file, not writable, gone, or full.

    Raised by the `download*` call, once, as soon as the fault is seen (before any request
    when the folder is unusable from the start), instead of failing every file with it.
    `target` is the folder as given.
    """

    def _describe(self) -> str:
        return f"the destination folder {self.target} cannot be used: {self.reason}"


class DuplicatePathError(ArtifactError):
    """Two artifacts of one harvest land on the same file but come from different URLs.

    The first one is kept; the second is reported with this error instead of `skipped`, so
    a listing that names one path twice with different content is never reported as `ok`.
    """

    def __init__(self, target: str, first_url: str, url: str) -> None:
        self.target = target
        self.first_url = first_url
        self.url = url
        super().__init__(
            f"{target} is listed twice with different URLs ({first_url} was kept, {url} "
            f"was not written)"
        )
