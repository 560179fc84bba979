"""The storage origin (like a pre-signed S3 URL): no token needed, signature and expiry checked."""

from __future__ import annotations

from aiohttp import web

from .content import content_reply, s3_error
from .presign import Presigner
from .replies import Reply
from .state import FakeState

__all__ = ["BUCKET", "carries_token", "serve_storage", "storage_path"]

BUCKET = "circle-production-artifacts"


def storage_path(artifact_id: str) -> str:
    """URL path of an artifact's object on the storage origin."""
    return f"/{BUCKET}/{artifact_id}"


def carries_token(request: web.BaseRequest) -> bool:
    """Whether a request carries CircleCI credentials (it never should, on storage)."""
    return (
        "Circle-Token" in request.headers
        or "Authorization" in request.headers
        or "circle-token" in request.query
    )


def serve_storage(request: web.BaseRequest, *, state: FakeState, presigner: Presigner) -> Reply:
    """Answer an object download: 403 for a bad or expired signature, 404, 200/206/416.

    Like S3, an `Authorization` header next to query authentication is a 400.
    """
    if request.method not in ("GET", "HEAD"):
        return s3_error(405, "MethodNotAllowed", "The specified method is not allowed.")
    if "Authorization" in request.headers:
        return s3_error(
            400,
            "InvalidArgument",
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
            "Signature query string parameter or the Authorization header should be specified",
        )
    path = request.rel_url.raw_path
    problem = presigner.problem(path, request.query)
    if problem is not None:
        return s3_error(403, *problem)
    bucket, _, key = path.lstrip("/").partition("/")
    artifact = state.artifacts.get(key) if bucket == BUCKET else None
    if artifact is None:
        return s3_error(404, "NoSuchKey", "The specified key does not exist.")
    return content_reply(artifact, request.headers.get("Range"), request.headers.get("If-Range"))
