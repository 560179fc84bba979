"""circleci-async: an asyncio-first client for the CircleCI REST API v2.

The names below are loaded on first use, so `import circleci_async` costs next to nothing and
a program pays for the webhooks receiver, the harvester or the fake only when it uses them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from . import webhooks
    from .artifacts import ArtifactError, ArtifactRef, DownloadReport, FileResult
    from .client import CircleCI
    from .errors import (
        APIError,
        AuthenticationError,
        BadRequestError,
        CircleCIError,
        ConfigurationError,
        ConflictError,
        DecodeError,
        InvalidArgumentError,
        NotFoundError,
        PaginationError,
        PermissionDeniedError,
        RateLimitError,
        ResponseTooLargeError,
        SchemaDriftWarning,
        ServerError,
        TransportError,
    )
    from .operations import OPERATIONS
    from .pagination import Page, Paginator
    from .retry import RetryPolicy
    from .session import APIDeprecationWarning, AuthScheme, Response

_HOMES = {
    ".artifacts": ("ArtifactError", "ArtifactRef", "DownloadReport", "FileResult"),
    ".client": ("CircleCI",),
    ".errors": (
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
    ),
    ".operations": ("OPERATIONS",),
    ".pagination": ("Page", "Paginator"),
    ".retry": ("RetryPolicy",),
    ".session": ("APIDeprecationWarning", "AuthScheme", "Response"),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}
_SUBMODULES = ("webhooks",)

__all__ = [
    "OPERATIONS",
    "APIDeprecationWarning",
    "APIError",
    "ArtifactError",
    "ArtifactRef",
    "AuthScheme",
    "AuthenticationError",
    "BadRequestError",
    "CircleCI",
    "CircleCIError",
    "ConfigurationError",
    "ConflictError",
    "DecodeError",
    "DownloadReport",
    "FileResult",
    "InvalidArgumentError",
    "NotFoundError",
    "Page",
    "PaginationError",
    "Paginator",
    "PermissionDeniedError",
    "RateLimitError",
    "Response",
    "ResponseTooLargeError",
    "RetryPolicy",
    "SchemaDriftWarning",
    "ServerError",
    "TransportError",
    "__version__",
    "webhooks",
]


def __getattr__(name: str) -> Any:
    """Import a public name's module the first time the name is used."""
    if name in _SUBMODULES:
        value: Any = importlib.import_module(f".{name}", __name__)
    elif name in _HOME_OF:
        value = getattr(importlib.import_module(_HOME_OF[name], __name__), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
