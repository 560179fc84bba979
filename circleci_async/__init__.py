"""circleci-async: an asyncio-first client for the CircleCI REST API v2."""

from . import webhooks
from ._version import __version__
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
    SchemaDriftWarning,
    ServerError,
    TransportError,
    WaitTimeoutError,
)
from .operations import OPERATIONS
from .pagination import Page, Paginator
from .retry import RetryPolicy
from .session import APIDeprecationWarning, AuthScheme, Response
from .waiting import PipelineOutcome, WaitPolicy

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
    "PipelineOutcome",
    "RateLimitError",
    "Response",
    "RetryPolicy",
    "SchemaDriftWarning",
    "ServerError",
    "TransportError",
    "WaitPolicy",
    "WaitTimeoutError",
    "__version__",
    "webhooks",
]
